"""The corpus as value sequences, the leak-free train/val split and windows (torch, no Lightning).

Kept out of data.py, whose DataModule needs Lightning, so evaluation can rebuild the split a
checkpoint was trained on without Lightning's start-up cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from jazz_solo.config import DataConfig
from jazz_solo.music.score import Score, load_scores, over_progression
from jazz_solo.music.tokenizers import get_tokenizer

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


@dataclass
class EncodedCorpus:
    scores: list[Score]  # one per piece
    vocab: list[str]  # index -> value, sorted
    sequences: list[list[int]]  # one per piece: value indices


def encode_corpus(cfg: DataConfig) -> EncodedCorpus:
    """Read the corpus `cfg` names and encode each piece with its tokenizer."""
    tokenizer = get_tokenizer(cfg.tokenizer)
    scores = load_scores(cfg.path, cfg.solo, cfg.start, cfg.end, cfg.chords_from, cfg.lengths)
    if cfg.chords is not None:
        scores = [over_progression(score, cfg.chords) for score in scores]
    encoded = [tokenizer.encode(score) for score in scores]
    vocab = sorted({v for values in encoded for v in values})
    index = {v: i for i, v in enumerate(vocab)}
    return EncodedCorpus(scores, vocab, [[index[v] for v in values] for values in encoded])


def sliding_windows(sequences: list[list[int]], length: int, stride: int) -> torch.Tensor:
    """All windows of `length` values inside each sequence -> (n_windows, length) int64."""
    rows = [seq[s : s + length] for seq in sequences for s in range(0, len(seq) - length + 1, stride)]
    return torch.tensor(rows, dtype=torch.long).reshape(len(rows), length)


def held_out_pieces(n_pieces: int, val_fraction: float) -> set[int]:
    """Indices of the pieces validation holds out when there are several: evenly spaced."""
    n_val = max(1, round(n_pieces * val_fraction))
    step = n_pieces / n_val
    return {int(step * (i + 0.5)) for i in range(n_val)}


def split_sequences(sequences: list[list[int]], val_fraction: float) -> tuple[list[list[int]], list[list[int]]]:
    """(train, val): evenly spaced whole sequences held out, or the tail of a single one."""
    if len(sequences) == 1:
        seq = sequences[0]
        cut = len(seq) - max(1, round(len(seq) * val_fraction))
        return [seq[:cut]], [seq[cut:]]
    val_idx = held_out_pieces(len(sequences), val_fraction)
    train = [s for i, s in enumerate(sequences) if i not in val_idx]
    val = [s for i, s in enumerate(sequences) if i in val_idx]
    return train, val
