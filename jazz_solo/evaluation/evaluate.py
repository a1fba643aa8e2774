"""Evaluation: a checkpoint against its own corpus and two baselines -> metrics.json, report.md, plots, audio.

Imports neither Lightning nor wandb, so `evaluate.py` starts fast. The corpus is read again from
the checkpoint's data settings and split as in training (same vocabulary, same held-out pieces).

Sets compared (the measures themselves are in metrics.py; report.md and its figures are writeup.py's):
    solos     n solos sampled from the checkpoint over its progression (or `chords=`, as generate's, or with
              `tunes=` the tunes of held-out WJazzD solos: played.py), with the SamplingConfig settings
              generate.py takes (length or bars or choruses, tempo, ...);
    corpus    the training split, its pieces cut into `segment_bars`-bar pieces over their own chords;
    held-out  the validation split, cut the same way: what a model that had learnt the corpus's
              style perfectly would score, so its figures are the ones to aim at.

metrics.json is one flat object (null where too few pieces qualify; with tunes=, progression and tunes are lists). Keys:
    ckpt, ckpt_sha256, n_solos, length, strategy, temperature, seed, realise, condition, chords (as given),
    progression (the chords played, bar by bar), progression_name, tunes (with tunes=: id, title, performer,
    tempo, n_solos of each; progression then lists each tune's chords), segment_bars,
    n_corpus_pieces, n_heldout_pieces, n_heldout_windows, val_targets, mean_log_prob
    val_cross_entropy, val_perplexity, val_accuracy        the model on the validation windows
    unigram_* , bigram_*  (same three)                     baselines fitted on the training split
    note_perplexity_R, note_accuracy_R, note_bigram_perplexity_R, note_field_bigram_perplexity_R
                                                           for a note-level tokenizer (pitch), each reading R
                                                           of joint, pitch, duration (per_note.py)
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
    c2st_*   the classifier two-sample test, solos against held-out solos (c2st.py): c2st_accuracy, c2st_auc,
             c2st_control_accuracy, the top features that give the solos away, c2st_reason when null
    segment_F, heldout_segment_F   each classifier feature F's mean over the solos' and the held-out
                                   segments (c2st.segment_summary), and segment_mean_pitch_spread
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
from jazz_solo.checkpoint import Checkpoint, load_checkpoint, resolve_checkpoint
from jazz_solo.conditioning import CONDITION_FEATURES, context_features, multi_hot
from jazz_solo.config import DataConfig, EvaluateConfig
from jazz_solo.corpus import wjazzd
from jazz_solo.corpus.encoding import EncodedCorpus, encode_values
from jazz_solo.corpus.split import held_out, split_sequences
from jazz_solo.errors import JazzSoloError
from jazz_solo.evaluation import metrics as M
from jazz_solo.evaluation import ngrams
from jazz_solo.evaluation.c2st import c2st_metrics
from jazz_solo.evaluation.per_note import note_metrics
from jazz_solo.evaluation.played import played_solos
from jazz_solo.evaluation.writeup import FEW_PIECES, NGRAM, PREFIX, few_pieces, report_end, report_markdown, write_media
from jazz_solo.music.tokenizers import get_tokenizer
from jazz_solo.net import SoloNet
from jazz_solo.pretrained import PRETRAINED_PREFIX, is_pretrained
from jazz_solo.runs import file_record, own_folder, write_json
from jazz_solo.scoring import step_log_probs
from jazz_solo.windows import sliding_windows, val_stride

log = logging.getLogger(__name__)


@dataclass
class Evaluation:
    metrics: dict  # as in metrics.json
    folder: Path
    report: Path  # report.md


def default_out(ckpt: str | os.PathLike) -> Path:
    """`evaluation/` in the run folder of a checkpoint in `<run>/checkpoints/`, else beside the checkpoint;
    for pretrained:NAME outputs/pretrained/NAME/evaluation (beside its file is inside the installed package)."""
    if is_pretrained(ckpt):
        return Path("outputs") / "pretrained" / str(ckpt).removeprefix(PRETRAINED_PREFIX) / "evaluation"
    folder = resolve_checkpoint(ckpt).resolve().parent
    return (folder.parent if folder.name == "checkpoints" else folder) / "evaluation"


def model_scores(
    net: SoloNet, windows: torch.Tensor, features: torch.Tensor | None = None, batch_size: int = 512
) -> dict[str, float]:
    """Teacher-forced scores on windows (n, Tx + 1): inputs the first Tx values (and, for a conditioned
    network, their features (n, Tx, n_features)), targets the last Tx."""
    log_probs, top = step_log_probs(net, windows.to(next(net.parameters()).device), features, batch_size=batch_size)
    return ngrams.prediction_scores(-log_probs.flatten().cpu().numpy(), top.flatten().cpu().numpy())


def prediction_metrics(
    net: SoloNet,
    train: list[list[int]],
    val: list[list[int]],
    data: DataConfig,
    vocab: list[str],
    contexts: tuple | None = None,
) -> dict:
    """The model and the unigram / bigram baselines on the validation windows training used (every
    val_stride-th), so that val_cross_entropy is the checkpoint's val_loss; for a note-level tokenizer,
    per-note perplexities too (per_note.py).

    contexts: for a conditioned network, (the validation split's context ids per piece, their table).
    """
    stride = val_stride(data.windows, data.val_stride, train, data.Tx)
    windows = sliding_windows(val, data.Tx + 1, stride)
    features = None
    if contexts is not None:
        val_contexts, table = contexts
        features = context_features(sliding_windows(val_contexts, data.Tx + 1, stride)[:, :-1], table)
    previous, targets = windows[:, :-1].flatten().numpy(), windows[:, 1:].flatten().numpy()
    found = {"val_targets": len(targets)}
    scores = {
        "val": model_scores(net, windows, features),
        "unigram": ngrams.ngram_scores(ngrams.unigram_log_probs(train, net.n_values), previous, targets),
        "bigram": ngrams.ngram_scores(ngrams.bigram_log_probs(train, net.n_values), previous, targets),
    }
    for name, values in scores.items():
        found |= {f"{name}_{key}": value for key, value in values.items()}
    if get_tokenizer(data.tokenizer).note_level:
        found |= note_metrics(net, vocab, windows, train, features)
    return found


def training_corpus(ckpt: Checkpoint) -> tuple[DataConfig, EncodedCorpus]:
    """The checkpoint's data settings, reading its corpus where it is here (wjazzd.corpus_path), and that
    corpus read and encoded again; it must give the vocabulary training saw."""
    spec = ckpt.spec
    data = DataConfig(**{**spec.data, "path": wjazzd.corpus_path(spec.data, spec.licence, ckpt.name)})
    try:
        corpus = encode_values(data, spec.condition)
    except JazzSoloError as err:
        raise JazzSoloError(f"{ckpt.name}: cannot read its training corpus ({err})") from None
    if corpus.vocab != ckpt.vocab:
        where = data.path or "the embedded corpus"
        raise JazzSoloError(
            f"{ckpt.name}: its training corpus ({where}) no longer gives the vocabulary it was trained on"
        )
    return data, corpus


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
    # One piece: training kept its first values; they end where their decoded notes end (any realise's).
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


def evaluate(cfg: EvaluateConfig) -> Evaluation:
    """Generate cfg.n solos, measure them and the model against the corpus, write the report folder."""
    started = time.perf_counter()
    out = Path(cfg.out) if cfg.out else default_out(cfg.ckpt)
    if out.exists() and not out.is_dir():
        raise JazzSoloError(f"{out}: exists and is not a folder")
    taken = [out / name for name in ("report.md", "metrics.json") if (out / name).exists()]
    if taken and not cfg.overwrite:
        raise JazzSoloError(f"{taken[0]}: exists (choose another out= or pass overwrite=true)")
    ckpt = load_checkpoint(cfg.ckpt, cfg.device)  # named as given in messages (a run folder, pretrained:NAME)
    cfg.ckpt = str(resolve_checkpoint(cfg.ckpt))
    data, corpus = training_corpus(ckpt)
    held = held_out(corpus, data) if len(corpus.sequences) > 1 else None
    train, val = split_sequences(corpus.sequences, data.val_fraction, held)
    contexts = None
    if corpus.contexts is not None:
        table = multi_hot(corpus.context_keys, CONDITION_FEATURES[ckpt.spec.condition])
        contexts = (split_sequences(corpus.contexts, data.val_fraction, held)[1], table)
    found: dict = {"ckpt": str(cfg.ckpt), "ckpt_sha256": file_record(resolve_checkpoint(cfg.ckpt))["sha256"]}
    solos, played = played_solos(ckpt, cfg, corpus, held)
    length = int(np.median([len(s.values) for s in solos]))  # cfg.length, unless cfg.bars or cfg.choruses
    found |= {"n_solos": cfg.n, "length": length, "strategy": cfg.strategy}
    found |= {"temperature": cfg.temperature, "seed": cfg.seed, "realise": cfg.realise}
    found |= {"condition": ckpt.spec.condition, "chords": cfg.chords} | played
    found |= prediction_metrics(ckpt.net, train, val, data, ckpt.vocab, contexts)
    log.info("validation: model perplexity %.2f, bigram %.2f", found["val_perplexity"], found["bigram_perplexity"])

    found["mean_log_prob"] = float(np.mean([s.log_prob for s in solos]))
    pieces = [M.Piece(s.notes, s.progression) for s in solos]  # with tunes=, each over its own tune
    bars = cfg.segment_bars or max(1, int(np.median([math.ceil(p.end / p.progression.beats_per_bar) for p in pieces])))
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
    heldout_windows = windows_of(val, length)
    found |= {"segment_bars": bars, "n_corpus_pieces": len(corpus_set), "n_heldout_pieces": len(heldout_set)}
    found["n_heldout_windows"] = len(heldout_windows)

    for key, members in sets.items():
        found |= {f"{PREFIX[key]}{name}": share for name, share in M.jazz_shares(members).items()}
    index = {v: i for i, v in enumerate(ckpt.vocab)}
    generated_values = [[index[v] for v in s.values] for s in solos]
    found |= ngrams.originality(generated_values, train, NGRAM)
    found |= {f"heldout_{k}": v for k, v in ngrams.originality(heldout_windows, train, NGRAM).items()}
    features, curves = feature_metrics(sets)
    found |= features
    # The classifier judges whole solos, cut its own way; a one-piece corpus has only its pieces.
    if held:
        real = [M.Piece(s.notes, s.progression) for i, s in enumerate(corpus.scores) if i in held]
        spare = [M.Piece(s.notes, s.progression) for i, s in enumerate(corpus.scores) if i not in held]
    else:
        real, spare = heldout_set, corpus_set
    tested = time.perf_counter()
    found |= c2st_metrics(pieces, real, bars, cfg.seed, spare)
    accuracy, control = found["c2st_accuracy"], found["c2st_control_accuracy"]
    shown = [f"{x:.3f}" if x is not None else "none" for x in (accuracy, control)]
    log.info("classifier accuracy %s (control %s) in %.1f s", *shown, time.perf_counter() - tested)
    log.info("measured in %.1f s; writing %s", time.perf_counter() - started, out)

    with own_folder(out):
        shown = write_media(out, solos, sets, curves, cfg.audio)
        write_json(out / "metrics.json", found, allow_nan=False)
        report = write_text(out / "report.md", report_markdown(found, shown) + report_end(found, ckpt.spec.licence))
    log.info("done in %.1f s", time.perf_counter() - started)
    return Evaluation(found, out, report)


def evaluate_checkpoint(ckpt_path: str | os.PathLike, n: int = 200, **options) -> dict:
    """Evaluate a checkpoint (options: the other EvaluateConfig fields) and return metrics.json's content."""
    return evaluate(EvaluateConfig(ckpt=str(ckpt_path), n=n, **options)).metrics
