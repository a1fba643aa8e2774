"""The sampling loop: the primer, then one value per step, in buffers made once per batch shape.

On CUDA the whole loop (greedy or sample) is captured once as a CUDA graph and replayed;
`impl="compiled"` runs it through torch.compile instead. On CPU, for a few rows of an LSTM (greedy or
sample), `fast` hands the whole loop to a numba-compiled kernel where numba is installed
(`impl="numba"`, kernels.py): several times the torch loop's tokens/s at batch 1.
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from jazz_solo.net import SoloNet
from jazz_solo.sampling.choose import Chooser
from jazz_solo.sampling.condition import Clock, Condition
from jazz_solo.sampling.grid import Grid, GridClock
from jazz_solo.sampling.steppers import FastLSTM, logit_width


class Loop:
    """Buffers for one batch shape, and the loop that fills them: the primer, then one value per step.

    Everything the loop touches is preallocated (row views included), so it can be replayed as a
    CUDA graph or traced by torch.compile; per call only the inputs are copied in.
    """

    def __init__(
        self,
        stepper,
        chooser: Chooser,
        n: int,
        p: int,
        steps: int,
        n_values: int,
        device,
        clock: Clock | None = None,
        grid_clock: GridClock | None = None,
    ):
        self.stepper, self.choose, self.clock = stepper, chooser, clock  # a clock when the network is conditioned
        self.grid_clock = grid_clock  # when the rows keep to a grid
        self.primer = torch.zeros(p, n, dtype=torch.long, device=device)  # valid indices before the first copy
        self.noise = torch.ones(steps, n, 1, device=device)
        self.tokens = torch.empty(steps, n, dtype=torch.long, device=device)
        width = logit_width(n_values)
        self.logits, self.log_probs = torch.empty(n, width, device=device), torch.empty(n, width, device=device)
        self.picked, self.log_prob = torch.empty(n, 1, device=device), torch.empty(n, 1, device=device)
        self.primer_rows, self.noise_rows = self.primer.unbind(0), self.noise.unbind(0)
        self.token_rows, self.token_cols = self.tokens.unbind(0), self.tokens[..., None].unbind(0)
        self.launch = self.run_eager

    def run_eager(self) -> None:
        with torch.inference_mode():  # about 12 % less overhead per op than no_grad alone
            self.run()

    def feed(self, tok: torch.Tensor) -> None:
        """Step the network by the values tok (n,), with the context where they end when conditioned."""
        self.stepper.feed(tok, self.logits, None if self.clock is None else self.clock.advance(tok))
        if self.grid_clock is not None:
            self.grid_clock.advance(tok)

    def run(self) -> None:
        self.stepper.reset()
        for clock in (self.clock, self.grid_clock):
            if clock is not None:
                clock.reset()
        self.log_prob.zero_()
        for tok in self.primer_rows:
            self.feed(tok)
        steps = len(self.token_rows)
        for s in range(steps):
            if self.grid_clock is not None:  # before the choice, so its log-probability is the renormalised one
                self.grid_clock.restrict(self.logits)
            self.choose(self.logits, self.noise_rows[s], self.token_cols[s])
            # the pick's log-probability now, while the logits are in cache: a pass over stored logits of
            # every step after the loop took a seventh of its time
            torch.log_softmax(self.logits, 1, out=self.log_probs)
            self.log_prob.add_(torch.gather(self.log_probs, 1, self.token_cols[s], out=self.picked))
            if s + 1 < steps:
                self.feed(self.token_rows[s])

    def capture(self) -> None:
        """Record the loop as a CUDA graph: later calls replay it with one launch."""
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):  # warm up outside the capture (cuBLAS handles, workspaces)
            self.run()
        torch.cuda.current_stream().wait_stream(side)
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph):
            self.run()
        self.launch = self.graph.replay

    def __call__(
        self,
        net: SoloNet,
        head_bias: torch.Tensor,
        primer: torch.Tensor,
        noise: torch.Tensor | None,
        condition: Condition | None = None,
        grid: Grid | None = None,
    ):
        """primer (n, P), noise (steps, n) -> generated values (n, steps), their log-probability (n,)."""
        self.stepper.load(net, head_bias)
        if condition is not None:
            self.clock.load(condition, self.stepper.context_table(condition.features.flatten(0, 1)))
        if grid is not None:
            self.grid_clock.load(grid)
        self.primer.copy_(primer.T)
        if noise is not None:
            self.noise.copy_(noise[..., None])
        self.launch()
        return self.tokens.T.clone(), self.log_prob[:, 0].clone()


@functools.cache
def numba_kernel():
    """kernels.lstm_loop, or None where numba does not import (the torch loop then serves)."""
    try:
        from jazz_solo.sampling.kernel import lstm_loop
    except ImportError:
        return None
    return lstm_loop


class NumbaLoop:
    """Loop's call for kernels.lstm_loop: FastLSTM's folded weights, read as numpy arrays (no copies)."""

    def __init__(self, net: SoloNet, n: int, steps: int, strategy: str, temperature: float):
        self.weights = FastLSTM(net, n, torch.device("cpu"))
        self.n, self.steps, self.greedy = n, steps, strategy == "greedy"
        self.inv_temperature = np.float32(1 / temperature)
        self.no_noise = np.ones((steps, n), np.float32)
        self.no_context = (np.empty((0, 4 * net.n_a), np.float32), *(np.zeros(1, np.int64) for _ in range(2)))
        self.no_grid = np.empty((0, net.n_values), np.float32)

    def __call__(
        self,
        net: SoloNet,
        head_bias: torch.Tensor,
        primer: torch.Tensor,
        noise: torch.Tensor | None,
        condition: Condition | None = None,
        grid: Grid | None = None,
    ):
        """primer (n, P), noise (steps, n) -> generated values (n, steps), their log-probability (n,)."""
        w = self.weights
        w.load(net, head_bias)
        tokens, log_prob = torch.empty(self.n, self.steps, dtype=torch.long), torch.empty(self.n)
        context, penalty = self.no_context, self.no_grid
        if condition is not None:  # the Clock's table and times, as arrays
            table = w.context_table(condition.features.flatten(0, 1)).contiguous()
            first = condition.rows * condition.features.shape[1]
            context = tuple(x.numpy() for x in (table, first, condition.lengths[condition.rows]))
        if grid is not None:  # the GridClock's
            penalty = grid.penalty().contiguous().numpy()
        # each value's length moves the time of a conditioned or gridded row on (sample checks the two agree)
        durations = grid.durations if grid is not None else condition.durations if condition is not None else None
        steps_of = np.zeros(net.n_values, np.int64) if durations is None else durations.contiguous().numpy()
        numba_kernel()(
            *(x.numpy() for x in (w.table, w.w, w.head_w, w.head_b, primer.contiguous())),
            self.no_noise if noise is None else noise.contiguous().numpy(),
            self.inv_temperature,
            self.greedy,
            tokens.numpy(),
            log_prob.numpy(),
            *context,
            steps_of,
            penalty,
        )
        return tokens, log_prob
