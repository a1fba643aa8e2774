"""Autoregressive sampling from a SoloNet: batched, seeded, on any device.

Value indices in, value indices out; the sampler knows nothing of music. `sample` checks its
arguments and runs the package's parts: a stepper advances the network by one value
(steppers.py), a chooser picks the next values from the logits (choose.py), a loop runs them over
every step, as a CUDA graph on CUDA or a numba kernel for a few rows on CPU (loop.py), and beam
search keeps the most likely continuations (beam.py). For a conditioned network a clock keeps each
row's time on the loop it plays over and gathers its features there (condition.py); given a grid, a
grid clock keeps each row's time and allows at each step only the values that keep it on the grid
(grid.py).
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from dataclasses import dataclass

import torch

from jazz_solo.net import SoloNet
from jazz_solo.sampling import STRATEGIES
from jazz_solo.sampling.beam import beam_search
from jazz_solo.sampling.choose import Chooser, Generator, uniforms
from jazz_solo.sampling.condition import Clock, Condition
from jazz_solo.sampling.grid import Grid, GridClock
from jazz_solo.sampling.loop import Loop, NumbaLoop, numba_kernel
from jazz_solo.sampling.steppers import FAST, logit_width, make_stepper

# what tests and the bench reach through this module
__all__ = [
    "FAST",
    "NUMBA_MAX_ROWS",
    "Condition",
    "Grid",
    "Loop",
    "NumbaLoop",
    "Samples",
    "get_loop",
    "logit_width",
    "numba_kernel",
    "sample",
]

IMPLS = ("fast", "naive", "compiled", "eager", "numba")
# `fast` runs the numba kernel up to this many rows: 1 thread, greedy, numba vs the torch loop, 215 k vs
# 61 k tokens/s at batch 1, even at 8 (344 k vs 337 k), 365 k vs 934 k at 64, where batched matmuls win
NUMBA_MAX_ROWS = 8
# Rows run in chunks of at most this many: on CPU the step buffers of 1024 rows stay in cache (8192 rows
# at once ran 15 % slower); on CUDA, all rows at once.
CHUNK_ROWS = {"cpu": 1024}


@dataclass
class Samples:
    tokens: torch.Tensor  # (n, length) int64, the primer then the generated values; beam: (n, width, length)
    log_prob: torch.Tensor  # (n,) (beam: (n, width), best first): log-probability of the generated values


@torch.no_grad()
def sample(
    net: SoloNet,
    primer: torch.Tensor,
    length: int,
    strategy: str = "greedy",
    *,
    temperature: float = 1.0,
    top_k: int = 10,
    top_p: float = 0.9,
    beam_width: int = 4,
    generator: Generator = None,
    mask: torch.Tensor | None = None,
    condition: Condition | None = None,
    grid: Grid | None = None,
    impl: str = "fast",
) -> Samples:
    """Continue each primer row to `length` values.

    primer: (n, P) int64 with 1 <= P <= length, on the network's device. Strategies: `greedy` (argmax,
    the classic exercise); `sample` from softmax(logits / temperature); `top_k` and `top_p` sample
    likewise among the k most likely values, or the fewest whose probability adds up to top_p; `beam`
    keeps the beam_width most likely continuations and returns them all, best first.
    generator: one torch.Generator for the batch, or a list of n, one per row (row i then depends on
    generator i alone); the same seeds give the same values on the same device.
    mask: (n_values,) bool, True for values never to be emitted.
    condition: what the rows play over, for a conditioned network (net.n_features > 0): each row's time
    starts at 0 with its primer and moves on by the length of each value it plays (condition.py).
    grid: which values a row may play at each position of a period, by its time (from 0 with its primer,
    moved on by each value's length): at each step the values it does not allow there are masked too, so
    they are never chosen (grid.py; where the grid and the mask together would allow nothing, the grid
    gives way at that position).
    log_prob is under the network with the mask (and the grid's mask at each step) applied: the
    distribution renormalised over the values allowed, not the temperature or the top_k/top_p cut.
    impl: `fast` (a fused step where the cell has one, else the naive loop; a CUDA graph on CUDA),
    `naive` (the network's own module, one step at a time), `compiled` (the fast loop via torch.compile),
    `eager` (the fast torch loop, never numba nor a CUDA graph) or `numba` (the numba kernel: LSTM, CPU,
    greedy or sample).
    """
    n, p = primer.shape
    device = primer.device
    check_arguments(net, primer, length, strategy, temperature, top_k, top_p, condition, grid, impl)
    head_bias, allowed = masked_head_bias(net, mask)
    grid = None if grid is None else grid.within(mask).to(device)

    if strategy == "beam":
        if not 1 <= beam_width <= allowed:
            raise ValueError(f"beam_width must be in [1, {allowed}] (values allowed), got {beam_width}")
        stepper = make_stepper(net, n * beam_width, impl)
        return Samples(*beam_search(stepper, net, head_bias, primer, length, beam_width, condition, grid))

    steps = length - p
    if steps == 0:
        return Samples(primer.clone(), torch.zeros(n, device=device))
    noise = None if strategy == "greedy" else uniforms(steps, n, generator, device)
    # only the settings the strategy uses tell loops apart
    temperature = 1.0 if strategy == "greedy" else temperature
    top_k = min(top_k, allowed) if strategy == "top_k" else 1  # so every candidate is an allowed value
    top_p = top_p if strategy == "top_p" else 1.0
    rows = CHUNK_ROWS.get(device.type, n)
    loops = None if condition is None else tuple(condition.features.shape[:2])
    period = None if grid is None else len(grid.allowed)
    tokens, log_prob = [], []
    for start in range(0, n, rows):
        chunk = slice(start, min(n, start + rows))
        settings = (chunk.stop - start, p, steps, strategy, temperature, top_k, top_p)
        loop = get_loop(net, impl, device, settings, loops, period)
        rows_condition = None if condition is None else condition.chunk(chunk)
        rows_noise = None if noise is None else noise[:, chunk]
        generated, lp = loop(net, head_bias, primer[chunk], rows_noise, rows_condition, grid)
        tokens.append(torch.cat([primer[chunk], generated], dim=1))
        log_prob.append(lp)
    return Samples(torch.cat(tokens), torch.cat(log_prob))


def check_arguments(
    net: SoloNet,
    primer: torch.Tensor,
    length: int,
    strategy: str,
    temperature: float,
    top_k: int,
    top_p: float,
    condition: Condition | None,
    grid: Grid | None,
    impl: str,
) -> None:
    """sample's arguments, each wrong one a ValueError saying which."""
    n, p = primer.shape
    n_values, device = net.n_values, primer.device
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    if impl not in IMPLS:
        raise ValueError(f"impl must be one of {', '.join(IMPLS)}, got {impl!r}")
    if impl == "numba" and (net.cell != "lstm" or device.type != "cpu" or strategy not in ("greedy", "sample")):
        raise ValueError("impl='numba' runs an LSTM on CPU, greedy or sample")
    if (condition is None) != (net.n_features == 0):
        raise ValueError(f"the network takes {net.n_features} features a step: a condition is needed with them only")
    if condition is not None:
        condition.check(len(primer), n_values, net.n_features)
    if grid is not None:
        grid.check(n_values)
    if grid is not None and condition is not None and not torch.equal(grid.durations.cpu(), condition.durations.cpu()):
        raise ValueError("the grid and the condition must give the values the same lengths")
    if impl == "numba" and numba_kernel() is None:
        raise ValueError("impl='numba' needs numba (pip install numba)")
    if n < 1 or not 1 <= p <= length:
        raise ValueError(f"the primer needs a row or more of 1 to length={length} values, got shape {(n, p)}")
    if temperature <= 0 or top_k < 1 or not 0 < top_p <= 1:
        raise ValueError(f"need temperature > 0, top_k >= 1, 0 < top_p <= 1; got {temperature}, {top_k}, {top_p}")


def masked_head_bias(net: SoloNet, mask: torch.Tensor | None) -> tuple[torch.Tensor, int]:
    """The head's bias with the masked values at -inf (never the argmax, probability 0), and how many values
    remain allowed."""
    n_values, device = net.n_values, net.head.bias.device
    head_bias, allowed = net.head.bias.detach(), n_values
    if mask is not None:
        banned = mask.to(device, torch.bool)
        if banned.shape != (n_values,):
            raise ValueError(f"the mask must have shape ({n_values},), got {tuple(banned.shape)}")
        head_bias = head_bias.masked_fill(banned, float("-inf"))
        allowed = n_values - int(banned.sum())
        if allowed == 0:
            raise ValueError("the mask leaves no value to emit")
    return head_bias, allowed


_cached_loops: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # net -> {settings: Loop}
MAX_CACHED = 4


def get_loop(
    net: SoloNet,
    impl: str,
    device: torch.device,
    settings: tuple,
    loops: tuple[int, int] | None = None,
    period: int | None = None,
) -> Loop:
    """A loop for these settings (n, P, steps, strategy, temperature, top_k, top_p), for a conditioned
    network over `loops` = (number of loops, their padded length in grid steps), keeping to a grid of
    `period` positions where given.

    Loops of the fast steppers are kept per network (a few, newest last) and reloaded with its
    current weights on each call: their buffers, CUDA graph or compiled code are made once. So calls
    on one network must not run concurrently. Naive loops are made per call.
    """
    n, p, steps, strategy, temperature, top_k, top_p = settings
    small_cpu_lstm = device.type == "cpu" and net.cell == "lstm" and strategy in ("greedy", "sample")
    unconditioned = loops is None
    if impl == "fast" and small_cpu_lstm and n <= NUMBA_MAX_ROWS and numba_kernel() is not None:
        impl = "numba"
    keep = impl != "naive" and net.cell in FAST
    cache = _cached_loops.setdefault(net, OrderedDict()) if keep else {}
    key = (impl, str(device), *settings, loops, period)
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    if impl == "numba":
        loop = NumbaLoop(net, n, steps, strategy, temperature)
    else:
        stepper = make_stepper(net, n, impl)
        chooser = Chooser(strategy, n, net.n_values, temperature, top_k, top_p, device)
        clock = None if unconditioned else Clock(n, *loops, net.n_values, stepper.context_width, device)
        grid_clock = None if period is None else GridClock(n, period, net.n_values, device)
        loop = Loop(stepper, chooser, n, p, steps, net.n_values, device, clock, grid_clock)
    if keep and impl == "compiled":
        loop.launch = torch.compile(loop.run, dynamic=False)
    elif keep and impl == "fast" and device.type == "cuda" and strategy in ("greedy", "sample"):
        # only simple kernels here; top_k and top_p (sort, topk) run eagerly rather than rely on capture
        stepper.load(net, net.head.bias.detach())
        loop.capture()
    cache[key] = loop
    while len(cache) > MAX_CACHED:
        cache.popitem(last=False)
    return loop
