"""The batched sampler: the fast step equals the network's own step, and every strategy draws what it says."""

from __future__ import annotations

import itertools

import pytest
import torch

from jazz_solo.net import SoloNet
from jazz_solo.sampling import sampler
from jazz_solo.sampling.sampler import sample

# chi-square critical values at p = 0.001 (so a correct sampler fails one seed in a thousand)
CHI2_999 = {4: 18.467, 11: 31.264}


def make_net(cell: str = "lstm", n_values: int = 12, n_a: int = 16, seed: int = 0, scale: float = 3.0) -> SoloNet:
    """An untrained net with larger weights, so its choices are far from ties."""
    torch.manual_seed(seed)
    net = SoloNet(n_values, n_a, cell).eval()
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(scale)
    return net


def teacher_logits(net: SoloNet, tokens: torch.Tensor) -> torch.Tensor:
    """Logits (n, L - 1, V) the network gives for tokens[:, 1:] after reading tokens (n, L)."""
    with torch.no_grad():
        return net(torch.nn.functional.one_hot(tokens[:, :-1], net.n_values).float())[0]


def assert_same_until_near_tie(fast: torch.Tensor, naive: torch.Tensor, net: SoloNet, p: int, gap: float = 1e-4):
    """Greedy rows agree everywhere, except after a step where the two best logits are within `gap`
    (float rounding may then pick either); most rows must have no such step."""
    top2 = teacher_logits(net, naive).topk(2, -1).values
    near_tie = (top2[..., 0] - top2[..., 1] < gap)[:, p - 1 :]
    first_tie = torch.where(near_tie.any(1), near_tie.float().argmax(1), near_tie.shape[1])
    for row in range(len(naive)):
        end = p + int(first_tie[row]) + 1
        assert torch.equal(fast[row, :end], naive[row, :end]), f"row {row} differs before any near tie"
    assert (first_tie == near_tie.shape[1]).float().mean() > 0.9


@pytest.mark.parametrize("cell", ["lstm", "rnn", "gru"])
def test_fast_greedy_equals_the_naive_loop(cell):
    net = make_net(cell, n_values=30, n_a=24)
    primer = torch.randint(0, 30, (64, 3), generator=torch.Generator().manual_seed(1))
    fast = sample(net, primer, 40, impl="fast")
    naive = sample(net, primer, 40, impl="naive")
    assert fast.tokens.shape == (64, 40) and torch.equal(fast.tokens[:, :3], primer)
    assert_same_until_near_tie(fast.tokens, naive.tokens, net, p=3)
    torch.testing.assert_close(fast.log_prob, naive.log_prob, atol=1e-3, rtol=1e-4)


@pytest.mark.gpu
@pytest.mark.parametrize("strategy", ["greedy", "sample", "top_p"])
def test_cuda_graph_sampler_equals_the_naive_loop_and_follows_new_weights(strategy, monkeypatch):
    # full float32 in cuDNN's LSTM (the naive loop) and cuBLAS, as on CPU
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    monkeypatch.setattr(torch.backends.cuda.matmul, "allow_tf32", False)
    net = make_net(n_values=30, n_a=24).cuda()
    primer = torch.randint(0, 30, (256, 2), device="cuda")

    def both() -> tuple[torch.Tensor, torch.Tensor]:
        runs = []
        for impl in ("fast", "naive"):
            gen = torch.Generator("cuda").manual_seed(3)
            runs.append(sample(net, primer, 30, strategy, temperature=0.8, generator=gen, impl=impl).tokens)
        return runs[0], runs[1]

    fast, naive = both()  # captures the graph
    if strategy == "greedy":
        assert_same_until_near_tie(fast, naive, net, p=2)
    else:
        assert (fast == naive).float().mean() > 0.99
    assert torch.equal(both()[0], fast)  # replayed: same values
    with torch.no_grad():
        net.head.bias.add_(torch.linspace(-2, 2, 30, device="cuda"))
    fast, naive = both()  # the cached graph reads the new weights
    if strategy == "greedy":
        assert_same_until_near_tie(fast, naive, net, p=2)
    else:
        assert (fast == naive).float().mean() > 0.99


def first_step_counts(strategy: str, draws: int, **kwargs) -> tuple[torch.Tensor, torch.Tensor]:
    """Counts of the first generated value over `draws` rows with the same primer, and its logits."""
    net = make_net(n_values=12, scale=1.5)
    primer = torch.tensor([[4, 7]]).expand(draws, 2)
    gen = torch.Generator().manual_seed(11)
    tokens = sample(net, primer, 3, strategy, generator=gen, **kwargs).tokens[:, 2]
    with torch.no_grad():
        logits = net(torch.nn.functional.one_hot(primer[:1], 12).float())[0][0, -1]
    return torch.bincount(tokens, minlength=12).double(), logits.double()


