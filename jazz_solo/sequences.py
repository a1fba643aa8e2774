"""The corpus as value sequences, the leak-free train/val split and windows (torch, no Lightning).

Kept out of data.py, whose DataModule needs Lightning, so evaluation can rebuild the split a
checkpoint was trained on without Lightning's start-up cost.
"""

from __future__ import annotations

import random

import numpy as np
import torch

from jazz_solo.config import DataConfig
from jazz_solo.music.chords import Progression
from jazz_solo.music.context import N_FEATURES, Context, progression_contexts, value_contexts, value_steps
from jazz_solo.music.encoding import EncodedCorpus, encode_values

PAD = -100  # a window step with no value: zero input, no target (cross_entropy's ignore_index)
CONDITION_FEATURES = {"none": 0, "chords": N_FEATURES}  # model.condition -> features per step


def exercise_starts(corpus_length: int, Tx: int, m: int, seed: int) -> list[int]:
    """The exercise's window starts: np.random.seed(seed), then m x np.random.choice(len(corpus) - Tx)."""
    rng = np.random.RandomState(seed)
    return [int(rng.choice(corpus_length - Tx)) for _ in range(m)]


def exercise_windows(sequences: list[list[int]], Tx: int, m: int, seed: int) -> torch.Tensor:
    """m windows as the exercise drew them -> (m, Tx + 1) int64: [PAD, v1 .. v(Tx-1), PAD].

    As X = row[:-1] and Y = row[1:]: X[0] is zero, X[t] = v_t and Y[t - 1] = v_t, Y[Tx - 1] has no target.
    """
    corpus = [v for seq in sequences for v in seq]
    rows = [[PAD] + corpus[s + 1 : s + Tx] + [PAD] for s in exercise_starts(len(corpus), Tx, m, seed)]
    return torch.tensor(rows, dtype=torch.long).reshape(m, Tx + 1)


def encode_corpus(cfg: DataConfig, condition: str = "none") -> EncodedCorpus:
    """The corpus `cfg` names as values (music/encoding.py) and, with condition=chords, the context each
    value ends in (music/context.py), walked with the values as kept (as the sampler's clock walks them)."""
    corpus = encode_values(cfg)
    if condition == "chords":
        values = [[corpus.vocab[i] for i in seq] for seq in corpus.sequences]
        contexts = [value_contexts(v, score.progression) for v, score in zip(values, corpus.scores)]
        known: dict[Context, int] = {}
        corpus.contexts = [[known.setdefault(c, len(known)) for c in piece] for piece in contexts]
        corpus.context_table = multi_hot(list(known))
    return corpus


def multi_hot(contexts: list[Context]) -> torch.Tensor:
    """Contexts (each the tuple of its active features) -> (len, N_FEATURES) float32 of 0 and 1."""
    table = torch.zeros(len(contexts), N_FEATURES)
    for row, active in enumerate(contexts):
        table[row, list(active)] = 1
    return table


def progression_features(progression: Progression) -> torch.Tensor:
    """(steps, N_FEATURES): the context at every grid step of one pass of a progression."""
    return multi_hot(progression_contexts(progression))


def durations(vocab: list[str]) -> torch.Tensor:
    """(n_values,) int64: each value's length in grid steps."""
    return torch.tensor([value_steps(v) for v in vocab], dtype=torch.long)


def context_features(windows: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """Windows of context ids (n, T) -> their features (n, T, N_FEATURES); PAD gives zeros."""
    return table[windows.clamp(min=0)] * (windows >= 0)[..., None]


def sliding_windows(sequences: list[list[int]], length: int, stride: int) -> torch.Tensor:
    """All windows of `length` values inside each sequence -> (n_windows, length) int64."""
    rows = [seq[s : s + length] for seq in sequences for s in range(0, len(seq) - length + 1, stride)]
    return torch.tensor(rows, dtype=torch.long).reshape(len(rows), length)


def held_out_pieces(n_pieces: int, val_fraction: float) -> set[int]:
    """Indices of the pieces validation holds out when there are several: evenly spaced."""
    n_val = max(1, round(n_pieces * val_fraction))
    step = n_pieces / n_val
    return {int(step * (i + 0.5)) for i in range(n_val)}


def held_out(corpus: EncodedCorpus, cfg: DataConfig) -> set[int]:
    """The pieces validation holds out (data.holdout): evenly spaced, or whole pieces or whole performers
    drawn from data.seed, about val_fraction of the pieces (performers: at least that, at least one)."""
    n = len(corpus.sequences)
    n_val = max(1, round(n * cfg.val_fraction))
    rng = random.Random(cfg.seed)
    if cfg.holdout == "spaced":
        return held_out_pieces(n, cfg.val_fraction)
    if cfg.holdout == "solos":
        return set(rng.sample(range(n), n_val))
    chosen: set[int] = set()
    for group in rng.sample(sorted(set(corpus.groups)), len(set(corpus.groups))):
        if len(chosen) >= n_val:
            break
        chosen |= {i for i, g in enumerate(corpus.groups) if g == group}
    return chosen


def split_sequences(
    sequences: list[list[int]], val_fraction: float, held: set[int] | None = None
) -> tuple[list[list[int]], list[list[int]]]:
    """(train, val): whole sequences held out (`held`, default evenly spaced), or the tail of a single one."""
    if len(sequences) == 1:
        seq = sequences[0]
        cut = len(seq) - max(1, round(len(seq) * val_fraction))
        return [seq[:cut]], [seq[cut:]]
    val_idx = held_out_pieces(len(sequences), val_fraction) if held is None else held
    train = [s for i, s in enumerate(sequences) if i not in val_idx]
    val = [s for i, s in enumerate(sequences) if i in val_idx]
    return train, val
