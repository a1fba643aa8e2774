"""The network (plain torch, no Lightning): a recurrent cell over values (and condition features) + a softmax head.

Kept apart from the LightningModule so generation can load a checkpoint without importing
Lightning (about 2 s of start-up); the checkpoint format is checkpoint.py's.
"""

from __future__ import annotations

import warnings

import torch
from torch import nn
from torch.nn.utils import parametrize

RECURRENT = {"lstm": nn.LSTM, "rnn": nn.RNN, "gru": nn.GRU}
RECURRENCE = {"lstm": torch.lstm, "rnn": torch.rnn_tanh, "gru": torch.gru}  # their ops, for a projected input


class SharedRows(nn.Module):
    """A weight's value rows, each its own row plus one learnt row per group the value belongs to.

    groups: (k, n_values) int64, each value's group in k partitions of the vocabulary (its pitch or role,
    its length). Values that share a pitch, or a length, then learn from each other's notes, where a joint
    vocabulary gives a rare (pitch, length) pair only its own few. The composed weight is an ordinary one
    (a torch parametrization): every sampler path reads it as it reads a plain weight. The group rows start
    at zero, so a fresh network starts as a plain one. `columns`: the values are the weight's first
    n_values columns (an input weight) rather than its rows (the head).
    """

    def __init__(self, groups: torch.Tensor, width: int, columns: bool = False):
        super().__init__()
        self.columns = columns
        self.register_buffer("groups", groups, persistent=False)  # rebuilt from the vocabulary
        self.rows = nn.ParameterList(nn.Parameter(torch.zeros(int(g.max()) + 1, width)) for g in groups)

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        own = weight.T if self.columns else weight  # (n_values [+ n_features], width)
        n = self.groups.shape[1]
        values = own[:n] + sum(rows[group] for rows, group in zip(self.rows, self.groups))
        composed = torch.cat([values, own[n:]])
        return composed.T if self.columns else composed


class TiedInput(nn.Module):
    """The values' input weights made of the head's rows (weight tying): W_ih's value column for value v is
    map @ head_row(v), where map (gates, n_a) is learnt, so a value's input and output weights are one row
    and every row learns from both ends. The condition features' columns stay W_ih's own, and they alone are
    saved as its original. Like SharedRows, the composed weight is an ordinary one for every sampler path.
    """

    def __init__(self, head: nn.Linear, n_values: int, gates: int):
        super().__init__()
        self.n_values = n_values
        self.head_of = (head,)  # a tuple: read, not registered as this module's child (it is the net's)
        n_a = head.in_features
        self.map = nn.Parameter(torch.empty(gates, n_a).uniform_(-(n_a**-0.5), n_a**-0.5))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """features: the condition features' columns (gates, n_features) -> W_ih (gates, n_values + n_features)."""
        # .to(map): net.to() converts the cell (and map) before the head, and the cell reads its weights at once
        values = self.map @ self.head_of[0].weight.to(self.map).T  # (gates, n_values)
        return torch.cat([values, features], 1)

    def right_inverse(self, weight: torch.Tensor) -> torch.Tensor:
        return weight[:, self.n_values :]


