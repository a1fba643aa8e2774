"""What a chord-conditioned network hears, and where values may start, as tensors: the one copy of where
each value ends.

music/context.py says, in plain Python, which features are active at each grid step of a
progression and at the end of each value. This module turns that into what the network and the
sampler read: multi-hot feature rows, each value's length in grid steps (and its pitch and length
groups, for model.shared), and the features heard with each input value of a sequence (the context of
the time where that value ends, on its row's loop). The sampler's Clock (sampling/condition.py) and its
numba kernel walk the same time one step at a time; tests hold them to `step_features`. `onset_grid`
tells the sampler which values keep a solo's onsets on the corpus's grid (sampling/grid.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from jazz_solo.music.chords import Progression
from jazz_solo.music.context import (
    GRID,
    N_FEATURES,
    N_TEMPO_FEATURES,
    Context,
    on_grid,
    progression_contexts,
    value_steps,
)
from jazz_solo.music.grammar import REST
from jazz_solo.music.tokenizers import field_groups
from jazz_solo.sampling.condition import Condition
from jazz_solo.sampling.grid import Grid

# model.condition -> features per step: the first n of a context's (music/context.py)
CONDITION_FEATURES = {"none": 0, "chords": N_FEATURES, "chords_tempo": N_TEMPO_FEATURES}


def multi_hot(contexts: Sequence[Context], n_features: int) -> torch.Tensor:
    """Contexts (each the tuple of its active features) -> (len, n_features) float32 of 0 and 1: the
    features a network of CONDITION_FEATURES[condition] == n_features hears (those past it dropped)."""
    table = torch.zeros(len(contexts), n_features)
    for row, active in enumerate(contexts):
        table[row, [f for f in active if f < n_features]] = 1
    return table


def progression_features(progression: Progression, n_features: int) -> torch.Tensor:
    """(steps, n_features): the context at every grid step of one pass of a progression."""
    return multi_hot(progression_contexts(progression), n_features)


def durations(vocab: list[str]) -> torch.Tensor:
    """(n_values,) int64: each value's length in grid steps."""
    return torch.tensor([value_steps(v) for v in vocab], dtype=torch.long)


def value_groups(vocab: list[str]) -> torch.Tensor:
    """(2, n_values) int64: each value's group by its pitch (or role) and by its length, the rows a
    model.shared network adds to each value's own weights (net.SharedRows)."""
    return torch.tensor(field_groups(vocab), dtype=torch.long)


def context_features(windows: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """Windows of context ids (n, T) -> their features (n, T, n_features); a negative id (PAD) gives zeros."""
    return table[windows.clamp(min=0)] * (windows >= 0)[..., None]


def progression_condition(progression: Progression, vocab: list[str], n: int, device, n_features: int) -> Condition:
    """n rows over the progression's loop, each from its start, for a network over `vocab` that hears
    n_features a step."""
    return Condition.one_loop(progression_features(progression, n_features).to(device), n, durations(vocab))


def step_features(condition: Condition, tokens: torch.Tensor) -> torch.Tensor:
    """The features heard with each input value: tokens (n, L) int64 -> (n, L, n_features).

    Row i plays from time 0 over loop condition.rows[i]; value t is heard with the features of the
    grid step where it ends (its own length added), wrapped around the loop.
    """
    ends = condition.durations[tokens].cumsum(1) % condition.lengths[condition.rows][:, None]
    return condition.features[condition.rows[:, None], ends]


def onset_grid(vocab: list[str]) -> Grid:
    """Which values keep a solo's note onsets on the 1/4 + 1/3 beat grid: allowed (GRID, n_values), whether a
    value may be played at each step of the beat.

    A note starts only on the grid, and may end anywhere: a player's note lasts as long as it was played,
    and a rest then leads to the next onset. A rest must end on the grid (a note follows it). From a step off
    the grid (after a note that ended there) only a rest back to the grid is allowed, or where the vocabulary
    has none, any value that ends on the grid (as from a primer that left it).
    """
    steps = durations(vocab)
    on = torch.tensor([on_grid(step) for step in range(GRID)])
    ends_on = on[(torch.arange(GRID)[:, None] + steps) % GRID]  # (GRID, n_values)
    rest = torch.tensor([value.split(",")[0] == REST for value in vocab])
    allowed = torch.where(rest, ends_on, on[:, None])
    stuck = ~allowed.any(1)
    allowed[stuck] = ends_on[stuck]
    return Grid(allowed, steps)
