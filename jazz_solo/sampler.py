"""Autoregressive sampling from a SoloNet: batched, seeded, on any device.

Value indices in, value indices out; the sampler knows nothing of music.

One loop steps the network and picks the next values; a *stepper* advances the network by one value:

- `NaiveStepper` calls the network's own nn.LSTM / nn.RNN / nn.GRU on one-hot inputs, one step at a
  time: the reference, and the path for any cell.
- `FastLSTM`, `FastRNN`, `FastGRU` compute the same step in preallocated buffers. The input is one-hot,
  so its projection is a row lookup in a precomputed (n_values, gates) table; tanh is computed as
  2 * sigmoid(2x) - 1, folded into the weights (tanh costs about 6x sigmoid on CPU).

Every stepper writes logits `logit_width(n_values)` wide: the head's columns are padded to a multiple
of 16 with a bias of -inf, which is never picked and has probability 0.

Picking (`Chooser`) uses one uniform per row and step, all drawn before the loop: the inverse CDF
(cumsum + searchsorted) rather than torch.multinomial, which alone costs several times the recurrent
matmul. On CUDA the whole loop (greedy or sample) is captured once as a CUDA graph and replayed;
`impl="compiled"` runs it through torch.compile instead. On CPU, for a few rows of an LSTM (greedy or
sample), `fast` hands the whole loop to a numba-compiled kernel where numba is installed
(`impl="numba"`, kernels.py): several times the torch loop's tokens/s at batch 1; `eager` is the torch
loop always, on CUDA too (no graph).
"""

from __future__ import annotations

import functools
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from jazz_solo.config import STRATEGIES
from jazz_solo.net import SoloNet

IMPLS = ("fast", "naive", "compiled", "eager", "numba")
# `fast` runs the numba kernel up to this many rows: 1 thread, greedy, numba vs the torch loop, 215 k vs
# 61 k tokens/s at batch 1, even at 8 (344 k vs 337 k), 365 k vs 934 k at 64, where batched matmuls win
NUMBA_MAX_ROWS = 8
# Rows run in chunks of at most this many: on CPU the step buffers of 1024 rows stay in cache (8192 rows
# at once ran 15 % slower); on CUDA, all rows at once.
CHUNK_ROWS = {"cpu": 1024}


