"""Is it real? A classifier two-sample test (Lopez-Paz & Oquab 2017, "Revisiting classifier two-sample tests").

The generated solos and the held-out corpus are cut into segments of a few bars; a random forest learns
to tell them apart from each segment's musical features (segment_features.py), in cross-validation
grouped by solo (a solo's segments are never both learnt from and judged), on as many segments of each
set (the larger one sampled down). Its accuracy on the segments it did not learn from says how far the
solos are from real ones: 0.5, it cannot tell; 1.0, every segment gives itself away. The same test
between two halves of the held-out corpus (split by solo) is the control: what "cannot tell" reads at
these sample sizes (halves of the training split where the held-out solos are too few to halve).
For scale: experts tell computer-made jazz solos from real ones 64.4 % of the time (Frieler & Zaddach,
TISMIR 2022).

scikit-learn is imported inside `classifier_test`, so importing this module costs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from jazz_solo.evaluation.metrics import Piece, segments
from jazz_solo.evaluation.segment_features import FEATURE_NAMES, segment_features

SEGMENT_BARS = 4  # or the solos' length, when shorter
FOLDS = 5
MIN_SOLOS = 2  # per class: grouped cross-validation needs a solo to learn from and one to judge
MIN_SEGMENTS = 10  # per class
MAX_SEGMENTS = 2000  # per class: enough to tell, and the test stays a matter of seconds
TOP = 5  # features reported as the ones that give the solos away
EXPERTS = 0.644  # Frieler & Zaddach 2022: experts' accuracy on computer-made vs real jazz solos


def grouped_segments(lines: Sequence[Piece], bars: int) -> tuple[np.ndarray, np.ndarray]:
    """The features of every `bars`-bar segment of each line, and which line it came from: (n, F), (n,)."""
    rows, groups = [], []
    for group, line in enumerate(lines):
        length = bars * line.progression.beats_per_bar
        for piece in segments(line.notes, line.progression, bars):
            rows.append(segment_features(piece, length))
            groups.append(group)
    return np.array(rows).reshape(-1, len(FEATURE_NAMES)), np.array(groups, dtype=int)


def _too_few(what: str, features: np.ndarray, groups: np.ndarray) -> str | None:
    n_solos = len(set(groups.tolist()))
    if n_solos < MIN_SOLOS or len(features) < MIN_SEGMENTS:
        return f"{what}: {len(features)} segments from {n_solos} solos (the test needs {MIN_SEGMENTS} from {MIN_SOLOS})"
    return None


def classifier_test(a: np.ndarray, a_groups: np.ndarray, b: np.ndarray, b_groups: np.ndarray, seed: int) -> dict:
    """Can a classifier tell set `a` (label 1) from set `b`, segment by segment? Features (n, F), groups (n,).

    The larger set is first cut down to the smaller's size (seeded), so 0.5 is chance. Returns accuracy and
    AUC on held-out folds, the features' mean importances over the folds (F,) and the segments per class.
    Needs MIN_SOLOS groups and MIN_SEGMENTS segments per set.
    """
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import accuracy_score, roc_auc_score
    from sklearn.model_selection import StratifiedGroupKFold

    rng = np.random.default_rng(seed)
    n = min(len(a), len(b), MAX_SEGMENTS)
    keep_a, keep_b = (np.sort(rng.choice(len(s), n, replace=False)) for s in (a, b))
    a, a_groups, b, b_groups = a[keep_a], a_groups[keep_a], b[keep_b], b_groups[keep_b]
    x = np.nan_to_num(np.concatenate([a, b]), nan=-1.0)  # -1: no note qualified (every share is >= 0)
    y = np.concatenate([np.ones(n, dtype=int), np.zeros(n, dtype=int)])
    groups = np.concatenate([a_groups, b_groups + a_groups.max() + 1])
    folds = min(FOLDS, len(set(a_groups.tolist())), len(set(b_groups.tolist())))
    split = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    scores, importances = np.zeros(len(y)), []
    for train, test in split.split(x, y, groups):
        forest = RandomForestClassifier(n_estimators=100, min_samples_leaf=2, random_state=seed, n_jobs=1)
        forest.fit(x[train], y[train])
        scores[test] = forest.predict_proba(x[test])[:, list(forest.classes_).index(1)]
        importances.append(forest.feature_importances_)
    return {
        "accuracy": float(accuracy_score(y, scores > 0.5)),
        "auc": float(roc_auc_score(y, scores)),
        "importances": np.mean(importances, axis=0),
        "segments": n,
    }


def halves(groups: np.ndarray, seed: int) -> np.ndarray:
    """Which half each segment's solo falls in (True: the first), the solos shuffled with `seed`."""
    solos = np.unique(groups)
    first = set(np.random.default_rng(seed).permutation(solos)[: len(solos) // 2].tolist())
    return np.array([g in first for g in groups.tolist()])


def control_test(features: np.ndarray, groups: np.ndarray, what: str, seed: int) -> tuple[dict | None, str | None]:
    """The test between two halves of one real set, split by solo: (its result, None) or (None, why not)."""
    first = halves(groups, seed) if len(features) else np.zeros(0, dtype=bool)
    pairs = [(features[first], groups[first]), (features[~first], groups[~first])]
    short = [_too_few(f"{what} half {h}", *pair) for h, pair in enumerate(pairs, start=1)]
    if any(short):
        return None, "; ".join(r for r in short if r)
    return classifier_test(*pairs[0], *pairs[1], seed), None


def c2st_metrics(
    solos: Sequence[Piece], real: Sequence[Piece], bars: int, seed: int = 0, spare: Sequence[Piece] = ()
) -> dict:
    """metrics.json's c2st_* keys: the solos against the real lines (whole held-out solos, each a group);
    `spare`: other real lines (the training split) for the control when the real ones are too few to halve.

    c2st_accuracy, c2st_auc, c2st_segments (per class, as the test used them); c2st_control_accuracy,
    c2st_control_auc (real against real), c2st_control_set ("held-out" or "training split");
    c2st_bars, c2st_solo_segments, c2st_real_segments (all cut);
    c2st_top<k>_feature, c2st_top<k>_real, c2st_top<k>_solos (k = 1 .. TOP, most telling first: its mean
    over the real and the generated segments);
    c2st_reason: why a figure is null (too few segments), else null;
    segment_F, heldout_segment_F, segment_mean_pitch_spread, heldout_...: see segment_summary.
    """
    bars = max(1, min(SEGMENT_BARS, bars))
    generated, generated_groups = grouped_segments(solos, bars)
    actual, actual_groups = grouped_segments(real, bars)
    found: dict = {"c2st_bars": bars, "c2st_solo_segments": len(generated), "c2st_real_segments": len(actual)}
    found |= dict.fromkeys(["c2st_accuracy", "c2st_auc", "c2st_segments"])
    found |= dict.fromkeys(["c2st_control_accuracy", "c2st_control_auc", "c2st_control_set"])
    for k in range(1, TOP + 1):
        found |= dict.fromkeys([f"c2st_top{k}_feature", f"c2st_top{k}_real", f"c2st_top{k}_solos"])
    reasons = [_too_few("solos", generated, generated_groups), _too_few("held-out", actual, actual_groups)]
    if not any(reasons):
        test = classifier_test(generated, generated_groups, actual, actual_groups, seed)
        found |= {"c2st_accuracy": test["accuracy"], "c2st_auc": test["auc"], "c2st_segments": test["segments"]}
        for k, i in enumerate(np.argsort(-test["importances"])[:TOP], start=1):
            found[f"c2st_top{k}_feature"] = FEATURE_NAMES[i]
            found[f"c2st_top{k}_real"] = _nanmean(actual[:, i])
            found[f"c2st_top{k}_solos"] = _nanmean(generated[:, i])
    where = "held-out"
    control, why = control_test(actual, actual_groups, where, seed)
    if control is None and spare:
        where = "training split"
        control, why = control_test(*grouped_segments(spare, bars), where, seed)
    if control:
        found |= {"c2st_control_accuracy": control["accuracy"], "c2st_control_auc": control["auc"]}
        found["c2st_control_set"] = where
    found["c2st_reason"] = "; ".join(r for r in [*reasons, why] if r) or None
    return found | segment_summary(generated, actual)


def segment_summary(generated: np.ndarray, actual: np.ndarray) -> dict:
    """Every segment feature's mean over the solos' segments (segment_F) and the held-out ones
    (heldout_segment_F), and how far the segments' mean pitch wanders: its standard deviation over the
    segments (segment_mean_pitch_spread; a line that keeps its register stays near the real one's)."""
    found = {}
    for prefix, features in (("segment_", generated), ("heldout_segment_", actual)):
        for i, name in enumerate(FEATURE_NAMES):
            found[f"{prefix}{name}"] = _nanmean(features[:, i]) if len(features) else None
        pitch = features[:, FEATURE_NAMES.index("mean_pitch")] if len(features) else np.zeros(0)
        pitch = pitch[~np.isnan(pitch)]
        found[f"{prefix}mean_pitch_spread"] = float(pitch.std()) if len(pitch) > 1 else None
    return found


def _nanmean(column: np.ndarray) -> float | None:
    column = column[~np.isnan(column)]
    return float(column.mean()) if len(column) else None
