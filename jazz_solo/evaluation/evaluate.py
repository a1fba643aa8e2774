"""Evaluation: a checkpoint against its own corpus and two baselines -> metrics.json, report.md, plots, audio.

Imports neither Lightning nor wandb, so `evaluate.py` starts fast. The corpus is read again from
the checkpoint's data settings and split as in training (same vocabulary, same held-out pieces).

Sets compared (the measures themselves are in jazz_solo/metrics.py):
    solos     n solos sampled from the checkpoint over its backing progression (or `chords=`, as generate's);
    corpus    the training split, its pieces cut into `segment_bars`-bar pieces over their own chords;
    held-out  the validation split, cut the same way: what a model that had learnt the corpus's
              style perfectly would score, so its figures are the ones to aim at.

metrics.json is one flat object (null where too few pieces qualify). Keys:
    ckpt, ckpt_sha256, n_solos, length, strategy, temperature, seed, realise, condition, segment_bars,
    n_corpus_pieces, n_heldout_pieces, n_heldout_windows, val_targets, mean_log_prob
    val_cross_entropy, val_perplexity, val_accuracy        the model on the validation windows
    unigram_* , bigram_*  (same three)                     baselines fitted on the training split
    chord_tone_share, scale_share, approach_resolution_share   the solos; corpus_* and heldout_* likewise
    longest_copied_run, longest_copied_run_max, copied_8gram_share   the solos against the training
                                                           split; heldout_* for held-out windows
    for each feature F of metrics.FEATURES:
        F_overlap, F_kl          solos vs corpus: overlap area and KL(corpus intra || solos-corpus inter)
        heldout_F_overlap, heldout_F_kl                held-out vs corpus, the same
        F_intra, corpus_F_intra, heldout_F_intra       mean distance between pieces inside each set
        F_inter, heldout_F_inter                       mean distance from the set to the corpus
        F, corpus_F, heldout_F   (scalar features only) the feature's mean in each set
    mean_overlap, mean_kl, heldout_mean_overlap, heldout_mean_kl   averages over the features
"""

from __future__ import annotations

import logging
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from jazz_solo.atomic import write_text
from jazz_solo.checkpoint import load_checkpoint, resolve_checkpoint
from jazz_solo.conditioning import context_features, multi_hot
from jazz_solo.config import DataConfig, EvaluateConfig
from jazz_solo.corpus.encoding import EncodedCorpus, encode_values
from jazz_solo.corpus.split import held_out, split_sequences
from jazz_solo.errors import JazzSoloError
from jazz_solo.evaluation import metrics as M
from jazz_solo.evaluation.figures import distances_figure, histograms_figure
from jazz_solo.generation import Solo, backing_for, sample_solos, solo_midi
from jazz_solo.music.audio import write_wav
from jazz_solo.music.chords import NOTE_NAMES, Progression
from jazz_solo.music.comping import write_midi
from jazz_solo.music.pianoroll import save_figure, save_piano_roll
from jazz_solo.music.tokenizers import get_tokenizer
from jazz_solo.net import SoloNet
from jazz_solo.runs import file_record, own_folder, write_json
from jazz_solo.windows import sliding_windows

log = logging.getLogger(__name__)

NGRAM = 8  # originality: n-grams of this many values
SHOWN = 3  # the most and the least likely solos are drawn and rendered
SETS = ("solos", "corpus", "held-out")
PREFIX = {"solos": "", "corpus": "corpus_", "held-out": "heldout_"}
FEW_PIECES = 5  # distributions over fewer corpus or held-out pieces than this mean little


def few_pieces(n_corpus: int, n_heldout: int, bars: int) -> str:
    return (
        f"only {n_corpus} corpus and {n_heldout} held-out pieces of {bars} bars: overlap, KL and distance figures "
        f"over fewer than {FEW_PIECES} pieces mean little (a longer corpus or a lower segment_bars gives more)"
    )


@dataclass
class Evaluation:
    metrics: dict  # as in metrics.json
    folder: Path
    report: Path  # report.md


def default_out(ckpt_path: str | os.PathLike) -> Path:
    """`evaluation/` in the run folder of a checkpoint in `<run>/checkpoints/`, else beside the checkpoint."""
    folder = Path(ckpt_path).resolve().parent
    return (folder.parent if folder.name == "checkpoints" else folder) / "evaluation"


