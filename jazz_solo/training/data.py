"""Values -> tensors: the corpus as shifted windows of value indices, in a LightningDataModule.

A window of Tx + 1 consecutive values gives X = the first Tx and Y = the last Tx, both as value
indices: Y[t] is the value after X[t]. The network builds its input from the indices (a row lookup,
or one-hot vectors (Tx, n_values) where the vocabulary is small, net.py), so the loader builds none.
With `model.condition=chords` (or chords_tempo) a batch also holds each input step's features (Tx, n_features): the
context the value ends in (music/context.py), kept as windows of context ids beside the value
windows, cut by the same rules, and looked up per batch.

Train/val split without leaks: with several pieces, whole pieces are held out (`data.holdout`:
evenly spaced, or solos or performers drawn from the seed); with one piece, its last `val_fraction`
is. No value position of the val set is inside any train window.

Training windows (`data.windows`): `sliding` takes every window of the training split
(`stride` apart); `exercise` draws them as the classic exercise did: the training values
joined into one corpus, m window starts drawn with replacement (numpy's legacy generator
seeded with data.seed, so seed 0 gives the exercise's own starts), the first input step
zeroed and the last step left without a target (PAD). Validation always uses sliding windows.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from jazz_solo.conditioning import CONDITION_FEATURES, context_features, multi_hot
from jazz_solo.config import DataConfig
from jazz_solo.corpus import wjazzd
from jazz_solo.corpus.download import NOTICE
from jazz_solo.corpus.encoding import encode_values
from jazz_solo.corpus.split import default_progression, held_out, split_sequences
from jazz_solo.corpus.transpose import transpose_split
from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import Progression
from jazz_solo.windows import exercise_windows, sliding_windows, val_stride

log = logging.getLogger(__name__)


def too_short(cfg: DataConfig, train: list[list[int]], val: list[list[int]], one_piece: bool) -> str:
    """Why a split gives no window of Tx + 1 values (the validation split, most often), and what to change.
    one_piece: the corpus is one piece, whose tail is the validation split (else whole pieces are held out)."""
    need, longest_train, longest_val = cfg.Tx + 1, max(map(len, train)), max(map(len, val))
    if longest_val < need:
        split = "the validation split " + (
            f"(the last {cfg.val_fraction:.0%} of the piece: {longest_val} of {longest_train + longest_val} values)"
            if one_piece
            else f"(held-out pieces; the longest has {longest_val} values)"
        )
    else:
        split = f"the training split (longest piece: {longest_train} values)"
    hints = []
    if min(longest_train, longest_val) - 1 >= 2:
        hints.append(f"lower data.Tx to {min(longest_train, longest_val) - 1} or less")
    if longest_val < need:
        total = longest_train + longest_val
        fraction = math.ceil(need / total * 100) / 100 if one_piece else None
        if fraction is None and longest_train >= need:  # a longer piece may be held out instead
            hints.append("raise data.val_fraction (more pieces held out)")
        elif fraction is not None and fraction < 1 and total - max(1, round(total * fraction)) >= need:
            hints.append(f"raise data.val_fraction to {fraction:g} or more")
    advice = "; " + " or ".join(hints) if hints else "; the corpus is too short to train on"
    return f"too short for data.Tx={cfg.Tx}: {split} needs at least Tx + 1 = {need} values{advice}"


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
    and with contexts the features of X's steps, (batch, Tx, n_features) float32.

    X holds PAD (a zero input) where the exercise's windows zero their first step.
    """

    def __init__(self, windows: torch.Tensor, contexts: torch.Tensor | None = None, table: torch.Tensor | None = None):
        self.windows = windows  # (n_windows, Tx + 1) value indices
        self.contexts, self.table = contexts, table  # (n_windows, Tx + 1) context ids, (n_contexts, n_features)

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
    With several processes (DDP) process `rank` takes every `world_size`-th batch, the last ones repeated
    so all get as many (as torch's DistributedSampler does; Lightning's own is off, see training.py).
    `done()`, asked when an epoch's iteration starts, is how many of this process's batches were trained
    before the run was interrupted (0 but in a resumed epoch): those are skipped.
    """

    def __init__(
        self,
        n: int,
        batch_size: int,
        shuffle: bool,
        seed: int = 0,
        done: Callable[[], int] = lambda: 0,
        rank: int = 0,
        world_size: int = 1,
    ):
        self.n, self.batch_size, self.shuffle, self.seed, self.done = n, batch_size, shuffle, seed, done
        self.rank, self.world_size = rank, world_size
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:  # batches this process takes an epoch
        return math.ceil(math.ceil(self.n / self.batch_size) / self.world_size)

    def __iter__(self) -> Iterator[list[int]]:
        if self.shuffle:
            # modulo 2**63: an unseeded process's torch.initial_seed() is any 64-bit number
            generator = torch.Generator().manual_seed((self.seed * 1_000_003 + self.epoch) % (1 << 63))
            order = torch.randperm(self.n, generator=generator)
        else:
            order = torch.arange(self.n)
        starts = list(range(0, self.n, self.batch_size))
        starts += starts[: len(self) * self.world_size - len(starts)]  # as many batches for every process
        for start in starts[self.rank :: self.world_size][self.done() :]:
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
        self.split_values = (0, 0)  # values in the training and the validation split

    @property
    def n_values(self) -> int:
        return len(self.vocab)

    def setup(self, stage: str | None = None) -> None:
        if self.train_set is not None:
            return
        cfg = self.cfg
        corpus = encode_values(cfg, self.condition)
        sequences, self.vocab = corpus.sequences, corpus.vocab
        held = held_out(corpus, cfg) if len(sequences) > 1 else None
        train, val = split_sequences(sequences, cfg.val_fraction, held)
        counts = Counter(i for seq in train for i in seq)
        self.value_counts = [counts[i] for i in range(len(self.vocab))]
        self.backing = default_progression(corpus, cfg, held)
        pitches = Counter()  # of the training pieces' notes
        for i, piece in enumerate(corpus.pitches):
            if held is None or i not in held:
                pitches.update(piece)
        self.home = median(pitches)  # the register solos are realised around
        where = cfg.path or "the embedded corpus"
        exercise = cfg.windows == "exercise" and sum(map(len, train)) > cfg.Tx

        def windows(train: list[list[int]], val: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
            """(train, val) windows of these split sequences (values, or context ids beside them)."""
            valid = sliding_windows(val, cfg.Tx + 1, val_stride(cfg.windows, cfg.val_stride, train, cfg.Tx))
            if exercise:
                return exercise_windows(train, cfg.Tx, cfg.m, cfg.seed), valid
            return sliding_windows(train, cfg.Tx + 1, cfg.stride), valid

        self.split_values = (sum(map(len, train)), sum(map(len, val)))  # the solos as played
        contexts = split_sequences(corpus.contexts, cfg.val_fraction, held) if corpus.contexts else None
        keys = corpus.context_keys
        if cfg.transpose:  # copies of the training solos in other keys; validation stays as played
            more = transpose_split(train, contexts and contexts[0], keys, self.vocab, cfg.tokenizer, cfg.transpose)
            log.info("data.transpose=%d: %d copies of the %d training solos", cfg.transpose, more.copies, len(train))
            train, keys = more.sequences, more.context_keys
            contexts = contexts and (more.contexts, contexts[1])
        train_windows, val_windows = windows(train, val)
        if len(train_windows) == 0 or len(val_windows) == 0:
            raise JazzSoloError(f"{where}: {too_short(cfg, train, val, one_piece=len(sequences) == 1)}")
        train_contexts, val_contexts = windows(*contexts) if contexts else (None, None)
        table = multi_hot(keys, CONDITION_FEATURES[self.condition]) if contexts else None
        self.train_set = WindowDataset(train_windows, train_contexts, table)
        self.val_set = WindowDataset(val_windows, val_contexts, table)

    def _loader(self, dataset: WindowDataset, shuffle: bool, done: Callable[[], int] = lambda: 0) -> DataLoader:
        # batch_size=None + a batch sampler: the dataset builds each batch in one indexing op. The loader's
        # own generator keeps its iterators from drawing on torch's global random state (see EpochBatches).
        rank, world_size = (self.trainer.global_rank, self.trainer.world_size) if self.trainer else (0, 1)
        batches = EpochBatches(
            len(dataset), self.cfg.batch_size, shuffle, torch.initial_seed(), done, rank=rank, world_size=world_size
        )
        return DataLoader(dataset, batch_size=None, sampler=batches, generator=torch.Generator())

    def _batches_done(self) -> int:
        """Training batches of the current epoch done before an interrupt: when a run resumes mid-epoch,
        Lightning counts them as done and expects the rest (0 at the start of every other epoch)."""
        return self.trainer.fit_loop.epoch_loop.batch_progress.current.ready if self.trainer is not None else 0

    def train_dataloader(self) -> DataLoader:
        return self._loader(self.train_set, shuffle=True, done=self._batches_done)

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
            "licence": NOTICE if wjazzd.is_wjazzd(self.cfg.path or "") else None,
        }