class SoloNet(nn.Module):
    """Values (batch, T) -> logits (batch, T, n_values), through a recurrent cell and a softmax head.

    The cell's input at each step is the value's one-hot (n_values) followed by n_features condition
    features (model.condition=chords: the chord and the bar position there; chords_tempo: and the tempo;
    0 features by default).
    With many values, the input projection W_ih x is computed as a row lookup (`lookup`): the value's
    column of W_ih plus the features' product, then the recurrent op runs on it with the identity as
    input weights. That replaces a (batch T, n_values) x (n_values, gates) product that is almost all
    zeros by a (batch T, gates) x (gates, gates) one, so it pays once the input is wider than the gates
    (1 thread, batch 64, Tx 30, n_a 64: a training step at 2800 values takes 75 ms instead of 250 ms;
    at 78 values the one-hot product is the cheaper one: 12 ms against 20 ms). The maths and the weights are nn.LSTM's /
    nn.RNN's / nn.GRU's either way (`self.rnn`, whose state_dict a checkpoint holds; with `groups`, its
    input weight and the head's are SharedRows' compositions, saved as their parts).
    """

    def __init__(
        self,
        n_values: int,
        n_a: int = 64,
        cell: str = "lstm",
        dropout: float = 0.0,
        n_features: int = 0,
        groups: torch.Tensor | None = None,
        weight_drop: float = 0.0,
        tied: bool = False,
        value_drop: float = 0.0,
        silent_features: int = 0,
    ):
        """groups: (k, n_values) int64, for weights shared by the values of a group (SharedRows).
        tied: the values' input weights are made of the head's rows (TiedInput).
        weight_drop: while training, each forward drops this share of the recurrent weights (DropConnect on
        W_hh, the same mask at every step, as AWD-LSTM does): the state cannot lean on any one connection.
        value_drop: while training, each forward leaves this share of the values unheard wherever they come
        (their input columns zeroed, the others scaled up: AWD-LSTM's embedding dropout), so the network learns
        to go on from a value it cannot rely on, as after one it sampled itself.
        silent_features: the last this many features' input weights start at zero, so one that training never
        turns on (a tempo no training solo reaches) adds nothing later, rather than random weights."""
        super().__init__()
        self.n_values, self.n_a, self.cell, self.n_features = n_values, n_a, cell, n_features
        self.weight_drop, self.value_drop = weight_drop, value_drop
        self.rnn = RECURRENT[cell](n_values + n_features, n_a, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(n_a, n_values)
        with torch.no_grad():  # before the parametrizations below, which take the weight as it is then
            self.rnn.weight_ih_l0[:, self.rnn.weight_ih_l0.shape[1] - silent_features :] = 0
        # the recurrent op's input weights once the input is projected (not saved: state_dicts unchanged)
        gates = self.rnn.weight_ih_l0.shape[0]
        # recur() is also where the recurrent weights are dropped, and it takes shared weights as computed
        # tensors (nn.LSTM's own forward would flatten them for cuDNN in place)
        self.lookup = n_values + n_features > gates or weight_drop > 0 or groups is not None or tied or value_drop > 0
        self.register_buffer("identity", torch.eye(gates), persistent=False)
        if groups is not None:
            parametrize.register_parametrization(self.head, "weight", SharedRows(groups, n_a))
        if tied:  # the input then takes the head's rows, shared ones included
            parametrize.register_parametrization(self.rnn, "weight_ih_l0", TiedInput(self.head, n_values, gates))
        elif groups is not None:
            parametrize.register_parametrization(self.rnn, "weight_ih_l0", SharedRows(groups, gates, columns=True))

    def forward(self, x: torch.Tensor, state=None, features: torch.Tensor | None = None) -> tuple[torch.Tensor, object]:
        """x -> (logits (batch, T, n_values), final state).

        x: value indices (batch, T) int64, a negative index (windows.PAD) standing for a zero input;
        or the one-hot values themselves (batch, T, n_values) float, as the exercise writes them.
        features: (batch, T, n_features) float, when n_features > 0.
        The state is (h, c) for an LSTM, each (1, batch, n_a), and h alone otherwise.
        """
        out, state = self.hidden(x, state, features)
        return self.head(self.dropout(out)), state

    def hidden(self, x: torch.Tensor, state=None, features: torch.Tensor | None = None) -> tuple[torch.Tensor, object]:
        """forward without the head: x (and features) as there -> (the cell's outputs (batch, T, n_a), final state)."""
        if (features is None) != (self.n_features == 0):
            raise ValueError(f"this network takes {self.n_features} features per step; got {features is not None}")
        if not x.is_floating_point() and self.lookup:
            return self.recur(self.project(x, features), state)
        if not x.is_floating_point():
            x = nn.functional.one_hot(x.clamp(min=0), self.n_values) * (x >= 0)[..., None]
        x = x.to(self.rnn.weight_ih_l0.dtype)
        inputs = x if features is None else torch.cat([x, features.to(x.dtype)], -1)
        if self.lookup:  # the projection by a product, then the same recur() as the row lookup's
            return self.recur(inputs @ self.input_weight().T, state)
        return self.rnn(inputs, state)

    def project(self, values: torch.Tensor, features: torch.Tensor | None = None) -> torch.Tensor:
        """W_ih [one_hot(values); features] without its bias: (batch, T) int64 -> (batch, T, gates)."""
        w = self.input_weight()  # (gates, n_values + n_features)
        projected = nn.functional.embedding(values.clamp(min=0), w[:, : self.n_values].T)
        projected = projected * (values >= 0)[..., None].to(projected.dtype)
        if features is not None:
            projected = projected + features @ w[:, self.n_values :].T
        return projected

    def input_weight(self) -> torch.Tensor:
        """W_ih (gates, n_values + n_features); while training with value_drop, some values' columns zeroed."""
        w = self.rnn.weight_ih_l0
        if not (self.training and self.value_drop > 0):
            return w
        keep = w.new_empty(self.n_values).bernoulli_(1 - self.value_drop) / (1 - self.value_drop)
        return torch.cat([w[:, : self.n_values] * keep, w[:, self.n_values :]], 1)

    def recur(self, projected: torch.Tensor, state=None) -> tuple[torch.Tensor, object]:
        """The recurrent op on an already projected input (batch, T, gates): nn.LSTM's (or RNN's, GRU's)
        own kernel (cuDNN on CUDA), given the identity as input weights, so the rest is its maths."""
        rnn, batch = self.rnn, projected.shape[0]
        if state is None:
            zeros = projected.new_zeros(1, batch, self.n_a)
            state = (zeros, zeros) if self.cell == "lstm" else zeros
        recurrent = nn.functional.dropout(rnn.weight_hh_l0, self.weight_drop, self.training)
        weights = (self.identity.to(projected.dtype), recurrent, rnn.bias_ih_l0, rnn.bias_hh_l0)
        with warnings.catch_warnings():  # cuDNN copies these few weights into one buffer per call: known, cheap
            warnings.filterwarnings("ignore", "RNN module weights are not part of single contiguous chunk")
            out, *final = RECURRENCE[self.cell](projected, state, weights, True, 1, 0.0, self.training, False, True)
        return out, tuple(final) if self.cell == "lstm" else final[0]