@torch.no_grad()
def model_scores(
    net: SoloNet, windows: torch.Tensor, features: torch.Tensor | None = None, batch_size: int = 512
) -> dict[str, float]:
    """Teacher-forced scores on windows (n, Tx + 1): inputs the first Tx values (and, for a conditioned
    network, their features (n, Tx, n_features)), targets the last Tx."""
    nll, correct = [], []
    device = next(net.parameters()).device
    for i, batch in enumerate(windows.to(device).split(batch_size)):
        step_features = None if features is None else features[i * batch_size : (i + 1) * batch_size].to(device)
        logits, _ = net(batch[:, :-1], features=step_features)
        targets = batch[:, 1:]
        log_probs = torch.log_softmax(logits, dim=-1)
        nll.append(-log_probs.gather(-1, targets[..., None]).squeeze(-1).flatten())
        correct.append((logits.argmax(-1) == targets).flatten())
    return M.prediction_scores(torch.cat(nll).cpu().numpy(), torch.cat(correct).cpu().numpy())


def prediction_metrics(
    net: SoloNet, train: list[list[int]], val: list[list[int]], tx: int, contexts: tuple | None = None
) -> dict:
    """The model and the unigram / bigram baselines on the validation windows training used.

    contexts: for a conditioned network, (the validation split's context ids per piece, their table).
    """
    windows = sliding_windows(val, tx + 1, 1)
    features = None
    if contexts is not None:
        val_contexts, table = contexts
        features = context_features(sliding_windows(val_contexts, tx + 1, 1)[:, :-1], table)
    previous, targets = windows[:, :-1].flatten().numpy(), windows[:, 1:].flatten().numpy()
    found = {"val_targets": len(targets)}
    scores = {
        "val": model_scores(net, windows, features),
        "unigram": M.ngram_scores(M.unigram_log_probs(train, net.n_values), previous, targets),
        "bigram": M.ngram_scores(M.bigram_log_probs(train, net.n_values), previous, targets),
    }
    for name, values in scores.items():
        found |= {f"{name}_{key}": value for key, value in values.items()}
    return found


def training_corpus(ckpt_path: str, data: DataConfig, vocab: list[str], condition: str = "none") -> EncodedCorpus:
    """The checkpoint's corpus read and encoded again; it must give the vocabulary training saw."""
    try:
        corpus = encode_values(data, condition)
    except JazzSoloError as err:
        raise JazzSoloError(f"{ckpt_path}: cannot read its training corpus ({err})") from None
    if corpus.vocab != vocab:
        where = data.path or "the embedded corpus"
        raise JazzSoloError(
            f"{ckpt_path}: its training corpus ({where}) no longer gives the vocabulary it was trained on"
        )
    return corpus


def corpus_pieces(
    corpus: EncodedCorpus, data: DataConfig, train: list[list[int]], bars: int, held: set[int] | None = None
) -> tuple[list[M.Piece], list[M.Piece]]:
    """(training, held-out) pieces of `bars` bars, cut from the scores with the split training used
    (`held`: the held-out pieces, as held_out gives them; None: found here)."""
    if len(corpus.scores) > 1:
        held = held_out(corpus, data) if held is None else held
        training, heldout = [], []
        for i, score in enumerate(corpus.scores):
            (heldout if i in held else training).extend(M.segments(score.notes, score.progression, bars))
        return training, heldout
    # One piece: training kept its first values; they end where their decoded notes end.
    score = corpus.scores[0]
    values = [corpus.vocab[i] for i in train[0]]
    end = max((n.end for n in get_tokenizer(data.tokenizer).decode(values, score.progression)), default=0.0)
    bar = score.progression.beats_per_bar
    before = [n for n in score.notes if n.start < end]
    return (
        M.segments(before, score.progression, bars, 0.0, end),
        M.segments(score.notes, score.progression, bars, math.ceil(end / bar - 1e-9) * bar),
    )


def windows_of(sequences: list[list[int]], length: int) -> list[list[int]]:
    """Non-overlapping windows of `length` values (the last of a sequence may be shorter, never under NGRAM)."""
    return [seq[s : s + length] for seq in sequences for s in range(0, len(seq), length) if len(seq) - s >= NGRAM]


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return float(np.mean(values)) if len(values) else None


