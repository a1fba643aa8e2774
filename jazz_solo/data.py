"""Values -> tensors: the corpus as shifted one-hot windows, in a LightningDataModule.

A window of Tx + 1 consecutive values gives X = the first Tx as one-hot (Tx, n_values)
and Y = the last Tx as class indices: Y[t] is the value after X[t].

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
from jazz_solo.music.encoding import encode_corpus
from jazz_solo.sequences import exercise_windows, sliding_windows, split_corpus


class WindowDataset(Dataset):
    """Indexed by a list of window numbers (batched fetch): returns (X one-hot float, Y int64).

    X: (batch, Tx, n_values) float32; Y: (batch, Tx) int64.
    """

    def __init__(self, windows: torch.Tensor, n_values: int):
        self.windows = windows  # (n_windows, Tx + 1)
        self.n_values = n_values

    def __len__(self) -> int:
        return len(self.windows)

    def __getitem__(self, index: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        rows = self.windows[index]
        inputs = rows[:, :-1]
        x = torch.nn.functional.one_hot(inputs.clamp(min=0), self.n_values) * (inputs >= 0).unsqueeze(-1)
        return x.float(), rows[:, 1:]


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
    def __init__(self, cfg: DataConfig):
        super().__init__()
        self.cfg = cfg
        self.vocab: list[str] = []  # index -> value (indices_values)
        self.value_counts: list[int] = []  # training-split count of each value
        self.backing: Progression | None = None
        self.train_set: WindowDataset | None = None
        self.val_set: WindowDataset | None = None

    @property
    def n_values(self) -> int:
        return len(self.vocab)

    def setup(self, stage: str | None = None) -> None:
        if self.train_set is not None:
            return
        cfg = self.cfg
        corpus = encode_corpus(cfg)
        sequences, self.vocab = corpus.sequences, corpus.vocab
        train, val = split_corpus(corpus, cfg)
        counts = Counter(i for seq in train for i in seq)
        self.value_counts = [counts[i] for i in range(len(self.vocab))]
        # One source piece: play over its own chords; a corpus: over the embedded ii-V-I.
        self.backing = corpus.scores[0].progression if len(sequences) == 1 else default_backing(cfg.seed)
        val_windows = sliding_windows(val, cfg.Tx + 1, 1)
        where = cfg.path or "the embedded corpus"
        if cfg.windows == "exercise" and sum(map(len, train)) > cfg.Tx:
            train_windows = exercise_windows(train, cfg.Tx, cfg.m, cfg.seed)
        else:
            train_windows = sliding_windows(train, cfg.Tx + 1, cfg.stride)
        if len(train_windows) == 0 or len(val_windows) == 0:
            longest = max(len(s) for s in sequences)
            raise JazzSoloError(
                f"{where}: too short for data.Tx={cfg.Tx} (longest piece has {longest} values; "
                f"train and val each need a piece of at least Tx + 1 = {cfg.Tx + 1})"
            )
        self.train_set = WindowDataset(train_windows, self.n_values)
        self.val_set = WindowDataset(val_windows, self.n_values)

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
        }