def logit_width(n_values: int) -> int:
    """The head's columns padded to a multiple of 16: MKL's addmm of (1024, 64) x (64, N) takes 60 us at
    N = 80 and 79 us at N = 78 (2 threads), a twentieth of the whole step."""
    return -(-n_values // 16) * 16


def padded_head(net: SoloNet, head_bias: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The head's weight transposed, (n_a, logit_width), zero in the padding columns, and head_bias
    (n_values,) widened to (logit_width,) with -inf."""
    pad = logit_width(net.n_values) - net.n_values
    weight = nn.functional.pad(net.head.weight.detach().T, (0, pad))
    return weight, nn.functional.pad(head_bias, (0, pad), value=float("-inf"))


@dataclass
class Samples:
    tokens: torch.Tensor  # (n, length) int64, the primer then the generated values; beam: (n, width, length)
    log_prob: torch.Tensor  # (n,) (beam: (n, width), best first): log-probability of the generated values


Generator = torch.Generator | Sequence[torch.Generator] | None


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
    log_prob is under the network with the mask applied (not the temperature or the top_k/top_p cut).
    impl: `fast` (a fused step where the cell has one, else the naive loop; a CUDA graph on CUDA),
    `naive` (the network's own module, one step at a time), `compiled` (the fast loop via torch.compile),
    `eager` (the fast torch loop, never numba nor a CUDA graph) or `numba` (the numba kernel: LSTM, CPU, greedy or sample).
    """
    n, p = primer.shape
    n_values, device = net.n_values, primer.device
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    if impl not in IMPLS:
        raise ValueError(f"impl must be one of {', '.join(IMPLS)}, got {impl!r}")
    if impl == "numba" and (net.cell != "lstm" or device.type != "cpu" or strategy not in ("greedy", "sample")):
        raise ValueError("impl='numba' runs an LSTM on CPU, greedy or sample")
    if impl == "numba" and numba_kernel() is None:
        raise ValueError("impl='numba' needs numba (pip install numba)")
    if n < 1 or not 1 <= p <= length:
        raise ValueError(f"the primer needs a row or more of 1 to length={length} values, got shape {(n, p)}")
    if temperature <= 0 or top_k < 1 or not 0 < top_p <= 1:
        raise ValueError(f"need temperature > 0, top_k >= 1, 0 < top_p <= 1; got {temperature}, {top_k}, {top_p}")
    head_bias, allowed = net.head.bias.detach(), n_values
    if mask is not None:  # banned values get a logit of -inf: never the argmax, probability 0
        banned = mask.to(device, torch.bool)
        if banned.shape != (n_values,):
            raise ValueError(f"the mask must have shape ({n_values},), got {tuple(banned.shape)}")
        head_bias = head_bias.masked_fill(banned, float("-inf"))
        allowed = n_values - int(banned.sum())
        if allowed == 0:
            raise ValueError("the mask leaves no value to emit")

    if strategy == "beam":
        if not 1 <= beam_width <= allowed:
            raise ValueError(f"beam_width must be in [1, {allowed}] (values allowed), got {beam_width}")
        return beam_search(make_stepper(net, n * beam_width, impl), net, head_bias, primer, length, beam_width)

    steps = length - p
    if steps == 0:
        return Samples(primer.clone(), torch.zeros(n, device=device))
    noise = None if strategy == "greedy" else uniforms(steps, n, generator, device)
    # only the settings the strategy uses tell loops apart
    temperature = 1.0 if strategy == "greedy" else temperature
    top_k = min(top_k, allowed) if strategy == "top_k" else 1  # so every candidate is an allowed value
    top_p = top_p if strategy == "top_p" else 1.0
    rows = CHUNK_ROWS.get(device.type, n)
    tokens, log_prob = [], []
    for start in range(0, n, rows):
        chunk = slice(start, min(n, start + rows))
        settings = (chunk.stop - start, p, steps, strategy, temperature, top_k, top_p)
        loop = get_loop(net, impl, device, settings)
        generated, lp = loop(net, head_bias, primer[chunk], None if noise is None else noise[:, chunk])
        tokens.append(torch.cat([primer[chunk], generated], dim=1))
        log_prob.append(lp)
    return Samples(torch.cat(tokens), torch.cat(log_prob))


def uniforms(steps: int, n: int, generator: Generator, device: torch.device) -> torch.Tensor:
    """(steps, n) uniforms in (0, 1], from one generator or one per row (column)."""
    if generator is None or isinstance(generator, torch.Generator):
        u = torch.rand(steps, n, generator=generator, device=device)
    else:
        if len(generator) != n:
            raise ValueError(f"need one generator per row: {n}, got {len(generator)}")
        u = torch.stack([torch.rand(steps, generator=g, device=device) for g in generator], dim=1)
    return 1 - u  # never 0: an inverse-CDF draw of 0 could land on a zero-probability value


class Chooser:
    """Picks each row's next value from logits (n, logit_width(n_values)) and one uniform u (n, 1) in (0, 1],
    into out (n, 1).

    Sampling strategies draw by inverse CDF: the first value whose cumulated unnormalised probability
    reaches u times the total. top_k and top_p first sort the candidates, most likely first. The total
    is read at the last value, not the last padding column: a GPU's cumsum may add the padding's zeros
    in another order and end an ulp higher, and a draw must never land past the values.
    """

    def __init__(self, strategy: str, n: int, n_values: int, temperature: float, top_k: int, top_p: float, device):
        self.strategy, self.inv_temperature, self.top_p = strategy, 1.0 / temperature, top_p
        self.top = torch.empty(n, 1, device=device)
        if strategy == "greedy":
            return
        width, last = (top_k, top_k) if strategy == "top_k" else (logit_width(n_values), n_values)
        self.weights, self.cdf = (torch.empty(n, width, device=device) for _ in range(2))
        self.threshold, self.cut = torch.empty(n, 1, device=device), torch.empty(n, 1, device=device)
        self.total = self.cdf[:, last - 1 : last]
        self.pos = torch.empty(n, 1, dtype=torch.long, device=device)
        if strategy in ("top_k", "top_p"):
            self.sorted = torch.empty(n, width, device=device)
            self.order = torch.empty(n, width, dtype=torch.long, device=device)
            self.keep = torch.empty(n, width, dtype=torch.bool, device=device)
            self.top = self.sorted[:, :1]

    def __call__(self, logits: torch.Tensor, u: torch.Tensor | None, out: torch.Tensor) -> None:
        if self.strategy == "greedy":  # max with its values runs faster than argmax here; ties: the first
            torch.max(logits, 1, keepdim=True, out=(self.top, out))
            return
        if self.strategy == "sample":
            candidates = logits
            torch.amax(logits, 1, keepdim=True, out=self.top)
        elif self.strategy == "top_k":
            candidates = self.sorted
            torch.topk(logits, self.sorted.shape[1], 1, out=(self.sorted, self.order))
        else:
            candidates = self.sorted
            torch.sort(logits, 1, descending=True, out=(self.sorted, self.order))
        w = torch.sub(candidates, self.top, out=self.weights)  # <= 0: exp never overflows
        if self.inv_temperature != 1.0:
            w.mul_(self.inv_temperature)
        w.exp_()
        torch.cumsum(w, 1, out=self.cdf)
        total = self.total
        if self.strategy == "top_p":  # the nucleus: values whose preceding mass is below top_p of the total
            torch.mul(self.total, self.top_p, out=self.cut)
            torch.lt(torch.sub(self.cdf, w, out=w), self.cut, out=self.keep)
            torch.sum(self.keep, 1, keepdim=True, dtype=torch.long, out=self.pos)
            total = torch.gather(self.cdf, 1, self.pos.sub_(1), out=self.cut)
        torch.mul(total, u, out=self.threshold)
        if self.strategy == "sample":
            torch.searchsorted(self.cdf, self.threshold, out=out)
        else:
            torch.searchsorted(self.cdf, self.threshold, out=self.pos)
            torch.gather(self.order, 1, self.pos, out=out)


class NaiveStepper:
    """Steps the network's own recurrent module on a one-hot input, one value at a time (any cell)."""

    def __init__(self, net: SoloNet, n: int, device):
        self.net, self.state = net, None

    def load(self, net: SoloNet, head_bias: torch.Tensor) -> None:
        self.head_w, self.head_b = padded_head(net, head_bias)

    def reset(self) -> None:
        self.state = None

    def feed(self, tok: torch.Tensor, logits: torch.Tensor) -> None:
        """Advance every row by its value tok (n,); write the next logits (n, logit_width)."""
        x = nn.functional.one_hot(tok, self.net.n_values).float()[:, None]
        out, self.state = self.net.rnn(x, self.state)
        torch.addmm(self.head_b, out[:, 0], self.head_w, out=logits)

    def reorder(self, rows: torch.Tensor) -> None:
        if isinstance(self.state, tuple):
            self.state = tuple(s[:, rows] for s in self.state)
        else:
            self.state = self.state[:, rows]


class FastLSTM:
    """The LSTM step in preallocated buffers, with tanh folded into sigmoids.

    torch's gates are (i, f, g, o) = sigmoid, sigmoid, tanh, sigmoid. The g rows of the tables are
    doubled so one sigmoid covers all four (tanh(x) = 2 sigmoid(2x) - 1), and the cell state is kept
    as minus_2c = -2c so that h = o tanh(c) = o - 2 o sigmoid(minus_2c) needs no tanh either.
    """

    def __init__(self, net: SoloNet, n: int, device):
        v, a, width = net.n_values, net.n_a, logit_width(net.n_values)
        self.table = torch.empty(v, 4 * a, device=device)  # one-hot input projection + both biases
        self.w = torch.empty(a, 4 * a, device=device)
        self.head_w, self.head_b = torch.empty(a, width, device=device), torch.empty(width, device=device)
        self.h, self.minus_2c, self.tmp = (torch.empty(n, a, device=device) for _ in range(3))
        self.gates = torch.empty(n, 4 * a, device=device)
        self.i, self.f, self.g, self.o = self.gates.chunk(4, 1)

    def load(self, net: SoloNet, head_bias: torch.Tensor) -> None:
        rnn, a = net.rnn, net.n_a
        torch.add(rnn.weight_ih_l0.T, rnn.bias_ih_l0 + rnn.bias_hh_l0, out=self.table)
        self.w.copy_(rnn.weight_hh_l0.T)
        for weights in (self.table, self.w):
            weights[:, 2 * a : 3 * a].mul_(2)  # the g gate
        for buffer, value in zip((self.head_w, self.head_b), padded_head(net, head_bias)):
            buffer.copy_(value)

    def reset(self) -> None:
        self.h.zero_()
        self.minus_2c.zero_()

    def feed(self, tok: torch.Tensor, logits: torch.Tensor) -> None:
        torch.index_select(self.table, 0, tok, out=self.gates)
        self.gates.addmm_(self.h, self.w).sigmoid_()
        # c = f c + i tanh(g) with tanh(g) = 2 s_g - 1, so -2c becomes f (-2c) + 2i - 4 i s_g
        self.minus_2c.mul_(self.f).addcmul_(self.i, self.g, value=-4).add_(self.i, alpha=2)
        torch.sigmoid(self.minus_2c, out=self.tmp)
        torch.addcmul(self.o, self.o, self.tmp, value=-2, out=self.h)
        torch.addmm(self.head_b, self.h, self.head_w, out=logits)

    def reorder(self, rows: torch.Tensor) -> None:
        self.h.copy_(self.h[rows])
        self.minus_2c.copy_(self.minus_2c[rows])


class FastRNN:
    """The tanh RNN step, keeping s = sigmoid(2z) so that h = tanh(z) = 2s - 1 is folded into the weights."""

    def __init__(self, net: SoloNet, n: int, device):
        v, a, width = net.n_values, net.n_a, logit_width(net.n_values)
        self.table, self.w = torch.empty(v, a, device=device), torch.empty(a, a, device=device)
        self.head_w, self.head_b = torch.empty(a, width, device=device), torch.empty(width, device=device)
        self.s, self.z = torch.empty(n, a, device=device), torch.empty(n, a, device=device)

    def load(self, net: SoloNet, head_bias: torch.Tensor) -> None:
        # z = table[x] + h W with h = 2s - 1: 2z = 2 (table[x] - 1 W) + s (4W)
        rnn, w = net.rnn, net.rnn.weight_hh_l0.T
        self.table.copy_(2 * (rnn.weight_ih_l0.T + rnn.bias_ih_l0 + rnn.bias_hh_l0 - w.sum(0)))
        self.w.copy_(4 * w)
        wy, by = padded_head(net, head_bias)
        self.head_w.copy_(2 * wy)
        self.head_b.copy_(by - wy.sum(0))

    def reset(self) -> None:
        self.s.fill_(0.5)  # h = 0

    def feed(self, tok: torch.Tensor, logits: torch.Tensor) -> None:
        torch.index_select(self.table, 0, tok, out=self.z)
        self.z.addmm_(self.s, self.w)
        torch.sigmoid(self.z, out=self.s)
        torch.addmm(self.head_b, self.s, self.head_w, out=logits)

    def reorder(self, rows: torch.Tensor) -> None:
        self.s.copy_(self.s[rows])


class FastGRU:
    """The GRU step: gates (r, z, n); the n rows are doubled so that tanh(x) = 2 sigmoid(2x) - 1."""

    def __init__(self, net: SoloNet, n: int, device):
        v, a, width = net.n_values, net.n_a, logit_width(net.n_values)
        self.table, self.w = torch.empty(v, 3 * a, device=device), torch.empty(a, 3 * a, device=device)
        self.b = torch.empty(3 * a, device=device)
        self.head_w, self.head_b = torch.empty(a, width, device=device), torch.empty(width, device=device)
        self.h = torch.empty(n, a, device=device)
        self.x_gates, self.h_gates = torch.empty(n, 3 * a, device=device), torch.empty(n, 3 * a, device=device)
        self.x_rz, self.x_n = self.x_gates[:, : 2 * a], self.x_gates[:, 2 * a :]
        self.h_rz, self.h_n = self.h_gates[:, : 2 * a], self.h_gates[:, 2 * a :]
        self.r, self.z = self.x_rz.chunk(2, 1)

    def load(self, net: SoloNet, head_bias: torch.Tensor) -> None:
        rnn, a = net.rnn, net.n_a
        torch.add(rnn.weight_ih_l0.T, rnn.bias_ih_l0, out=self.table)
        self.table[:, : 2 * a] += rnn.bias_hh_l0[: 2 * a]
        self.w.copy_(rnn.weight_hh_l0.T)
        self.b.zero_()
        self.b[2 * a :] = rnn.bias_hh_l0[2 * a :]  # the n gate's hidden bias sits inside r * (...)
        for weights in (self.table, self.w, self.b):
            weights[..., 2 * a :].mul_(2)  # the n gate
        for buffer, value in zip((self.head_w, self.head_b), padded_head(net, head_bias)):
            buffer.copy_(value)

    def reset(self) -> None:
        self.h.zero_()

    def feed(self, tok: torch.Tensor, logits: torch.Tensor) -> None:
        torch.index_select(self.table, 0, tok, out=self.x_gates)
        torch.addmm(self.b, self.h, self.w, out=self.h_gates)
        self.x_rz.add_(self.h_rz).sigmoid_()
        n = self.x_n.addcmul_(self.r, self.h_n).sigmoid_().mul_(2).sub_(1)
        self.h.sub_(n).mul_(self.z).add_(n)  # h = n + z (h - n)
        torch.addmm(self.head_b, self.h, self.head_w, out=logits)

    def reorder(self, rows: torch.Tensor) -> None:
        self.h.copy_(self.h[rows])


FAST = {"lstm": FastLSTM, "rnn": FastRNN, "gru": FastGRU}


def make_stepper(net: SoloNet, n: int, impl: str):
    device = net.head.weight.device
    kind = NaiveStepper if impl == "naive" or net.cell not in FAST else FAST[net.cell]
    return kind(net, n, device)


class Loop:
    """Buffers for one batch shape, and the loop that fills them: the primer, then one value per step.

    Everything the loop touches is preallocated (row views included), so it can be replayed as a
    CUDA graph or traced by torch.compile; per call only the inputs are copied in.
    """

    def __init__(self, stepper, chooser: Chooser, n: int, p: int, steps: int, n_values: int, device):
        self.stepper, self.choose = stepper, chooser
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

    def run(self) -> None:
        self.stepper.reset()
        self.log_prob.zero_()
        for tok in self.primer_rows:
            self.stepper.feed(tok, self.logits)
        steps = len(self.token_rows)
        for s in range(steps):
            self.choose(self.logits, self.noise_rows[s], self.token_cols[s])
            # the pick's log-probability now, while the logits are in cache: a pass over stored logits of
            # every step after the loop took a seventh of its time
            torch.log_softmax(self.logits, 1, out=self.log_probs)
            self.log_prob.add_(torch.gather(self.log_probs, 1, self.token_cols[s], out=self.picked))
            if s + 1 < steps:
                self.stepper.feed(self.token_rows[s], self.logits)

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

    def __call__(self, net: SoloNet, head_bias: torch.Tensor, primer: torch.Tensor, noise: torch.Tensor | None):
        """primer (n, P), noise (steps, n) -> generated values (n, steps), their log-probability (n,)."""
        self.stepper.load(net, head_bias)
        self.primer.copy_(primer.T)
        if noise is not None:
            self.noise.copy_(noise[..., None])
        self.launch()
        return self.tokens.T.clone(), self.log_prob[:, 0].clone()


@functools.cache
def numba_kernel():
    """kernels.lstm_loop, or None where numba does not import (the torch loop then serves)."""
    try:
        from jazz_solo.kernels import lstm_loop
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

    def __call__(self, net: SoloNet, head_bias: torch.Tensor, primer: torch.Tensor, noise: torch.Tensor | None):
        """primer (n, P), noise (steps, n) -> generated values (n, steps), their log-probability (n,)."""
        w = self.weights
        w.load(net, head_bias)
        tokens, log_prob = torch.empty(self.n, self.steps, dtype=torch.long), torch.empty(self.n)
        numba_kernel()(
            *(x.numpy() for x in (w.table, w.w, w.head_w, w.head_b, primer.contiguous())),
            self.no_noise if noise is None else noise.contiguous().numpy(),
            self.inv_temperature,
            self.greedy,
            tokens.numpy(),
            log_prob.numpy(),
        )
        return tokens, log_prob


_cached_loops: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # net -> {settings: Loop}
MAX_CACHED = 4


def get_loop(net: SoloNet, impl: str, device: torch.device, settings: tuple) -> Loop:
    """A loop for these settings (n, P, steps, strategy, temperature, top_k, top_p).

    Loops of the fast steppers are kept per network (a few, newest last) and reloaded with its
    current weights on each call: their buffers, CUDA graph or compiled code are made once. So calls
    on one network must not run concurrently. Naive loops are made per call.
    """
    n, p, steps, strategy, temperature, top_k, top_p = settings
    small_cpu_lstm = device.type == "cpu" and net.cell == "lstm" and strategy in ("greedy", "sample")
    if impl == "fast" and small_cpu_lstm and n <= NUMBA_MAX_ROWS and numba_kernel() is not None:
        impl = "numba"
    keep = impl != "naive" and net.cell in FAST
    cache = _cached_loops.setdefault(net, OrderedDict()) if keep else {}
    key = (impl, str(device), *settings)
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    if impl == "numba":
        loop = NumbaLoop(net, n, steps, strategy, temperature)
    else:
        stepper = make_stepper(net, n, impl)
        chooser = Chooser(strategy, n, net.n_values, temperature, top_k, top_p, device)
        loop = Loop(stepper, chooser, n, p, steps, net.n_values, device)
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


def beam_search(stepper, net: SoloNet, head_bias: torch.Tensor, primer: torch.Tensor, length: int, width: int):
    """The `width` most likely continuations of each primer row (n, P), by total log-probability.

    Returns Samples with tokens (n, width, length) and log_prob (n, width), best first.
    """
    n, p = primer.shape
    v, steps, device = net.n_values, length - p, primer.device
    stepper.load(net, head_bias)
    stepper.reset()
    logits = torch.empty(n * width, logit_width(v), device=device)
    for tok in primer.repeat_interleave(width, 0).T:
        stepper.feed(tok, logits)
    scores = torch.full((n, width), float("-inf"), device=device)
    scores[:, 0] = 0  # the beams start identical: expand one of them only
    history = torch.empty(n, width, steps, dtype=torch.long, device=device)
    first_row = torch.arange(n, device=device)[:, None] * width
    for s in range(steps):
        candidates = scores[:, :, None] + torch.log_softmax(logits[:, :v], -1).view(n, width, v)
        scores, best = candidates.view(n, width * v).topk(width, 1)
        parent, tok = best // v, best % v
        history = history.gather(1, parent[:, :, None].expand(-1, -1, steps))
        history[:, :, s] = tok
        stepper.reorder((first_row + parent).view(-1))
        if s + 1 < steps:
            stepper.feed(tok.view(-1), logits)
    tokens = torch.cat([primer[:, None].expand(n, width, p), history], dim=2)
    return Samples(tokens, scores)
