"""Values -> tensors: windows of value indices, as training and the teacher-forced scores read them."""

from __future__ import annotations

import numpy as np
import torch

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


def val_stride(windows: str, stride: int, train: list[list[int]], Tx: int) -> int:
    """The step between the validation windows training scores: data.val_stride, or 1 where the exercise's
    windows train (on a training split longer than Tx). evaluate.py scores the same windows."""
    return 1 if windows == "exercise" and sum(map(len, train)) > Tx else stride


def sliding_windows(sequences: list[list[int]], length: int, stride: int) -> torch.Tensor:
    """All windows of `length` values inside each sequence -> (n_windows, length) int64."""
    rows = [seq[s : s + length] for seq in sequences for s in range(0, len(seq) - length + 1, stride)]
    return torch.tensor(rows, dtype=torch.long).reshape(len(rows), length)
