"""Steppers: advance a SoloNet by one value for every row, writing the next logits.

- `NaiveStepper` calls the network's own nn.LSTM / nn.RNN / nn.GRU on one-hot inputs, one step at a
  time: the reference, and the path for any cell.
- `FastLSTM`, `FastRNN`, `FastGRU` compute the same step in preallocated buffers. The input is one-hot,
  so its projection is a row lookup in a precomputed (n_values, gates) table; tanh is computed as
  2 * sigmoid(2x) - 1, folded into the weights (tanh costs about 6x sigmoid on CPU).

Every stepper writes logits `logit_width(n_values)` wide: the head's columns are padded to a multiple
of 16 with a bias of -inf, which is never picked and has probability 0.

A conditioned network (n_features > 0) also takes a context per row and step: the features for the
naive stepper; for the fast ones, their product with the (folded) input weights of the features,
which `context_table` computes once per loop step before sampling (condition.py's Clock gathers it).
"""

from __future__ import annotations

import torch
from torch import nn

from jazz_solo.net import SoloNet


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


class NaiveStepper:
    """Steps the network's own recurrence (SoloNet.hidden) on a one-hot input, one value at a time (any cell)."""

    def __init__(self, net: SoloNet, n: int, device):
        self.net, self.state, self.context_width = net, None, net.n_features

    def load(self, net: SoloNet, head_bias: torch.Tensor) -> None:
        self.head_w, self.head_b = padded_head(net, head_bias)

    def context_table(self, features: torch.Tensor) -> torch.Tensor:
        return features

    def reset(self) -> None:
        self.state = None

    def feed(self, tok: torch.Tensor, logits: torch.Tensor, context: torch.Tensor | None = None) -> None:
        """Advance every row by its value tok (n,) [and its context (n, n_features)]; write the next logits
        (n, logit_width)."""
        x = nn.functional.one_hot(tok, self.net.n_values).float()[:, None]
        out, self.state = self.net.hidden(x, self.state, None if context is None else context[:, None])
        torch.addmm(self.head_b, out[:, 0], self.head_w, out=logits)

    def reorder(self, rows: torch.Tensor) -> None:
        if isinstance(self.state, tuple):
            self.state = tuple(s[:, rows] for s in self.state)
        else:
            self.state = self.state[:, rows]


class FastStepper:
    """What the fast steppers share: for a conditioned network, a context is the features' input projection."""

    feature_w: torch.Tensor  # (n_features, gates), folded like the stepper's value table

    @property
    def context_width(self) -> int:
        return self.feature_w.shape[1]

    def context_table(self, features: torch.Tensor) -> torch.Tensor:
        """features (steps, n_features) -> their projection (steps, gates)."""
        return features @ self.feature_w


class FastLSTM(FastStepper):
    """The LSTM step in preallocated buffers, with tanh folded into sigmoids.

    torch's gates are (i, f, g, o) = sigmoid, sigmoid, tanh, sigmoid. The g rows of the tables are
    doubled so one sigmoid covers all four (tanh(x) = 2 sigmoid(2x) - 1), and the cell state is kept
    as minus_2c = -2c so that h = o tanh(c) = o - 2 o sigmoid(minus_2c) needs no tanh either.
    """

    def __init__(self, net: SoloNet, n: int, device):
        v, a, width = net.n_values, net.n_a, logit_width(net.n_values)
        self.inputs = torch.empty(v + net.n_features, 4 * a, device=device)  # W_ih transposed, folded
        self.table, self.feature_w = self.inputs[:v], self.inputs[v:]  # one-hot projection + both biases; features'
        self.w = torch.empty(a, 4 * a, device=device)
        self.head_w, self.head_b = torch.empty(a, width, device=device), torch.empty(width, device=device)
        self.h, self.minus_2c, self.tmp = (torch.empty(n, a, device=device) for _ in range(3))
        self.gates = torch.empty(n, 4 * a, device=device)
        self.i, self.f, self.g, self.o = self.gates.chunk(4, 1)

    def load(self, net: SoloNet, head_bias: torch.Tensor) -> None:
        rnn, a = net.rnn, net.n_a
        self.inputs.copy_(rnn.weight_ih_l0.T)
        self.table.add_(rnn.bias_ih_l0 + rnn.bias_hh_l0)
        self.w.copy_(rnn.weight_hh_l0.T)
        for weights in (self.inputs, self.w):
            weights[:, 2 * a : 3 * a].mul_(2)  # the g gate
        for buffer, value in zip((self.head_w, self.head_b), padded_head(net, head_bias)):
            buffer.copy_(value)

    def reset(self) -> None:
        self.h.zero_()
        self.minus_2c.zero_()

    def feed(self, tok: torch.Tensor, logits: torch.Tensor, context: torch.Tensor | None = None) -> None:
        torch.index_select(self.table, 0, tok, out=self.gates)
        if context is not None:
            self.gates.add_(context)
        self.gates.addmm_(self.h, self.w).sigmoid_()
        # c = f c + i tanh(g) with tanh(g) = 2 s_g - 1, so -2c becomes f (-2c) + 2i - 4 i s_g
        self.minus_2c.mul_(self.f).addcmul_(self.i, self.g, value=-4).add_(self.i, alpha=2)
        torch.sigmoid(self.minus_2c, out=self.tmp)
        torch.addcmul(self.o, self.o, self.tmp, value=-2, out=self.h)
        torch.addmm(self.head_b, self.h, self.head_w, out=logits)

    def reorder(self, rows: torch.Tensor) -> None:
        self.h.copy_(self.h[rows])
        self.minus_2c.copy_(self.minus_2c[rows])


