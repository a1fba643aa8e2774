"""The seed's cells (jazz_solo/cells.py) compute what torch's nn.RNN / nn.LSTM + a linear softmax head compute."""

from __future__ import annotations

import pytest
import torch
from cells import lstm_forward, lstm_parameters, rnn_forward, rnn_parameters
from torch import nn

N_X, N_A, M, T_X = 7, 5, 4, 6


def inputs(seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """x in the seed's layout (n_x, m, T_x), a0 (n_a, m), and targets (m, T_x)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(N_X, M, T_X, generator=g, dtype=torch.float64)
    a0 = torch.randn(N_A, M, generator=g, dtype=torch.float64)
    return x, a0, torch.randint(0, N_X, (M, T_X), generator=g)


def nll(y: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Negative log-likelihood of targets (m, T_x) under probabilities y (n_y, m, T_x)."""
    return -torch.log(y.gather(0, targets[None])).sum()


def grads(modules: list[nn.Module]) -> list[torch.Tensor]:
    found = [p.grad.clone() for m in modules for p in m.parameters()]
    for m in modules:
        m.zero_grad()
    return found


@pytest.mark.parametrize("seed", [0, 1])
def test_rnn_forward_equals_nn_rnn_and_head(seed):
    torch.manual_seed(seed)
    rnn, head = nn.RNN(N_X, N_A, batch_first=True).double(), nn.Linear(N_A, N_X).double()
    x, a0, targets = inputs(seed)

    a, y_pred, (caches, x_cached) = rnn_forward(x, a0, rnn_parameters(rnn, head))
    assert a.shape == (N_A, M, T_X) and y_pred.shape == (N_X, M, T_X) and len(caches) == T_X
    assert x_cached is x
    nll(y_pred, targets).backward()
    ours = grads([rnn, head])

    out, _ = rnn(x.permute(1, 2, 0), a0.T[None].contiguous())  # (m, T_x, n_a)
    probs = torch.softmax(head(out), dim=-1).permute(2, 0, 1)
    torch.testing.assert_close(a, out.permute(2, 0, 1), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(y_pred, probs, atol=1e-5, rtol=1e-5)
    nll(probs, targets).backward()
    for mine, theirs in zip(ours, grads([rnn, head]), strict=True):
        torch.testing.assert_close(mine, theirs, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("seed", [0, 1])
def test_lstm_forward_equals_nn_lstm_and_head(seed):
    torch.manual_seed(seed)
    lstm, head = nn.LSTM(N_X, N_A, batch_first=True).double(), nn.Linear(N_A, N_X).double()
    x, a0, targets = inputs(seed)

    a, y, c, (caches, _) = lstm_forward(x, a0, lstm_parameters(lstm, head))
    assert a.shape == c.shape == (N_A, M, T_X) and y.shape == (N_X, M, T_X) and len(caches) == T_X
    nll(y, targets).backward()
    ours = grads([lstm, head])

    h0, c0 = a0.T[None].contiguous(), torch.zeros(1, M, N_A, dtype=torch.float64)
    out, (_, c_last) = lstm(x.permute(1, 2, 0), (h0, c0))
    probs = torch.softmax(head(out), dim=-1).permute(2, 0, 1)
    torch.testing.assert_close(a, out.permute(2, 0, 1), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(c[:, :, -1], c_last[0].T, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(y, probs, atol=1e-5, rtol=1e-5)
    nll(probs, targets).backward()
    for mine, theirs in zip(ours, grads([lstm, head]), strict=True):
        torch.testing.assert_close(mine, theirs, atol=1e-5, rtol=1e-5)


def test_cells_in_float32_match_to_1e5():
    """The same check in the precision training uses."""
    torch.manual_seed(2)
    lstm, head = nn.LSTM(N_X, N_A, batch_first=True), nn.Linear(N_A, N_X)
    x, a0, _ = (t.float() if t.is_floating_point() else t for t in inputs(2))
    a, y, _, _ = lstm_forward(x, a0, lstm_parameters(lstm, head))
    out, _ = lstm(x.permute(1, 2, 0), (a0.T[None].contiguous(), torch.zeros(1, M, N_A)))
    torch.testing.assert_close(a, out.permute(2, 0, 1), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(y, torch.softmax(head(out), -1).permute(2, 0, 1), atol=1e-5, rtol=1e-5)
