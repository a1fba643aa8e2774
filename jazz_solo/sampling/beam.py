"""Beam search: the `width` most likely continuations of each primer row."""

from __future__ import annotations

import torch

from jazz_solo.net import SoloNet
from jazz_solo.sampling.condition import Clock, Condition
from jazz_solo.sampling.grid import Grid, GridClock
from jazz_solo.sampling.steppers import logit_width


def beam_search(
    stepper,
    net: SoloNet,
    head_bias: torch.Tensor,
    primer: torch.Tensor,
    length: int,
    width: int,
    condition: Condition | None = None,
    grid: Grid | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The `width` most likely continuations of each primer row (n, P), by total log-probability.

    condition: what the rows play over, when the network is conditioned; grid: the values allowed where
    each beam stands (grid.py), its scores then under the distribution renormalised over them.

    Returns tokens (n, width, length) and their log-probability (n, width), best first.
    """
    n, p = primer.shape
    v, steps, device = net.n_values, length - p, primer.device
    stepper.load(net, head_bias)
    stepper.reset()
    clock = None
    if condition is not None:  # every beam of a row plays over the row's loop
        beams = condition.repeat_rows(width)
        loops, steps_in_loop, _ = condition.features.shape
        clock = Clock(n * width, loops, steps_in_loop, v, stepper.context_width, device)
        clock.load(beams, stepper.context_table(condition.features.flatten(0, 1)))  # time 0: as made
    grid_clock = None
    if grid is not None:
        grid_clock = GridClock(n * width, len(grid.allowed), v, device)
        grid_clock.load(grid)
    logits = torch.empty(n * width, logit_width(v), device=device)

    def feed(tok: torch.Tensor) -> None:
        stepper.feed(tok, logits, None if clock is None else clock.advance(tok))
        if grid_clock is not None:
            grid_clock.advance(tok)

    for tok in primer.repeat_interleave(width, 0).T:
        feed(tok)
    scores = torch.full((n, width), float("-inf"), device=device)
    scores[:, 0] = 0  # the beams start identical: expand one of them only
    history = torch.empty(n, width, steps, dtype=torch.long, device=device)
    first_row = torch.arange(n, device=device)[:, None] * width
    for s in range(steps):
        if grid_clock is not None:
            grid_clock.restrict(logits)
        candidates = scores[:, :, None] + torch.log_softmax(logits[:, :v], -1).view(n, width, v)
        scores, best = candidates.view(n, width * v).topk(width, 1)
        parent, tok = best // v, best % v
        history = history.gather(1, parent[:, :, None].expand(-1, -1, steps))
        history[:, :, s] = tok
        rows = (first_row + parent).view(-1)
        stepper.reorder(rows)
        for row_clock in (clock, grid_clock):
            if row_clock is not None:
                row_clock.reorder(rows)
        if s + 1 < steps:
            feed(tok.view(-1))
    tokens = torch.cat([primer[:, None].expand(n, width, p), history], dim=2)
    return tokens, scores