def feature_metrics(sets: dict[str, list[M.Piece]]) -> tuple[dict, dict]:
    """MGEval per feature: (flat metrics, {feature: {curve name: distances}} for the figure)."""
    found, curves = {}, {}
    for name in M.FEATURES:
        matrix = {key: M.feature_matrix(pieces, name) for key, pieces in sets.items()}
        solos = M.compare_sets(matrix["solos"], matrix["corpus"])
        held = M.compare_sets(matrix["held-out"], matrix["corpus"])
        found |= {
            f"{name}_overlap": solos.overlap,
            f"{name}_kl": solos.kl,
            f"heldout_{name}_overlap": held.overlap,
            f"heldout_{name}_kl": held.kl,
            f"{name}_intra": _mean(solos.intra),
            f"corpus_{name}_intra": _mean(solos.intra_reference),
            f"heldout_{name}_intra": _mean(held.intra),
            f"{name}_inter": _mean(solos.inter),
            f"heldout_{name}_inter": _mean(held.inter),
        }
        if name in M.SCALAR_FEATURES:
            found |= {f"{PREFIX[key]}{name}": _mean(m[:, 0]) for key, m in matrix.items()}
        curves[name] = {"corpus intra": solos.intra_reference, "solos to corpus": solos.inter}
        curves[name]["held-out to corpus"] = held.inter
    for prefix in ("", "heldout_"):
        found[f"{prefix}mean_overlap"] = _mean(found[f"{prefix}{n}_overlap"] for n in M.FEATURES)
        found[f"{prefix}mean_kl"] = _mean(found[f"{prefix}{n}_kl"] for n in M.FEATURES)
    return found, curves


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _header(*columns: str) -> list[str]:
    """A markdown table's header and separator lines."""
    return ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]


def _row(label: str, values) -> str:
    """A markdown table row: the label, then each value formatted."""
    return f"| {label} | " + " | ".join(_fmt(v) for v in values) + " |"


def _write_media(out: Path, solos: list[Solo], progression: Progression, sets: dict, curves: dict, audio: bool):
    """Histograms, distance distributions, and the most and least likely solos as piano roll, MIDI and WAV.

    Returns one row per solo shown: (label, solo, file names).
    """

    def mean_histograms(name: str) -> dict[str, np.ndarray]:
        return {key: M.feature_matrix(pieces, name).mean(axis=0) for key, pieces in sets.items() if pieces}

    histograms = [
        ("pitch_classes.png", "pitch_class_histogram", list(NOTE_NAMES), "pitch classes", "pitch class"),
        ("intervals.png", "interval_histogram", M.INTERVAL_LABELS, "intervals between notes", "semitones"),
        ("onsets.png", "ioi_histogram", M.DURATION_LABELS, "inter-onset intervals", "quarter notes"),
    ]
    for file, feature, labels, title, xlabel in histograms:
        save_figure(histograms_figure(mean_histograms(feature), labels, f"{title} (mean share)", xlabel), out / file)
    save_figure(distances_figure(curves, "distances between pieces (MGEval)"), out / "distances.png")
    order = sorted(range(len(solos)), key=lambda i: solos[i].log_prob, reverse=True)
    picks = [(f"most likely {k + 1}", i) for k, i in enumerate(order[:SHOWN])]
    picks += [(f"least likely {k + 1}", i) for k, i in enumerate(order[::-1][:SHOWN])]
    shown = []
    for label, i in picks:
        solo, stem = solos[i], label.replace(" ", "_")
        pm = solo_midi(solo, progression, name=label)
        title = f"{label}: log-prob {solo.log_prob:.1f}, seed {solo.seed}"
        png = save_piano_roll(solo.notes, progression, out / f"{stem}.png", title, solo.end)
        files = [png.name, write_midi(pm, out / f"{stem}.mid").name]
        if audio:
            files.append(write_wav(pm, out / f"{stem}.wav").name)
        shown.append((label, solo, files))
    return shown


