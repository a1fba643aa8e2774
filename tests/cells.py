"""The seed's recurrent cells written out, in its notation, as plain torch functions (autograd works).

Shapes follow the classic exercise: time is the last axis and examples are columns.

    n_x: input size (n_values), n_a: hidden units, n_y: output size (n_values)
    m: examples (batch), T_x: time steps
    x (n_x, m, T_x), xt (n_x, m), a0 / a_prev / c_prev (n_a, m)

RNN parameters: Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a), ba (n_a, 1), by (n_y, 1).
LSTM parameters act on the stacked input concat = [a_prev; xt] (n_a + n_x, m):
Wf, Wi, Wc, Wo (n_a, n_a + n_x) and bf, bi, bc, bo (n_a, 1) for the forget, update (input), candidate
and output gates; Wy (n_y, n_a) and by (n_y, 1) for the softmax head.

These are the reference for what SoloNet computes (tests check them against nn.RNN / nn.LSTM);
training and sampling use the batched torch modules and jazz_solo/sampling/.
"""

from __future__ import annotations

import torch

Parameters = dict[str, torch.Tensor]


def softmax(z: torch.Tensor) -> torch.Tensor:
    """Softmax over the first axis (the values), column by column."""
    return torch.softmax(z, dim=0)


def rnn_cell_forward(xt: torch.Tensor, a_prev: torch.Tensor, parameters: Parameters):
    """One RNN step: xt (n_x, m), a_prev (n_a, m) -> a_next (n_a, m), yt_pred (n_y, m), cache.

    a_next = tanh(Waa a_prev + Wax xt + ba); yt_pred = softmax(Wya a_next + by).
    cache = (a_next, a_prev, xt, parameters).
    """
    p = parameters
    a_next = torch.tanh(p["Waa"] @ a_prev + p["Wax"] @ xt + p["ba"])
    yt_pred = softmax(p["Wya"] @ a_next + p["by"])
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)


def rnn_forward(x: torch.Tensor, a0: torch.Tensor, parameters: Parameters):
    """The RNN over all T_x steps: x (n_x, m, T_x), a0 (n_a, m) -> a (n_a, m, T_x), y_pred (n_y, m, T_x), caches.

    caches = (list of the T_x cell caches, x).
    """
    a_next, states, preds, caches = a0, [], [], []
    for t in range(x.shape[2]):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        states.append(a_next)
        preds.append(yt_pred)
        caches.append(cache)
    return torch.stack(states, dim=2), torch.stack(preds, dim=2), (caches, x)


def lstm_cell_forward(xt: torch.Tensor, a_prev: torch.Tensor, c_prev: torch.Tensor, parameters: Parameters):
    """One LSTM step: xt (n_x, m), a_prev and c_prev (n_a, m) -> a_next, c_next (n_a, m), yt_pred (n_y, m), cache.

    With concat = [a_prev; xt]: ft, it, ot = sigmoid(W. concat + b.) (forget, update, output gates),
    cct = tanh(Wc concat + bc) (candidate), c_next = ft * c_prev + it * cct, a_next = ot * tanh(c_next),
    yt_pred = softmax(Wy a_next + by).
    cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters).
    """
    p = parameters
    concat = torch.cat([a_prev, xt], dim=0)
    ft = torch.sigmoid(p["Wf"] @ concat + p["bf"])
    it = torch.sigmoid(p["Wi"] @ concat + p["bi"])
    cct = torch.tanh(p["Wc"] @ concat + p["bc"])
    ot = torch.sigmoid(p["Wo"] @ concat + p["bo"])
    c_next = ft * c_prev + it * cct
    a_next = ot * torch.tanh(c_next)
    yt_pred = softmax(p["Wy"] @ a_next + p["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_forward(x: torch.Tensor, a0: torch.Tensor, parameters: Parameters):
    """The LSTM over all T_x steps, starting from a0 and a zero cell state.

    x (n_x, m, T_x), a0 (n_a, m) -> a (n_a, m, T_x), y (n_y, m, T_x), c (n_a, m, T_x), caches
    where caches = (list of the T_x cell caches, x).
    """
    a_next, c_next = a0, torch.zeros_like(a0)
    states, preds, cells, caches = [], [], [], []
    for t in range(x.shape[2]):
        a_next, c_next, yt_pred, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        states.append(a_next)
        preds.append(yt_pred)
        cells.append(c_next)
        caches.append(cache)
    return torch.stack(states, dim=2), torch.stack(preds, dim=2), torch.stack(cells, dim=2), (caches, x)


def rnn_parameters(rnn: torch.nn.RNN, head: torch.nn.Linear) -> Parameters:
    """The seed's RNN parameters from a one-layer tanh nn.RNN and its linear head (views: gradients flow back)."""
    return {
        "Wax": rnn.weight_ih_l0,
        "Waa": rnn.weight_hh_l0,
        "ba": (rnn.bias_ih_l0 + rnn.bias_hh_l0)[:, None],
        "Wya": head.weight,
        "by": head.bias[:, None],
    }


def lstm_parameters(lstm: torch.nn.LSTM, head: torch.nn.Linear) -> Parameters:
    """The seed's LSTM parameters from a one-layer nn.LSTM and its linear head (views: gradients flow back).

    torch stacks the gates as (input, forget, cell, output) rows and keeps input and hidden weights apart;
    the seed names them update (i), forget (f), candidate (c), output (o) and stacks [a_prev; xt] columns.
    """
    w_ih, w_hh = lstm.weight_ih_l0.chunk(4), lstm.weight_hh_l0.chunk(4)
    b = (lstm.bias_ih_l0 + lstm.bias_hh_l0).chunk(4)
    params = {}
    for k, name in enumerate("ifco"):
        params[f"W{name}"] = torch.cat([w_hh[k], w_ih[k]], dim=1)
        params[f"b{name}"] = b[k][:, None]
    params["Wy"], params["by"] = head.weight, head.bias[:, None]
    return params