def chi_square(counts: torch.Tensor, probs: torch.Tensor) -> tuple[float, int]:
    """Pearson's statistic over the values with positive probability, and its degrees of freedom."""
    support = probs > 0
    assert counts[~support].sum() == 0, "drew a value of probability 0"
    expected = probs[support] * counts.sum()
    return float(((counts[support] - expected) ** 2 / expected).sum()), int(support.sum()) - 1


def test_sampling_draws_from_softmax_at_the_temperature():
    counts, logits = first_step_counts("sample", 20_000, temperature=0.7)
    stat, dof = chi_square(counts, torch.softmax(logits / 0.7, -1))
    assert stat < CHI2_999[dof]
    # the test has power: the distribution at temperature 1 is rejected
    assert chi_square(counts, torch.softmax(logits, -1))[0] > CHI2_999[dof]


def test_top_k_and_top_p_draw_from_the_renormalised_head():
    counts, logits = first_step_counts("top_k", 20_000, top_k=5, temperature=0.9)
    probs = torch.softmax(logits / 0.9, -1)
    kept = torch.zeros_like(probs).scatter(0, probs.topk(5).indices, 1.0)
    stat, dof = chi_square(counts, probs * kept / (probs * kept).sum())
    assert dof == 4 and stat < CHI2_999[dof]

    counts, logits = first_step_counts("top_p", 20_000, top_p=0.8)
    probs = torch.softmax(logits, -1)
    ranked, order = probs.sort(descending=True)
    size = int(((ranked.cumsum(0) - ranked) < 0.8).sum())
    kept = torch.zeros_like(probs).scatter(0, order[:size], 1.0)
    stat, dof = chi_square(counts, probs * kept / (probs * kept).sum())
    assert stat < CHI2_999.get(dof, 1e9) and 1 <= size < 12


@pytest.mark.parametrize("strategy", ["greedy", "sample", "top_k", "top_p", "beam"])
def test_never_emits_a_value_outside_the_allowed_set(strategy):
    net = make_net(n_values=20, scale=1.0)
    mask = torch.zeros(20, dtype=torch.bool)
    mask[[0, 3, 4, 11]] = True
    primer = torch.randint(0, 20, (300, 1), generator=torch.Generator().manual_seed(2))
    out = sample(
        net,
        primer,
        25,
        strategy,
        top_k=3,
        top_p=0.6,
        beam_width=3,
        mask=mask,
        temperature=1.3,
        generator=torch.Generator().manual_seed(5),
    )
    tokens = out.tokens.reshape(-1, 25)
    assert not mask[tokens[:, 1:]].any()
    logits = teacher_logits(net, tokens).masked_fill(mask, float("-inf"))
    emitted = tokens[:, 1:]
    slack = 1e-4  # teacher forcing rounds differently from step-by-step sampling
    if strategy == "top_k":
        kth = logits.topk(3, -1).values[..., -1]
        assert (logits.gather(2, emitted[..., None])[..., 0] >= kth - slack).all()
    if strategy == "top_p":
        probs = torch.softmax(logits / 1.3, -1)
        ranked = probs.sort(-1, descending=True).values
        before = ranked.cumsum(-1) - ranked  # mass of the more likely values
        smallest_kept = torch.where(before < 0.6 + slack, ranked, 1.0).amin(-1)
        assert (probs.gather(2, emitted[..., None])[..., 0] >= smallest_kept - slack).all()


def test_top_k_wider_than_the_allowed_values_draws_only_allowed_ones():
    net = make_net(n_values=20, scale=1.0)
    mask = torch.ones(20, dtype=torch.bool)
    mask[[2, 7, 19]] = False  # 3 values allowed, top_k 10
    primer = torch.full((500, 1), 2)
    out = sample(net, primer, 12, "top_k", top_k=10, mask=mask, generator=torch.Generator().manual_seed(4))
    assert set(out.tokens[:, 1:].unique().tolist()) == {2, 7, 19}


@pytest.mark.parametrize("cell", ["lstm", "rnn", "gru"])
def test_steppers_load_the_networks_own_bias_and_pad_the_logits_with_minus_infinity(cell):
    """What the CUDA graph capture does before recording: load the head's unpadded bias."""
    net = make_net(cell, n_values=20, n_a=8)
    stepper = sampler.FAST[cell](net, 5, torch.device("cpu"))
    logits = torch.empty(5, sampler.logit_width(20))
    tok = torch.tensor([0, 3, 7, 19, 2])
    with torch.no_grad():  # as sample() runs it
        stepper.load(net, net.head.bias.detach())
        stepper.reset()
        stepper.feed(tok, logits)
    assert logits.shape == (5, 32) and torch.isneginf(logits[:, 20:]).all()
    torch.testing.assert_close(logits[:, :20], teacher_logits(net, torch.stack([tok, tok], 1))[:, 0])


