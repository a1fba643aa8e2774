"""Conditioned sampling: each row keeps its own time on a loop of per-step features.

A conditioned network hears, beside each value, features of the time where that value ends. For
sampling, what is played over is given as tensors (the sampler knows no chords): features per grid
step of one or more loops, the loop each row plays over, and each value's length in grid steps.
A `Clock` keeps every row's time, adds the length of the value the row just played and gathers
the features where it now stands: all on the device, with no host round trip per step, so the
loop stays one CUDA graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass
class Condition:
    """What the rows play over. P loops of up to L grid steps; n rows; V values."""

    features: torch.Tensor  # (P, L, n_features) float: the features at each grid step of each loop
    lengths: torch.Tensor  # (P,) int64: each loop's length in grid steps (<= L; the rest is padding)
    rows: torch.Tensor  # (n,) int64: the loop each row plays over
    durations: torch.Tensor  # (V,) int64: each value's length in grid steps

    @classmethod
    def one_loop(cls, features: torch.Tensor, n: int, durations: torch.Tensor) -> Condition:
        """n rows over one loop of features (L, n_features)."""
        device = features.device
        lengths = torch.tensor([len(features)], device=device)
        return cls(features[None], lengths, torch.zeros(n, dtype=torch.long, device=device), durations.to(device))

    def check(self, n: int, n_values: int, n_features: int) -> None:
        p, length, width = self.features.shape
        if width != n_features or self.durations.shape != (n_values,) or self.rows.shape != (n,):
            raise ValueError(
                f"the condition must give features (P, L, {n_features}), durations ({n_values},) and rows ({n},); "
                f"got {tuple(self.features.shape)}, {tuple(self.durations.shape)}, {tuple(self.rows.shape)}"
            )
        if self.lengths.shape != (p,) or not bool(((self.lengths >= 1) & (self.lengths <= length)).all()):
            raise ValueError(f"each loop's length must be in [1, {length}], got {self.lengths.tolist()}")
        if not bool(((self.rows >= 0) & (self.rows < p)).all()):
            raise ValueError(f"rows must name loops 0 to {p - 1}")

    def repeat_rows(self, times: int) -> Condition:
        """Each row repeated `times` times in place (beam search's rows)."""
        return Condition(self.features, self.lengths, self.rows.repeat_interleave(times), self.durations)

    def chunk(self, rows: slice) -> Condition:
        return Condition(self.features, self.lengths, self.rows[rows], self.durations)


class Clock:
    """Every row's time, and the context rows (n, width) of the table `load` fills, gathered where it stands.

    The table holds one row per grid step of every loop: the raw features, or (fast steppers) their
    product with the input weights, so a step adds a gathered row instead of a matmul.
    """

    def __init__(self, n: int, loops: int, length: int, n_values: int, width: int, device):
        # valid before any load (a CUDA graph is captured from a first run): every row at step 0 of loop 0
        self.table = torch.zeros(loops * length, width, device=device)
        self.durations = torch.zeros(n_values, dtype=torch.long, device=device)
        self.first = torch.zeros(n, dtype=torch.long, device=device)
        self.length = torch.ones(n, dtype=torch.long, device=device)
        self.time, self.step, self.played = (torch.zeros(n, dtype=torch.long, device=device) for _ in range(3))
        self.context = torch.empty(n, width, device=device)
        self.stride = length

    def load(self, condition: Condition, table: torch.Tensor) -> None:
        """table: (P * L, width), the context of each loop step (see the stepper's context_table)."""
        self.table.copy_(table)
        self.durations.copy_(condition.durations)
        torch.mul(condition.rows, self.stride, out=self.first)
        self.length.copy_(condition.lengths[condition.rows])

    def reset(self) -> None:
        self.time.zero_()

    def advance(self, tok: torch.Tensor) -> torch.Tensor:
        """Each row plays its value tok (n,): its time moves on by the value's length. Returns the context
        where the rows now stand (n, width)."""
        self.time.add_(torch.index_select(self.durations, 0, tok, out=self.played))
        torch.remainder(self.time, self.length, out=self.step).add_(self.first)
        return torch.index_select(self.table, 0, self.step, out=self.context)

    def reorder(self, rows: torch.Tensor) -> None:
        self.time.copy_(self.time[rows])
