"""Values -> tensors: the corpus as shifted windows of value indices, in a LightningDataModule.

A window of Tx + 1 consecutive values gives X = the first Tx and Y = the last Tx, both as value
indices: Y[t] is the value after X[t]. The network reads X as one-hot vectors (Tx, n_values),
by row lookup (net.py), so no one-hot batch is built. With `model.condition=chords` a batch also holds
each input step's features (Tx, N_FEATURES): the context the value ends in (music/context.py), kept
as windows of context ids beside the value windows, cut by the same rules, and looked up per batch.

Train/val split without leaks: with several pieces, whole pieces are held out (evenly
spaced); with one piece, its last `val_fraction` is. No value position of the val set is
inside any train window.

Training windows (`data.windows`): `sliding` takes every window of the training split
(`stride` apart); `exercise` draws them as the classic exercise did: the training values
joined into one corpus, m window starts drawn with replacement (numpy's legacy generator
seeded with data.seed, so seed 0 gives the exercise's own starts), the first input step
zeroed and the last step left without a target (PAD). Validation always uses sliding windows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from jazz_solo.config import DataConfig
from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import Progression
from jazz_solo.music.corpus import default_backing
from jazz_solo.sequences import (
    context_features,
    encode_corpus,
    exercise_windows,
    held_out,
    sliding_windows,
    split_sequences,
)


def median(counts: Counter) -> int | None:
    """The median of values given as value -> count (the lower middle one of an even count); None if empty."""
    middle, seen = sum(counts.values()) // 2, 0
    for value in sorted(counts):
        seen += counts[value]
        if seen > middle:
            return value
    return None


class WindowDataset(Dataset):
    """Indexed by a list of window numbers (batched fetch): returns (X, Y), both (batch, Tx) int64,
    and with contexts the features of X's steps, (batch, Tx, N_FEATURES) float32.

    X holds PAD (a zero input) where the exercise's windows zero their first step.
    """

    def __init__(self, windows: torch.Tensor, contexts: torch.Tensor | None = None, table: torch.Tensor | None = None):
        self.windows = windows  # (n_windows, Tx + 1) value indices
        self.contexts, self.table = contexts, table  # (n_windows, Tx + 1) context ids, (n_contexts, N_FEATURES)

    def __len__(self) -> int:
        return len(self.windows)

    def __getitem__(self, index: list[int]) -> tuple[torch.Tensor, ...]:
        rows = self.windows[index]
        if self.contexts is None:
            return rows[:, :-1], rows[:, 1:]
        return rows[:, :-1], rows[:, 1:], context_features(self.contexts[index][:, :-1], self.table)


class EpochBatches(Sampler):
    """Batches of window indices (lists), in an order drawn anew each epoch from (seed, epoch) alone.

    Lightning calls set_epoch before each epoch. With its own generator instead of torch's global one,
    a resumed run (ckpt_path=last) sees the same batches as an uninterrupted run with the same seed.
    """

    def __init__(self, n: int, batch_size: int, shuffle: bool, seed: int = 0):
        self.n, self.batch_size, self.shuffle, self.seed = n, batch_size, shuffle, seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return -(-self.n // self.batch_size)

    def __iter__(self) -> Iterator[list[int]]:
        if self.shuffle:
            generator = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
            order = torch.randperm(self.n, generator=generator)
        else:
            order = torch.arange(self.n)
        for start in range(0, self.n, self.batch_size):
            yield order[start : start + self.batch_size].tolist()


class JazzDataModule(pl.LightningDataModule):
    def __init__(self, cfg: DataConfig, condition: str = "none"):
        super().__init__()
        self.cfg, self.condition = cfg, condition
        self.vocab: list[str] = []  # index -> value (indices_values)
        self.value_counts: list[int] = []  # training-split count of each value
        self.backing: Progression | None = None
        self.home: int | None = None  # median pitch of the training pieces
        self.train_set: WindowDataset | None = None
        self.val_set: WindowDataset | None = None

    @property
    def n_values(self) -> int:
        return len(self.vocab)

    def setup(self, stage: str | None = None) -> None:
        if self.train_set is not None:
            return
        cfg = self.cfg
        corpus = encode_corpus(cfg, self.condition)
        sequences, self.vocab = corpus.sequences, corpus.vocab
        held = held_out(corpus, cfg) if len(sequences) > 1 else None
        train, val = split_sequences(sequences, cfg.val_fraction, held)
        counts = Counter(i for seq in train for i in seq)
        self.value_counts = [counts[i] for i in range(len(self.vocab))]
        # One source piece: play over its own chords; a corpus: over the embedded ii-V-I.
        self.backing = corpus.scores[0].progression if len(sequences) == 1 else default_backing(cfg.seed)
        pitches = Counter()  # of the training pieces' notes
        for i, piece in enumerate(corpus.pitches):
            if held is None or i not in held:
                pitches.update(piece)
        self.home = median(pitches)  # the register solos are realised around
        where = cfg.path or "the embedded corpus"
        exercise = cfg.windows == "exercise" and sum(map(len, train)) > cfg.Tx

        def windows(sequences: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
            """(train, val) windows of these per-piece sequences (values, or context ids beside them)."""
            train, val = split_sequences(sequences, cfg.val_fraction, held)
            if exercise:
                return exercise_windows(train, cfg.Tx, cfg.m, cfg.seed), sliding_windows(val, cfg.Tx + 1, 1)
            return sliding_windows(train, cfg.Tx + 1, cfg.stride), sliding_windows(val, cfg.Tx + 1, cfg.val_stride)

        train_windows, val_windows = windows(sequences)
        if len(train_windows) == 0 or len(val_windows) == 0:
            longest = max(len(s) for s in sequences)
            raise JazzSoloError(
                f"{where}: too short for data.Tx={cfg.Tx} (longest piece has {longest} values; "
                f"train and val each need a piece of at least Tx + 1 = {cfg.Tx + 1})"
            )
        train_contexts, val_contexts = windows(corpus.contexts) if corpus.contexts is not None else (None, None)
        self.train_set = WindowDataset(train_windows, train_contexts, corpus.context_table)
        self.val_set = WindowDataset(val_windows, val_contexts, corpus.context_table)

    def _loader(self, dataset: WindowDataset, shuffle: bool) -> DataLoader:
        # batch_size=None + a batch sampler: the dataset builds each batch in one indexing op. The loader's
        # own generator keeps its iterators from drawing on torch's global random state (see EpochBatches).
        batches = EpochBatches(len(dataset), self.cfg.batch_size, shuffle, seed=torch.initial_seed())
        return DataLoader(dataset, batch_size=None, sampler=batches, generator=torch.Generator())

    def train_dataloader(self) -> DataLoader:
        return self._loader(self.train_set, shuffle=True)

    def val_dataloader(self) -> DataLoader:
        return self._loader(self.val_set, shuffle=False)

    def describe(self) -> dict:
        """What a checkpoint must carry to generate without the data (plain containers)."""
        return {
            "data": asdict(self.cfg),
            "vocab": list(self.vocab),
            "value_counts": list(self.value_counts),
            "backing": self.backing.to_dict(),
            "home": self.home,
        }