def test_beam_of_width_one_is_greedy():
    net = make_net(n_values=30, n_a=24)
    primer = torch.randint(0, 30, (32, 2), generator=torch.Generator().manual_seed(4))
    greedy = sample(net, primer, 30)
    beam = sample(net, primer, 30, "beam", beam_width=1)
    assert beam.tokens.shape == (32, 1, 30) and beam.log_prob.shape == (32, 1)
    assert_same_until_near_tie(beam.tokens[:, 0], greedy.tokens, net, p=2)
    torch.testing.assert_close(beam.log_prob[:, 0], greedy.log_prob, atol=1e-3, rtol=1e-4)


@pytest.mark.parametrize("impl", ["fast", "naive"])
def test_beam_finds_the_k_best_continuations_by_brute_force(impl):
    """Two generated steps with a beam as wide as the vocabulary: exactly the k best of all V^2."""
    v, k = 12, 12
    net = make_net(n_values=v, scale=1.0)
    primer = torch.tensor([[5], [9]])
    beam = sample(net, primer, 3, "beam", beam_width=k, impl=impl)
    pairs = torch.tensor(list(itertools.product(range(v), repeat=2)))
    for row in range(2):
        seqs = torch.cat([primer[row].expand(len(pairs), 1), pairs], 1)
        logp = torch.log_softmax(teacher_logits(net, seqs), -1).gather(2, seqs[:, 1:, None]).sum((1, 2))
        best = logp.topk(k)
        torch.testing.assert_close(beam.log_prob[row], best.values, atol=1e-4, rtol=1e-5)
        assert torch.equal(beam.tokens[row], seqs[best.indices])


def test_log_prob_is_the_networks_log_probability_of_the_generated_values():
    net = make_net(n_values=20)
    primer = torch.randint(0, 20, (50, 2), generator=torch.Generator().manual_seed(6))
    out = sample(net, primer, 20, "sample", temperature=0.5, generator=torch.Generator().manual_seed(0))
    logp = torch.log_softmax(teacher_logits(net, out.tokens), -1).gather(2, out.tokens[:, 1:, None])[..., 0]
    torch.testing.assert_close(out.log_prob, logp[:, 1:].sum(1), atol=1e-3, rtol=1e-4)


def test_a_row_with_its_own_generator_is_the_same_alone_or_in_a_batch():
    net = make_net(n_values=20)
    primer = torch.randint(0, 20, (6, 1), generator=torch.Generator().manual_seed(7))

    def gens(seeds):
        return [torch.Generator().manual_seed(s) for s in seeds]

    batch = sample(net, primer, 30, "sample", generator=gens(range(6))).tokens
    alone = sample(net, primer[4:5], 30, "sample", generator=gens([4])).tokens
    assert torch.equal(alone[0], batch[4])
    again = sample(net, primer, 30, "sample", generator=gens(range(6))).tokens
    other = sample(net, primer, 30, "sample", generator=gens(range(10, 16))).tokens
    assert torch.equal(again, batch) and not torch.equal(other, batch)


def test_rows_split_in_chunks_give_the_same_values(monkeypatch):
    net = make_net(n_values=20)
    primer = torch.randint(0, 20, (10, 1), generator=torch.Generator().manual_seed(8))
    whole = sample(net, primer, 30, "sample", generator=torch.Generator().manual_seed(1))
    monkeypatch.setitem(sampler.CHUNK_ROWS, "cpu", 3)
    chunked = sample(net, primer, 30, "sample", generator=torch.Generator().manual_seed(1))
    assert torch.equal(chunked.tokens, whole.tokens)
    torch.testing.assert_close(chunked.log_prob, whole.log_prob)


def test_a_kept_loop_reads_the_current_weights():
    """Loops are kept between calls: they must not keep the weights of the first call."""
    net = make_net(n_values=20)
    primer = torch.randint(0, 20, (8, 1), generator=torch.Generator().manual_seed(3))
    before = sample(net, primer, 25).tokens
    with torch.no_grad():
        net.rnn.weight_hh_l0.mul_(-1)
        net.head.bias.add_(torch.linspace(-3, 3, 20))
    after = sample(net, primer, 25)
    assert not torch.equal(after.tokens, before)
    assert_same_until_near_tie(after.tokens, sample(net, primer, 25, impl="naive").tokens, net, p=1)


