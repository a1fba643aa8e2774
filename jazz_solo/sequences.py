"""The corpus as value sequences, the leak-free train/val split and windows (torch, no Lightning).

Kept out of data.py, whose DataModule needs Lightning, so evaluation can rebuild the split a
checkpoint was trained on without Lightning's start-up cost.
"""

from __future__ import annotations

import random

import numpy as np
import torch

from jazz_solo.config import DataConfig
from jazz_solo.music.encoding import EncodedCorpus

PAD = -100  # a window step with no value: zero input, no target (cross_entropy's ignore_index)


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


def split_corpus(corpus: EncodedCorpus, cfg: DataConfig) -> tuple[list[list[int]], list[list[int]]]:
    """(train, val) value sequences as data.holdout says (see held_out)."""
    return split_sequences(corpus.sequences, cfg.val_fraction, held_out(corpus, cfg))
