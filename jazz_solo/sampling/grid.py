"""Keeping each row's time on a grid: at every step a row may choose only the values that end on it.

The sampler knows no music: it is told, as tensors, which values a row may play at each position of
a period (say, the 12 steps of a beat) and each value's length in those steps. A `GridClock` keeps
every row's time and, before each choice, adds 0 or -inf to each value's logit by where the row
stands, so the choice is drawn from the network's distribution renormalised over the allowed
values, and the log-probability reported is under that renormalised distribution. On the device,
with no host round trip per step: the loop stays one CUDA graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from jazz_solo.sampling.steppers import logit_width


@dataclass
class Grid:
    """Which values each row may play where. G positions in the period; V values."""

    allowed: torch.Tensor  # (G, V) bool: a row at position g (its time modulo G) may play value v
    durations: torch.Tensor  # (V,) int64: each value's length in positions

    def check(self, n_values: int) -> None:
        g = self.allowed.shape[0]
        if self.allowed.shape != (g, n_values) or g < 1 or self.durations.shape != (n_values,):
            raise ValueError(
                f"the grid must give allowed (G, {n_values}) and durations ({n_values},); "
                f"got {tuple(self.allowed.shape)}, {tuple(self.durations.shape)}"
            )

    def within(self, mask: torch.Tensor | None) -> Grid:
        """The grid beside `mask` (V,) bool, values never chosen: at a position where the two together would
        leave no value, the grid gives way (allows every value there) rather than leave the row stuck."""
        banned = ~self.allowed if mask is None else ~self.allowed | mask.to(self.allowed.device, torch.bool)
        stuck = banned.all(1, keepdim=True)  # (G, 1)
        return Grid(self.allowed | stuck, self.durations)

    def to(self, device) -> Grid:
        return Grid(self.allowed.to(device), self.durations.to(device))

    def positions(self, tokens: torch.Tensor) -> torch.Tensor:
        """Where each row stands after each of its values, played from time 0: tokens (n, L) -> (n, L) int64."""
        return self.durations.to(tokens.device)[tokens].cumsum(1) % self.allowed.shape[0]

    def penalty(self) -> torch.Tensor:
        """(G, V) float32: 0 where a value is allowed, -inf where not (added to the logits)."""
        zero = torch.zeros((), device=self.allowed.device)
        return torch.where(self.allowed, zero, float("-inf"))


class GridClock:
    """Every row's time; `restrict` bans from its logits the values the grid does not allow where it stands."""

    def __init__(self, n: int, period: int, n_values: int, device):
        # valid before any load (a CUDA graph is captured from a first run): every value allowed everywhere
        self.penalty = torch.zeros(period, logit_width(n_values), device=device)  # padding columns: 0, the head's -inf
        self.durations = torch.zeros(n_values, dtype=torch.long, device=device)
        self.time, self.position, self.played = (torch.zeros(n, dtype=torch.long, device=device) for _ in range(3))
        self.here = torch.empty(n, logit_width(n_values), device=device)
        self.n_values, self.period = n_values, period

    def load(self, grid: Grid) -> None:
        """grid: already `within` the sampler's mask, so every position allows a value."""
        self.penalty[:, : self.n_values].copy_(grid.penalty())
        self.durations.copy_(grid.durations)

    def reset(self) -> None:
        self.time.zero_()

    def advance(self, tok: torch.Tensor) -> None:
        """Each row plays its value tok (n,): its time moves on by the value's length."""
        self.time.add_(torch.index_select(self.durations, 0, tok, out=self.played))

    def restrict(self, logits: torch.Tensor) -> None:
        """logits (n, logit_width) += 0 or -inf, by the values allowed where each row stands."""
        torch.remainder(self.time, self.period, out=self.position)
        logits.add_(torch.index_select(self.penalty, 0, self.position, out=self.here))

    def reorder(self, rows: torch.Tensor) -> None:
        self.time.copy_(self.time[rows])