class FastRNN(FastStepper):
    """The tanh RNN step, keeping s = sigmoid(2z) so that h = tanh(z) = 2s - 1 is folded into the weights."""

    def __init__(self, net: SoloNet, n: int, device):
        v, a, width = net.n_values, net.n_a, logit_width(net.n_values)
        self.table, self.w = torch.empty(v, a, device=device), torch.empty(a, a, device=device)
        self.feature_w = torch.empty(net.n_features, a, device=device)
        self.head_w, self.head_b = torch.empty(a, width, device=device), torch.empty(width, device=device)
        self.s, self.z = torch.empty(n, a, device=device), torch.empty(n, a, device=device)

    def load(self, net: SoloNet, head_bias: torch.Tensor) -> None:
        # z = table[x] + h W with h = 2s - 1: 2z = 2 (table[x] - 1 W) + s (4W)
        rnn, w, v = net.rnn, net.rnn.weight_hh_l0.T, net.n_values
        self.table.copy_(2 * (rnn.weight_ih_l0[:, :v].T + rnn.bias_ih_l0 + rnn.bias_hh_l0 - w.sum(0)))
        self.feature_w.copy_(2 * rnn.weight_ih_l0[:, v:].T)
        self.w.copy_(4 * w)
        wy, by = padded_head(net, head_bias)
        self.head_w.copy_(2 * wy)
        self.head_b.copy_(by - wy.sum(0))

    def reset(self) -> None:
        self.s.fill_(0.5)  # h = 0

    def feed(self, tok: torch.Tensor, logits: torch.Tensor, context: torch.Tensor | None = None) -> None:
        torch.index_select(self.table, 0, tok, out=self.z)
        if context is not None:
            self.z.add_(context)
        self.z.addmm_(self.s, self.w)
        torch.sigmoid(self.z, out=self.s)
        torch.addmm(self.head_b, self.s, self.head_w, out=logits)

    def reorder(self, rows: torch.Tensor) -> None:
        self.s.copy_(self.s[rows])


class FastGRU(FastStepper):
    """The GRU step: gates (r, z, n); the n rows are doubled so that tanh(x) = 2 sigmoid(2x) - 1."""

    def __init__(self, net: SoloNet, n: int, device):
        v, a, width = net.n_values, net.n_a, logit_width(net.n_values)
        self.inputs = torch.empty(v + net.n_features, 3 * a, device=device)  # W_ih transposed, folded
        self.table, self.feature_w = self.inputs[:v], self.inputs[v:]
        self.w, self.b = torch.empty(a, 3 * a, device=device), torch.empty(3 * a, device=device)
        self.head_w, self.head_b = torch.empty(a, width, device=device), torch.empty(width, device=device)
        self.h = torch.empty(n, a, device=device)
        self.x_gates, self.h_gates = torch.empty(n, 3 * a, device=device), torch.empty(n, 3 * a, device=device)
        self.x_rz, self.x_n = self.x_gates[:, : 2 * a], self.x_gates[:, 2 * a :]
        self.h_rz, self.h_n = self.h_gates[:, : 2 * a], self.h_gates[:, 2 * a :]
        self.r, self.z = self.x_rz.chunk(2, 1)

    def load(self, net: SoloNet, head_bias: torch.Tensor) -> None:
        rnn, a = net.rnn, net.n_a
        self.inputs.copy_(rnn.weight_ih_l0.T)
        self.table.add_(rnn.bias_ih_l0)
        self.table[:, : 2 * a] += rnn.bias_hh_l0[: 2 * a]
        self.w.copy_(rnn.weight_hh_l0.T)
        self.b.zero_()
        self.b[2 * a :] = rnn.bias_hh_l0[2 * a :]  # the n gate's hidden bias sits inside r * (...)
        for weights in (self.inputs, self.w, self.b):
            weights[..., 2 * a :].mul_(2)  # the n gate
        for buffer, value in zip((self.head_w, self.head_b), padded_head(net, head_bias)):
            buffer.copy_(value)

    def reset(self) -> None:
        self.h.zero_()

    def feed(self, tok: torch.Tensor, logits: torch.Tensor, context: torch.Tensor | None = None) -> None:
        torch.index_select(self.table, 0, tok, out=self.x_gates)
        if context is not None:
            self.x_gates.add_(context)
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