def test_a_primer_as_long_as_the_output_is_returned_as_is():
    net = make_net()
    primer = torch.tensor([[1, 2, 3]])
    out = sample(net, primer, 3, "sample")
    assert torch.equal(out.tokens, primer) and out.log_prob.tolist() == [0.0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"strategy": "nucleus"}, "strategy must be one of"),
        ({"mask": torch.ones(12, dtype=torch.bool)}, "leaves no value"),
        ({"strategy": "beam", "beam_width": 13}, "beam_width"),
        ({"temperature": 0.0}, "temperature"),
        ({"length": 1}, "primer"),
        ({"mask": torch.zeros(11, dtype=torch.bool)}, "shape"),
    ],
)
def test_bad_arguments_say_what_is_wrong(kwargs, message):
    args = {"length": 5, **kwargs}
    with pytest.raises(ValueError, match=message):
        sample(make_net(), torch.tensor([[1, 2]]), **args)


@pytest.mark.slow
def test_compiled_loop_equals_the_fast_loop():
    net = make_net(n_values=20)
    primer = torch.randint(0, 20, (4, 1), generator=torch.Generator().manual_seed(9))
    fast = sample(net, primer, 6, "sample", generator=torch.Generator().manual_seed(2), impl="eager")
    compiled = sample(net, primer, 6, "sample", generator=torch.Generator().manual_seed(2), impl="compiled")
    assert torch.equal(compiled.tokens, fast.tokens)
    torch.testing.assert_close(compiled.log_prob, fast.log_prob)
    with torch.no_grad():
        net.head.bias.add_(torch.linspace(-3, 3, 20))  # the compiled loop reads the new weights
    fast = sample(net, primer, 6, "greedy", impl="eager")
    assert torch.equal(sample(net, primer, 6, "greedy", impl="compiled").tokens, fast.tokens)
    assert not torch.equal(fast.tokens, sample(make_net(n_values=20), primer, 6, "greedy").tokens)


def test_numba_greedy_equals_the_torch_loop_and_the_naive_loop():
    pytest.importorskip("numba")
    net = make_net(n_values=30, n_a=24)
    primer = torch.randint(0, 30, (8, 3), generator=torch.Generator().manual_seed(1))
    numba = sample(net, primer, 40, impl="numba")
    assert torch.equal(numba.tokens, sample(net, primer, 40, impl="eager").tokens)
    naive = sample(net, primer, 40, impl="naive")
    assert_same_until_near_tie(numba.tokens, naive.tokens, net, p=3)
    torch.testing.assert_close(numba.log_prob, naive.log_prob, atol=1e-3, rtol=1e-4)


@pytest.mark.parametrize("temperature", [1.0, 0.7])
def test_numba_draws_the_torch_loops_values_from_the_same_uniforms(temperature):
    pytest.importorskip("numba")
    net = make_net(n_values=30, n_a=24, scale=1.0)  # flat heads: many values drawn
    primer = torch.randint(0, 30, (8, 2), generator=torch.Generator().manual_seed(4))
    mask = torch.arange(30) % 7 == 0
    runs = [
        sample(
            net,
            primer,
            60,
            "sample",
            temperature=temperature,
            mask=mask,
            impl=impl,
            generator=torch.Generator().manual_seed(5),
        )
        for impl in ("numba", "eager")
    ]
    # float rounding (matmul order, exp) may move a draw that lands on a CDF step: 1 in 51 k did in a bench-sized run
    assert (runs[0].tokens == runs[1].tokens).float().mean() >= 0.99
    assert not mask[runs[0].tokens[:, 2:]].any() and len(runs[0].tokens.unique()) > 15
    close = (runs[0].tokens == runs[1].tokens).all(1)
    torch.testing.assert_close(runs[0].log_prob[close], runs[1].log_prob[close], atol=1e-4, rtol=1e-5)


def test_fast_runs_numba_for_a_few_lstm_rows_on_cpu_and_the_torch_loop_otherwise(monkeypatch):
    pytest.importorskip("numba")
    net, cpu = make_net(), torch.device("cpu")

    def loop(n: int, strategy: str = "greedy", cell_net: SoloNet = net) -> object:
        return sampler.get_loop(cell_net, "fast", cpu, (n, 1, 5, strategy, 1.0, 1, 1.0))

    assert isinstance(loop(1), sampler.NumbaLoop) and isinstance(
        loop(sampler.NUMBA_MAX_ROWS, "sample"), sampler.NumbaLoop
    )
    assert isinstance(loop(sampler.NUMBA_MAX_ROWS + 1), sampler.Loop)
    assert isinstance(loop(1, "top_k"), sampler.Loop) and isinstance(loop(1, cell_net=make_net("gru")), sampler.Loop)
    with pytest.raises(ValueError, match="LSTM on CPU"):
        sample(make_net("gru"), torch.tensor([[1]]), 5, impl="numba")
    monkeypatch.setattr(sampler, "numba_kernel", lambda: None)  # numba absent or broken: the torch loop
    assert isinstance(loop(2), sampler.Loop)
    with pytest.raises(ValueError, match="needs numba"):
        sample(net, torch.tensor([[1]]), 5, impl="numba")
