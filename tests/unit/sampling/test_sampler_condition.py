"""The conditioned sampler: each row's time moves on by the values it plays and picks its features."""

from __future__ import annotations

import pytest
import torch

from jazz_solo.net import SoloNet
from jazz_solo.sampling.sampler import Condition, sample

V, F = 12, 6


def make_net(cell: str = "lstm", seed: int = 0) -> SoloNet:
    torch.manual_seed(seed)
    net = SoloNet(V, 16, cell, n_features=F).eval()
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(3.0)
    return net


def make_condition(n: int, lengths=(10, 7), rows=None, seed: int = 1) -> Condition:
    g = torch.Generator().manual_seed(seed)
    features = torch.randint(0, 2, (len(lengths), max(lengths), F), generator=g).float()
    durations = torch.randint(1, 5, (V,), generator=g)
    rows = torch.arange(n) % len(lengths) if rows is None else rows
    return Condition(features, torch.tensor(lengths), rows, durations)


@torch.no_grad()
def reference_greedy(net: SoloNet, primer: torch.Tensor, length: int, condition: Condition) -> torch.Tensor:
    """Row by row, step by step, times in Python: the network's forward on one value and its features."""
    rows = []
    for r, start in enumerate(primer.tolist()):
        loop = int(condition.rows[r])
        tokens, time, state = list(start), 0, None
        for t in range(length - 1):
            tok = tokens[t]
            time += int(condition.durations[tok])
            features = condition.features[loop, time % int(condition.lengths[loop])]
            logits, state = net(torch.tensor([[tok]]), state, features=features[None, None])
            if t + 1 >= len(tokens):
                tokens.append(int(logits[0, -1].argmax()))
        rows.append(tokens)
    return torch.tensor(rows)


@pytest.mark.parametrize("cell", ["lstm", "rnn", "gru"])
@pytest.mark.parametrize("impl", ["fast", "naive"])
def test_conditioned_greedy_equals_a_step_by_step_loop(cell, impl):
    net = make_net(cell)
    primer = torch.randint(0, V, (6, 2), generator=torch.Generator().manual_seed(2))
    condition = make_condition(6)
    got = sample(net, primer, 25, condition=condition, impl=impl).tokens
    assert torch.equal(got, reference_greedy(net, primer, 25, condition))


@pytest.mark.parametrize("strategy", ["greedy", "sample"])
def test_the_numba_kernel_plays_the_progressions_as_the_torch_loop(strategy):
    pytest.importorskip("numba")
    net = make_net()
    primer = torch.randint(0, V, (5, 2), generator=torch.Generator().manual_seed(4))
    condition = make_condition(5, rows=torch.tensor([1, 0, 1, 1, 0]))
    runs = {}
    for impl in ("numba", "eager"):
        gen = torch.Generator().manual_seed(6)
        runs[impl] = sample(net, primer, 30, strategy, temperature=0.9, generator=gen, condition=condition, impl=impl)
    assert torch.equal(runs["numba"].tokens, runs["eager"].tokens)
    torch.testing.assert_close(runs["numba"].log_prob, runs["eager"].log_prob, atol=1e-3, rtol=1e-4)
    if strategy == "greedy":
        assert torch.equal(runs["numba"].tokens, reference_greedy(net, primer, 30, condition))


def test_the_features_change_the_values():
    net, primer = make_net(), torch.zeros(4, 1, dtype=torch.long)
    one = sample(net, primer, 30, condition=make_condition(4, seed=1)).tokens
    other = sample(net, primer, 30, condition=make_condition(4, seed=5)).tokens
    assert not torch.equal(one, other)


@pytest.mark.parametrize("strategy", ["greedy", "sample", "top_k", "top_p", "beam"])
def test_rows_over_different_progressions_in_one_batch_are_independent(strategy):
    net = make_net()
    primer = torch.randint(0, V, (5, 2), generator=torch.Generator().manual_seed(3))
    rows = torch.tensor([0, 1, 1, 0, 1])
    condition = make_condition(5, rows=rows)
    generators = [torch.Generator().manual_seed(10 + i) for i in range(5)]
    options = dict(temperature=0.9, top_k=4, top_p=0.8, beam_width=3)
    batch = sample(net, primer, 20, strategy, condition=condition, generator=generators, **options)
    for i in range(5):
        loop = int(rows[i])
        alone = Condition.one_loop(condition.features[loop, : condition.lengths[loop]], 1, condition.durations)
        gen = [torch.Generator().manual_seed(10 + i)]
        single = sample(net, primer[i : i + 1], 20, strategy, condition=alone, generator=gen, **options)
        assert torch.equal(batch.tokens[i], single.tokens[0])
        torch.testing.assert_close(batch.log_prob[i], single.log_prob[0])


def test_conditioned_beam_of_width_one_is_greedy_and_the_mask_holds():
    net, primer, condition = make_net(), torch.zeros(3, 1, dtype=torch.long), make_condition(3)
    greedy = sample(net, primer, 20, condition=condition)
    beam = sample(net, primer, 20, "beam", beam_width=1, condition=condition)
    assert torch.equal(beam.tokens[:, 0], greedy.tokens)
    mask = torch.zeros(V, dtype=torch.bool)
    mask[greedy.tokens[:, 1:].unique()] = True
    masked = sample(net, primer, 20, "sample", mask=mask, condition=condition, generator=torch.Generator())
    assert not mask[masked.tokens[:, 1:]].any()


def test_a_condition_is_needed_exactly_for_a_conditioned_network():
    primer = torch.zeros(2, 1, dtype=torch.long)
    with pytest.raises(ValueError, match="takes 6 features"):
        sample(make_net(), primer, 5)
    with pytest.raises(ValueError, match="takes 0 features"):
        sample(SoloNet(V, 8), primer, 5, condition=make_condition(2))
    with pytest.raises(ValueError, match="length must be in"):
        sample(make_net(), primer, 5, condition=make_condition(2, lengths=(0, 3)))


@pytest.mark.gpu
@pytest.mark.parametrize("strategy", ["greedy", "sample"])
def test_the_cuda_graph_plays_the_progressions_as_the_naive_loop(strategy, monkeypatch):
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    monkeypatch.setattr(torch.backends.cuda.matmul, "allow_tf32", False)
    net = make_net().cuda()
    primer = torch.randint(0, V, (64, 2), device="cuda")
    given = make_condition(64)
    condition = Condition(*(t.cuda() for t in (given.features, given.lengths, given.rows, given.durations)))
    runs = []
    for impl in ("fast", "fast", "naive"):  # the first captures the graph, the second replays it
        gen = torch.Generator("cuda").manual_seed(3)
        runs.append(sample(net, primer, 30, strategy, generator=gen, condition=condition, impl=impl).tokens)
    assert torch.equal(runs[0], runs[1]) and (runs[1] == runs[2]).float().mean() > 0.99
    if strategy == "greedy":
        assert torch.equal(runs[1].cpu(), reference_greedy(net.cpu(), primer.cpu(), 30, given))