def report_markdown(found: dict, shown: list) -> str:
    """The report: what was compared, then one table per kind of measure, then pictures and sound."""
    lines = [
        f"# Evaluation of `{found['ckpt']}`",
        "",
        f"{found['n_solos']} solos of {found['length']} values (strategy {found['strategy']}, temperature "
        f"{found['temperature']}, seed {found['seed']}, realise {found['realise']}; model condition "
        f"{found['condition']}) over the progression played (the checkpoint's, or chords=), against the "
        f"training corpus cut into pieces of {found['segment_bars']} bars (corpus pieces: "
        f"{found['n_corpus_pieces']}, held-out pieces: {found['n_heldout_pieces']}, held-out windows of "
        f"{found['length']} values: {found['n_heldout_windows']}). The held-out figures are what a model "
        "that had learnt the corpus would score.",
        "",
    ]
    if min(found["n_corpus_pieces"], found["n_heldout_pieces"]) < FEW_PIECES:
        lines += [
            f"**Note:** {few_pieces(found['n_corpus_pieces'], found['n_heldout_pieces'], found['segment_bars'])}.",
            "",
        ]
    lines += [
        f"## Prediction on the validation split ({found['val_targets']} targets)",
        "",
        *_header("model", "cross-entropy (nats)", "perplexity", "top-1 accuracy"),
    ]
    for name, label in (("val", "checkpoint"), ("bigram", "bigram, add-one"), ("unigram", "unigram, add-one")):
        lines.append(_row(label, [found[f"{name}_{k}"] for k in ("cross_entropy", "perplexity", "accuracy")]))
    lines += [
        "",
        "## Jazz measures",
        "",
        "Chord tones: share of the notes on a beat that are tones of the chord under them. Scale: share of "
        "all notes inside the chord's scale. Resolving: share of the chromatic notes (outside the scale) "
        "followed by a chord tone a half step away.",
        "",
        *_header("set", "chord tones on the beat", "inside the chord scale", "chromatic notes resolving"),
    ]
    for key in SETS:
        shares = ("chord_tone_share", "scale_share", "approach_resolution_share")
        lines.append(_row(key, [found[PREFIX[key] + k] for k in shares]))
    lines += [
        "",
        "## Originality against the training split",
        "",
        *_header("set", "longest copied run (mean)", "longest copied run (max)", f"copied {NGRAM}-grams"),
    ]
    for key, label in (("solos", "solos"), ("held-out", "held-out windows")):
        keys = ("longest_copied_run", "longest_copied_run_max", f"copied_{NGRAM}gram_share")
        lines.append(_row(label, [found[PREFIX[key] + k] for k in keys]))
    lines += [
        "",
        "## Music features (Yang & Lerch 2018)",
        "",
        "Per feature: its mean in each set (scalar features), the mean distance between pieces inside the "
        "solos and inside the corpus, the mean distance from the solos to the corpus, then the overlap area "
        "(1 is best) and KL divergence (0 is best) between the corpus's own distances and the distances from "
        "the solos (or the held-out pieces) to it.",
        "",
        *_header(
            *("feature", "solos", "corpus", "held-out", "intra solos", "intra corpus", "solos to corpus"),
            *("overlap", "KL", "held-out overlap", "held-out KL"),
        ),
    ]
    for name in M.FEATURES:
        means = [found.get(f"{PREFIX[key]}{name}") for key in SETS]
        rest = [f"{name}_intra", f"corpus_{name}_intra", f"{name}_inter", f"{name}_overlap", f"{name}_kl"]
        rest += [f"heldout_{name}_overlap", f"heldout_{name}_kl"]
        lines.append(_row(name, means + [found[k] for k in rest]))
    summary = [found[k] for k in ("mean_overlap", "mean_kl", "heldout_mean_overlap", "heldout_mean_kl")]
    lines.append("| **mean** | | | | | | | " + " | ".join(f"**{_fmt(v)}**" for v in summary) + " |")
    lines += ["", "## Pictures and sound", ""]
    for file in ("pitch_classes.png", "intervals.png", "onsets.png", "distances.png"):
        lines += [f"![{file[:-4]}]({file})", ""]
    lines += _header("solo", "log-prob", "seed", "notes", "files")
    for label, solo, files in shown:
        links = " ".join(f"[{Path(f).suffix[1:]}]({f})" for f in files)
        lines.append(f"| {label} | {solo.log_prob:.1f} | {solo.seed} | {len(solo.notes)} | {links} |")
    lines.append("")
    for label, _, files in shown:
        lines += [f"![{label}]({files[0]})", ""]
    return "\n".join(lines)


