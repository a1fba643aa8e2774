"""The sampler on a grid: no row ever plays a value the grid does not allow where it stands, in every strategy
and implementation, and the log-probability is the network's renormalised over the values allowed."""

from __future__ import annotations

import pytest
import torch

from jazz_solo.net import SoloNet
from jazz_solo.sampling.grid import Grid
from jazz_solo.sampling.sampler import Condition, sample
from jazz_solo.scoring import prefix_log_probs

V, F, PERIOD = 12, 6, 6


def make_net(n_features: int = 0, cell: str = "lstm") -> SoloNet:
    torch.manual_seed(0)
    net = SoloNet(V, 16, cell, n_features=n_features).eval()
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(3.0)
    return net


def make_grid(seed: int = 1) -> Grid:
    """About half the values allowed at each position, at least one."""
    g = torch.Generator().manual_seed(seed)
    allowed = torch.rand(PERIOD, V, generator=g) < 0.5
    allowed[torch.arange(PERIOD), torch.randint(0, V, (PERIOD,), generator=g)] = True
    return Grid(allowed, torch.randint(1, 5, (V,), generator=g))


def make_condition(n: int, durations: torch.Tensor) -> Condition:
    g = torch.Generator().manual_seed(3)
    features = torch.randint(0, 2, (2, 9, F), generator=g).float()
    return Condition(features, torch.tensor([9, 7]), torch.arange(n) % 2, durations)


def assert_on_the_grid(tokens: torch.Tensor, grid: Grid, p: int) -> None:
    """Every generated value (after the primer's p) allowed where its row stood."""
    stood = grid.positions(tokens)[:, p - 1 : -1]  # where each generated value starts
    assert bool(grid.allowed[stood, tokens[:, p:]].all())


def teacher_log_prob(net: SoloNet, tokens: torch.Tensor, grid: Grid, condition=None) -> torch.Tensor:
    """(n,) the log-probability of the values after the first (the primer), the network renormalised over the
    values allowed: the timed solos' scoring."""
    n, length = tokens.shape
    return prefix_log_probs(net, tokens, torch.full((n,), length), None, condition, grid)


STRATEGIES = ["greedy", "sample", "top_k", "top_p"]


@pytest.mark.parametrize("impl", ["eager", "naive", "numba"])
@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("conditioned", [False, True])
def test_every_value_is_allowed_where_its_row_stands_and_scored_renormalised(impl, strategy, conditioned):
    if impl == "numba":
        pytest.importorskip("numba")
        if strategy not in ("greedy", "sample"):
            pytest.skip("numba runs greedy or sample")
    net, grid = make_net(F if conditioned else 0), make_grid()
    primer = torch.randint(0, V, (7, 1), generator=torch.Generator().manual_seed(2))  # maybe off the grid
    condition = make_condition(7, grid.durations) if conditioned else None
    gen = torch.Generator().manual_seed(5)
    got = sample(net, primer, 40, strategy, generator=gen, condition=condition, grid=grid, impl=impl, top_k=3)
    assert_on_the_grid(got.tokens, grid, 1)
    torch.testing.assert_close(got.log_prob, teacher_log_prob(net, got.tokens, grid, condition), atol=1e-3, rtol=0)


@pytest.mark.parametrize("strategy", ["greedy", "sample"])
def test_the_numba_kernel_keeps_the_grid_as_the_torch_loop(strategy):
    pytest.importorskip("numba")
    net, grid = make_net(), make_grid()
    primer = torch.randint(0, V, (5, 1), generator=torch.Generator().manual_seed(4))
    runs = {
        impl: sample(net, primer, 30, strategy, generator=torch.Generator().manual_seed(6), grid=grid, impl=impl)
        for impl in ("numba", "eager")
    }
    assert torch.equal(runs["numba"].tokens, runs["eager"].tokens)
    torch.testing.assert_close(runs["numba"].log_prob, runs["eager"].log_prob, atol=1e-3, rtol=1e-4)


def test_beams_keep_the_grid_and_score_renormalised():
    net, grid = make_net(), make_grid()
    primer = torch.randint(0, V, (3, 1), generator=torch.Generator().manual_seed(2))
    got = sample(net, primer, 12, "beam", beam_width=2, grid=grid)
    for beam in range(2):
        tokens = got.tokens[:, beam]
        assert_on_the_grid(tokens, grid, 1)
        torch.testing.assert_close(got.log_prob[:, beam], teacher_log_prob(net, tokens, grid), atol=1e-4, rtol=0)


def test_the_grid_changes_the_values_and_an_all_allowing_grid_does_not():
    net, primer = make_net(), torch.zeros(4, 1, dtype=torch.long)
    free = sample(net, primer, 30, impl="eager")
    everywhere = Grid(torch.ones(PERIOD, V, dtype=torch.bool), make_grid().durations)
    assert torch.equal(sample(net, primer, 30, grid=everywhere, impl="eager").tokens, free.tokens)
    assert not torch.equal(sample(net, primer, 30, grid=make_grid(), impl="eager").tokens, free.tokens)


def test_where_the_grid_and_the_mask_leave_nothing_the_grid_gives_way():
    net, grid = make_net(), make_grid()
    mask = torch.ones(V, dtype=torch.bool)
    mask[0] = False  # value 0 alone may be played, wherever the grid stands
    got = sample(net, torch.zeros(3, 1, dtype=torch.long), 20, "sample", mask=mask, grid=grid)
    assert bool((got.tokens == 0).all()) and torch.allclose(got.log_prob, torch.zeros(3), atol=1e-5)


def test_a_grid_of_the_wrong_shape_says_so():
    grid = Grid(torch.ones(PERIOD, V - 1, dtype=torch.bool), torch.ones(V - 1, dtype=torch.long))
    with pytest.raises(ValueError, match="the grid must give allowed"):
        sample(make_net(), torch.zeros(1, 1, dtype=torch.long), 5, grid=grid)


@pytest.mark.gpu
@pytest.mark.parametrize("strategy", ["greedy", "sample", "top_p"])
def test_the_cuda_graph_keeps_the_grid_and_scores_renormalised(strategy, monkeypatch):
    monkeypatch.setattr(torch.backends.cuda.matmul, "allow_tf32", False)  # full float32, as on CPU
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    net, grid = make_net().cuda(), make_grid()
    primer = torch.randint(0, V, (64, 1), device="cuda")
    for _ in range(2):  # captured, then replayed
        got = sample(net, primer, 30, strategy, generator=torch.Generator("cuda").manual_seed(3), grid=grid)
        assert_on_the_grid(got.tokens, grid.to("cuda"), 1)
        expected = teacher_log_prob(net, got.tokens, grid)
        torch.testing.assert_close(got.log_prob, expected, atol=1e-3, rtol=0)
