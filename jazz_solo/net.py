"""The network (plain torch, no Lightning): a recurrent cell over values (and condition features) + a softmax head.

Kept apart from the LightningModule so generation can load a checkpoint without importing
Lightning (about 2 s of start-up); the checkpoint format is checkpoint.py's.
"""

from __future__ import annotations

import warnings

import torch
from torch import nn

RECURRENT = {"lstm": nn.LSTM, "rnn": nn.RNN, "gru": nn.GRU}
RECURRENCE = {"lstm": torch.lstm, "rnn": torch.rnn_tanh, "gru": torch.gru}  # their ops, for a projected input


class SoloNet(nn.Module):
    """Values (batch, T) -> logits (batch, T, n_values), through a recurrent cell and a softmax head.

    The cell's input at each step is the value's one-hot (n_values) followed by n_features condition
    features (model.condition=chords: the chord and the bar position there; 0 features by default).
    With many values, the input projection W_ih x is computed as a row lookup (`lookup`): the value's
    column of W_ih plus the features' product, then the recurrent op runs on it with the identity as
    input weights. That replaces a (batch T, n_values) x (n_values, gates) product that is almost all
    zeros by a (batch T, gates) x (gates, gates) one, so it pays once the input is wider than the gates
    (1 thread, batch 64, Tx 30, n_a 64: a training step at 2800 values takes 75 ms instead of 250 ms;
    at 78 values the one-hot product is the cheaper one: 12 ms against 20 ms). The maths and the weights are nn.LSTM's /
    nn.RNN's / nn.GRU's either way (`self.rnn`, whose state_dict a checkpoint holds).
    """

    def __init__(self, n_values: int, n_a: int = 64, cell: str = "lstm", dropout: float = 0.0, n_features: int = 0):
        super().__init__()
        self.n_values, self.n_a, self.cell, self.n_features = n_values, n_a, cell, n_features
        self.rnn = RECURRENT[cell](n_values + n_features, n_a, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(n_a, n_values)
        # the recurrent op's input weights once the input is projected (not saved: state_dicts unchanged)
        gates = self.rnn.weight_ih_l0.shape[0]
        self.lookup = n_values + n_features > gates
        self.register_buffer("identity", torch.eye(gates), persistent=False)

    def forward(self, x: torch.Tensor, state=None, features: torch.Tensor | None = None) -> tuple[torch.Tensor, object]:
        """x -> (logits (batch, T, n_values), final state).

        x: value indices (batch, T) int64, a negative index (windows.PAD) standing for a zero input;
        or the one-hot values themselves (batch, T, n_values) float, as the exercise writes them.
        features: (batch, T, n_features) float, when n_features > 0.
        The state is (h, c) for an LSTM, each (1, batch, n_a), and h alone otherwise.
        """
        if (features is None) != (self.n_features == 0):
            raise ValueError(f"this network takes {self.n_features} features per step; got {features is not None}")
        if not x.is_floating_point() and self.lookup:
            out, state = self.recur(self.project(x, features), state)
        else:
            if not x.is_floating_point():
                x = nn.functional.one_hot(x.clamp(min=0), self.n_values) * (x >= 0)[..., None]
            x = x.to(self.rnn.weight_ih_l0.dtype)
            out, state = self.rnn(x if features is None else torch.cat([x, features.to(x.dtype)], -1), state)
        return self.head(self.dropout(out)), state

    def project(self, values: torch.Tensor, features: torch.Tensor | None = None) -> torch.Tensor:
        """W_ih [one_hot(values); features] without its bias: (batch, T) int64 -> (batch, T, gates)."""
        w = self.rnn.weight_ih_l0  # (gates, n_values + n_features)
        projected = nn.functional.embedding(values.clamp(min=0), w[:, : self.n_values].T)
        projected = projected * (values >= 0)[..., None].to(projected.dtype)
        if features is not None:
            projected = projected + features @ w[:, self.n_values :].T
        return projected

    def recur(self, projected: torch.Tensor, state=None) -> tuple[torch.Tensor, object]:
        """The recurrent op on an already projected input (batch, T, gates): nn.LSTM's (or RNN's, GRU's)
        own kernel (cuDNN on CUDA), given the identity as input weights, so the rest is its maths."""
        rnn, batch = self.rnn, projected.shape[0]
        if state is None:
            zeros = projected.new_zeros(1, batch, self.n_a)
            state = (zeros, zeros) if self.cell == "lstm" else zeros
        weights = (self.identity.to(projected.dtype), rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0)
        with warnings.catch_warnings():  # cuDNN copies these few weights into one buffer per call: known, cheap
            warnings.filterwarnings("ignore", "RNN module weights are not part of single contiguous chunk")
            out, *final = RECURRENCE[self.cell](projected, state, weights, True, 1, 0.0, self.training, False, True)
        return out, tuple(final) if self.cell == "lstm" else final[0]