def evaluate(cfg: EvaluateConfig) -> Evaluation:
    """Generate cfg.n solos, measure them and the model against the corpus, write the report folder."""
    started = time.perf_counter()
    cfg.ckpt = str(resolve_checkpoint(cfg.ckpt))
    out = Path(cfg.out) if cfg.out else default_out(cfg.ckpt)
    if out.exists() and not out.is_dir():
        raise JazzSoloError(f"{out}: exists and is not a folder")
    taken = [out / name for name in ("report.md", "metrics.json") if (out / name).exists()]
    if taken and not cfg.overwrite:
        raise JazzSoloError(f"{taken[0]}: exists (choose another out= or pass overwrite=true)")
    ckpt = load_checkpoint(cfg.ckpt, cfg.device)
    data = DataConfig(**ckpt.spec.data)
    corpus = training_corpus(cfg.ckpt, data, ckpt.vocab, ckpt.spec.condition)
    held = held_out(corpus, data) if len(corpus.sequences) > 1 else None
    train, val = split_sequences(corpus.sequences, data.val_fraction, held)
    contexts = None
    if corpus.contexts is not None:
        contexts = (split_sequences(corpus.contexts, data.val_fraction, held)[1], multi_hot(corpus.context_keys))
    found: dict = {"ckpt": str(cfg.ckpt), "ckpt_sha256": file_record(resolve_checkpoint(cfg.ckpt))["sha256"]}
    found |= {"n_solos": cfg.n, "length": cfg.length, "strategy": cfg.strategy}
    found |= {"temperature": cfg.temperature, "seed": cfg.seed, "realise": cfg.realise}
    found["condition"] = ckpt.spec.condition
    found |= prediction_metrics(ckpt.net, train, val, data.Tx, contexts)
    log.info("validation: model perplexity %.2f, bigram %.2f", found["val_perplexity"], found["bigram_perplexity"])

    progression = backing_for(ckpt, cfg.chords)
    sampling = dict(strategy=cfg.strategy, temperature=cfg.temperature, seed=cfg.seed, device=cfg.device)
    sampling |= dict(top_k=cfg.top_k, top_p=cfg.top_p, beam_width=cfg.beam_width, realise=cfg.realise)
    solos = sample_solos(ckpt, progression, cfg.n, cfg.length, **sampling)
    found["mean_log_prob"] = float(np.mean([s.log_prob for s in solos]))
    pieces = [M.Piece(s.notes, progression) for s in solos]
    bars = cfg.segment_bars or max(1, int(np.median([math.ceil(p.end / progression.beats_per_bar) for p in pieces])))
    corpus_set, heldout_set = corpus_pieces(corpus, data, train, bars, held)
    if len(corpus_set) < 2:
        fits = next(
            (b for b in range(bars - 1, 0, -1) if len(corpus_pieces(corpus, data, train, b, held)[0]) >= 2), None
        )
        raise JazzSoloError(
            f"segment_bars={bars}: the training corpus gives {len(corpus_set)} piece(s) of that length, and the "
            "comparisons need 2 or more; "
            + (f"pass segment_bars={fits} or fewer" if fits else "it is too short to compare solos with")
        )
    if min(len(corpus_set), len(heldout_set)) < FEW_PIECES:
        log.warning(few_pieces(len(corpus_set), len(heldout_set), bars))
    sets = {"solos": pieces, "corpus": corpus_set, "held-out": heldout_set}
    heldout_windows = windows_of(val, cfg.length)
    found |= {"segment_bars": bars, "n_corpus_pieces": len(corpus_set), "n_heldout_pieces": len(heldout_set)}
    found["n_heldout_windows"] = len(heldout_windows)

    for key, members in sets.items():
        found |= {f"{PREFIX[key]}{name}": share for name, share in M.jazz_shares(members).items()}
    index = {v: i for i, v in enumerate(ckpt.vocab)}
    generated_values = [[index[v] for v in s.values] for s in solos]
    found |= M.originality(generated_values, train, NGRAM)
    found |= {f"heldout_{k}": v for k, v in M.originality(heldout_windows, train, NGRAM).items()}
    features, curves = feature_metrics(sets)
    found |= features
    log.info("measured in %.1f s; writing %s", time.perf_counter() - started, out)

    with own_folder(out):
        shown = _write_media(out, solos, progression, sets, curves, cfg.audio)
        write_json(out / "metrics.json", found, allow_nan=False)
        report = write_text(out / "report.md", report_markdown(found, shown))
    log.info("done in %.1f s", time.perf_counter() - started)
    return Evaluation(found, out, report)


def evaluate_checkpoint(ckpt_path: str | os.PathLike, n: int = 200, **options) -> dict:
    """Evaluate a checkpoint (options: the other EvaluateConfig fields) and return metrics.json's content."""
    return evaluate(EvaluateConfig(ckpt=str(ckpt_path), n=n, **options)).metrics
