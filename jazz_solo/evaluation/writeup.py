"""The evaluation's report folder: report.md's tables, its figures, and the solos it shows.

(The sweep report of a hyper-parameter search is another thing: training/sweep_report.py.)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from jazz_solo.evaluation import metrics as M
from jazz_solo.evaluation.figures import distances_figure, histograms_figure
from jazz_solo.evaluation.verdict import c2st_section, verdict_lines
from jazz_solo.music.chords import NOTE_NAMES
from jazz_solo.music.pianoroll import save_figure
from jazz_solo.music.solo import Solo, write_solo

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


def _over(found: dict) -> str:
    """What the solos played over, as the report's summary says it."""
    if found.get("tunes"):
        return f"the tunes of {len(found['tunes'])} held-out solos (tunes=)"
    return "the progression played (the checkpoint's, or chords=)"


def write_media(out: Path, solos: list[Solo], sets: dict, curves: dict, audio: bool) -> list:
    """Histograms, distance distributions, and the most and least likely solos as piano roll, MIDI and WAV
    (music/solo.write_solo's files: a solo shown here is byte for byte generate.py's with its seed).

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
        title = f"{label}: log-prob {solo.log_prob:.1f}, seed {solo.seed}"
        kinds = (".png", ".mid", ".wav") if audio else (".png", ".mid")
        files = [write_solo(solo, out / f"{stem}{suffix}", title).name for suffix in kinds]
        shown.append((label, solo, files))
    return shown


def report_markdown(found: dict, shown: list) -> str:
    """The report: a verdict, what was compared, then one table per kind of measure, then pictures and sound."""
    lines = [
        f"# Evaluation of `{found['ckpt']}`",
        "",
        *verdict_lines(found),
        f"{found['n_solos']} solos of {found['length']} values (strategy {found['strategy']}, temperature "
        f"{found['temperature']}, seed {found['seed']}, realise {found['realise']}; model condition "
        f"{found['condition']}) over {_over(found)}, against the "
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
    lines += c2st_section(found)
    lines += [
        f"## Prediction on the validation split ({found['val_targets']} targets)",
        "",
        *_header("model", "cross-entropy (nats)", "perplexity", "top-1 accuracy"),
    ]
    for name, label in (("val", "checkpoint"), ("bigram", "bigram, add-one"), ("unigram", "unigram, add-one")):
        lines.append(_row(label, [found[f"{name}_{k}"] for k in ("cross_entropy", "perplexity", "accuracy")]))
    if "note_perplexity_pitch" in found:  # a note-level tokenizer: a value is a pitch (or rest) and a duration
        lines += ["", "Per note: perplexity of the value, of its pitch alone and of its duration alone.", ""]
        lines += _header("model", "joint", "pitch", "duration", "pitch x duration")
        for prefix, label in (
            ("note_", "checkpoint"),
            ("note_bigram_", "bigram of the values, add-one"),
            ("note_field_bigram_", "bigram of each field's own stream, add-one"),
        ):
            joint, pitch, duration = (found[f"{prefix}perplexity_{r}"] for r in ("joint", "pitch", "duration"))
            lines.append(_row(label, [joint, pitch, duration, pitch * duration]))
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


def report_end(found: dict, licence: str | None) -> str:
    """What report.md ends with: the progression the solos played over (with tunes=, each tune's chords), and
    the corpus's licence notice."""
    tunes = [
        f"- {tune['title']} ({tune['performer']}, {tune['tempo']:g} bpm, {tune['n_solos']} solos): {chords}\n"
        for tune, chords in zip(found.get("tunes") or [], found["progression"])
    ]
    listed = "\n" + "".join(tunes) if tunes else ""
    return f"\nSolos played over: {found['progression_name']}.\n" + listed + (f"\n{licence}\n" if licence else "")
