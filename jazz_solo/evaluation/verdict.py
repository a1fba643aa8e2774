"""report.md's first lines, a verdict in words, and its classifier section: is it real, and if not, why not.

The verdict reads only metrics.json's figures: the classifier two-sample test (c2st.py) against its
real-vs-real control and the experts' figure, and which measures sit as close to the training corpus as
the held-out corpus does.
"""

from __future__ import annotations

from jazz_solo.evaluation import metrics as M
from jazz_solo.evaluation.c2st import EXPERTS, TOP
from jazz_solo.music.chords import Progression

SHOWN_BARS = 16  # the progression line names this many bars, then says how many more
OVERLAP_SLACK = 0.05  # a solos' overlap this far under the held-out one is still inside its range
SHARE_SLACK = 0.02  # the same for a jazz share's distance from the corpus
JAZZ = {"chord_tone_share": "chord tones on the beat", "scale_share": "notes in the chord scale"}
JAZZ |= {"approach_resolution_share": "chromatic notes resolving"}


def progression_line(progression: Progression) -> str:
    """The chords bar by bar, "| Dm7 G7 | Cmaj7 |", the first SHOWN_BARS bars of a longer progression."""
    bar = progression.beats_per_bar
    n_bars = max(1, round(progression.length / bar))
    cells = []
    for b in range(min(n_bars, SHOWN_BARS)):
        starting = [s.chord.symbol for s in progression.spans if b * bar <= s.start < (b + 1) * bar]
        cells.append(" ".join(starting) or progression.chord_at(b * bar).symbol)
    more = f" ... ({n_bars} bars)" if n_bars > SHOWN_BARS else ""
    return "| " + " | ".join(cells) + " |" + more


def _percent(value: float) -> str:
    return f"{100 * value:.1f} %"


def how_far(accuracy: float) -> str:
    """The classifier's accuracy in words, against chance and the experts' 64.4 %."""
    if accuracy >= 0.9:
        return "far; almost every segment gives itself away"
    if accuracy >= 0.75:
        return "clearly apart"
    if accuracy > EXPERTS + 0.05:
        return "close, not yet where experts stand"
    if accuracy > EXPERTS:
        return "near where experts stand (within 5 points of their accuracy on published computer-made solos)"
    return "as hard to tell from real as experts find published computer-made solos, or harder"


def top_features(found: dict) -> list[tuple[str, float | None, float | None]]:
    """The features that give the solos away, most telling first: (name, held-out mean, solos' mean)."""
    named = [k for k in range(1, TOP + 1) if found.get(f"c2st_top{k}_feature")]
    return [(found[f"c2st_top{k}_feature"], found[f"c2st_top{k}_real"], found[f"c2st_top{k}_solos"]) for k in named]


def _set(found: dict) -> str:
    """Where the control's two halves came from."""
    return "training split's solos" if found.get("c2st_control_set") == "training split" else "held-out solos"


def _count(value: int | None) -> str:
    return "–" if value is None else str(value)


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def inside_and_off(found: dict) -> tuple[list[str], list[str]]:
    """The measures whose solos' figure is as close to the corpus as the held-out corpus's, and the others
    (with both figures): the MGEval features by overlap, the jazz shares by distance from the corpus."""
    inside, off = [], []
    for name in M.FEATURES:
        mine, held = found.get(f"{name}_overlap"), found.get(f"heldout_{name}_overlap")
        if mine is not None and held is not None:
            good = mine >= held - OVERLAP_SLACK
            (inside if good else off).append(name if good else f"{name} (overlap {mine:.2f}, held-out {held:.2f})")
    for key, label in JAZZ.items():
        mine, held, corpus = found.get(key), found.get(f"heldout_{key}"), found.get(f"corpus_{key}")
        if None not in (mine, held, corpus):
            good = abs(mine - corpus) <= abs(held - corpus) + SHARE_SLACK
            (inside if good else off).append(label if good else f"{label} ({mine:.2f}, held-out {held:.2f})")
    return inside, off


def verdict_lines(found: dict) -> list[str]:
    """A few plain lines: how far from real, which measures are inside the held-out range, what was played."""
    accuracy, control = found.get("c2st_accuracy"), found.get("c2st_control_accuracy")
    if accuracy is None:
        far = f"**How far from real:** not measured ({found.get('c2st_reason')})."
    else:
        far = (
            f"**How far from real:** {how_far(accuracy)}. A classifier tells a {found['c2st_bars']}-bar segment of "
            f"these solos from a held-out one {_percent(accuracy)} of the time (AUC {found['c2st_auc']:.3f}, "
            f"{found['c2st_segments']} segments of each); "
        )
        far += (
            f"between two halves of the {_set(found)} it manages {_percent(control)} (what chance reads here). "
            if control is not None
            else "the real-vs-real control could not run. "
        )
        far += f"Experts tell computer-made jazz solos from real ones {_percent(EXPERTS)} of the time."
        given = [f"{name} (held-out {_fmt(real)}, solos {_fmt(mine)})" for name, real, mine in top_features(found)]
        far += " What gives them away: " + "; ".join(given) + "."
    inside, off = inside_and_off(found)
    measures = f"**Inside the held-out range:** {', '.join(inside) or 'none'}. **Off:** {', '.join(off) or 'none'}."
    return [far, "", measures, "", played_line(found), ""]


def played_line(found: dict) -> str:
    """What the solos played over: the held-out tunes and how many solos each (tunes=), else chords= or the
    checkpoint's own progression, bar by bar."""
    if found.get("tunes"):
        counts = sorted({tune["n_solos"] for tune in found["tunes"]})  # n/k, or one more for the first tunes
        return f"**Played over** {found['progression_name']} ({' or '.join(map(str, counts))} solos each)."
    own = found.get("progression_name") or "the checkpoint's own progression"
    chords = f"`chords={found['chords']}`" if found.get("chords") else own
    return f"**Played over** {chords}: {found.get('progression', '?')}"


def c2st_section(found: dict) -> list[str]:
    """report.md's section on the classifier two-sample test."""
    lines = [
        "## Is it real? (classifier two-sample test)",
        "",
        f"A random forest learns to tell {found['c2st_bars']}-bar segments of the solos "
        f"({found['c2st_solo_segments']}) from segments of the held-out solos ({found['c2st_real_segments']}) "
        "by their musical features, in cross-validation grouped by solo, on as many segments of each "
        f"({_count(found['c2st_segments'])}; the larger set sampled down), so 0.5 is chance. The control: the "
        f"same test between two halves of the {_set(found)}.",
        "",
        "| test | accuracy | AUC |",
        "|---|---|---|",
        f"| solos vs held-out | {_fmt(found['c2st_accuracy'])} | {_fmt(found['c2st_auc'])} |",
        f"| half vs half of the {_set(found)} (control) | {_fmt(found['c2st_control_accuracy'])} | "
        f"{_fmt(found['c2st_control_auc'])} |",
        f"| experts (Frieler & Zaddach 2022) | {EXPERTS:.3f} | |",
        "",
    ]
    if found.get("c2st_reason"):
        lines += [f"Not measured: {found['c2st_reason']}.", ""]
    if top_features(found):
        lines += ["The features that give the solos away (mean per segment):", ""]
        lines += ["| feature | held-out | solos |", "|---|---|---|"]
        lines += [f"| {name} | {_fmt(real)} | {_fmt(mine)} |" for name, real, mine in top_features(found)]
        lines.append("")
    return lines
