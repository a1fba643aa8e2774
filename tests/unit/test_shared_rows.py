"""model.shared: a value's weights are its own plus its pitch's and its length's (net.SharedRows);
model.tied: its input weights are its head row through a learnt map (net.TiedInput); and
model.schedule=cosine: the lr falls to 0 along the run."""

from __future__ import annotations

import math

import pytest
import torch

from conftest import tiny_train_config
from jazz_solo.checkpoint import Spec, load_checkpoint
from jazz_solo.config import ModelConfig
from jazz_solo.errors import JazzSoloError
from jazz_solo.music.tokenizers import field_groups
from jazz_solo.net import SoloNet
from jazz_solo.sampling.sampler import Condition, sample
from jazz_solo.training.fit import fit

VOCAB = ["C4,0.500", "C4,0.250", "D4,0.500", "D4,1.000", "R,0.500", "R,1.000", "E4,0.250"]
F = 4


def shared_net(seed: int = 0, tied: bool = False) -> SoloNet:
    """A shared (and tied) net whose group rows are not zero (as after training)."""
    torch.manual_seed(seed)
    net = SoloNet(len(VOCAB), 16, n_features=F, groups=torch.tensor(field_groups(VOCAB)), tied=tied).eval()
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn_like(p) * 2)
    return net


def plain_copy(net: SoloNet) -> SoloNet:
    """A plain SoloNet holding the shared net's composed weights."""
    plain = SoloNet(net.n_values, net.n_a, n_features=F).eval()
    with torch.no_grad():
        plain.rnn.weight_ih_l0.copy_(net.rnn.weight_ih_l0)
        plain.head.weight.copy_(net.head.weight)
        for name in ("weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            getattr(plain.rnn, name).copy_(getattr(net.rnn, name))
        plain.head.bias.copy_(net.head.bias)
    return plain


def test_the_groups_are_each_values_pitch_and_length():
    pitches, lengths = field_groups(VOCAB)
    assert pitches == [0, 0, 1, 1, 3, 3, 2]  # C4 C4 D4 D4 R R E4, numbered in sorted order (C4 D4 E4 R)
    assert lengths == [1, 0, 1, 2, 1, 2, 0]  # 0.250 0.500 1.000


def test_a_values_weights_are_its_own_plus_its_groups():
    net = shared_net()
    head = net.head.parametrizations.weight
    pitch_rows, length_rows = head[0].rows
    own = head.original
    torch.testing.assert_close(net.head.weight[3], own[3] + pitch_rows[1] + length_rows[2])  # D4, 1.000
    inputs = net.rnn.parametrizations.weight_ih_l0
    column = inputs.original[:, 4] + inputs[0].rows[0][3] + inputs[0].rows[1][1]  # R, 0.500
    torch.testing.assert_close(net.rnn.weight_ih_l0[:, 4], column)
    torch.testing.assert_close(net.rnn.weight_ih_l0[:, len(VOCAB) :], inputs.original[:, len(VOCAB) :])  # features


def test_a_tied_nets_value_inputs_are_its_head_rows_through_the_map_and_train_from_both_ends():
    net = shared_net(tied=True)
    inputs = net.rnn.parametrizations.weight_ih_l0
    assert inputs.original.shape == (64, F)  # only the features' columns are W_ih's own
    torch.testing.assert_close(net.rnn.weight_ih_l0[:, : len(VOCAB)], inputs[0].map @ net.head.weight.T)
    torch.testing.assert_close(net.rnn.weight_ih_l0[:, len(VOCAB) :], inputs.original)
    net.train()
    x, features = torch.tensor([[0, 2, 4]]), torch.randn(1, 3, F)
    net.hidden(x, features=features)[0].sum().backward()  # no head output used: the inputs alone reach it
    head = net.head.parametrizations.weight
    assert head.original.grad[[0, 2]].abs().sum() > 0 and head.original.grad[[1, 3, 5, 6]].abs().sum() == 0


@pytest.mark.parametrize("n_features", [0, F])
def test_a_tied_net_alone_saves_only_the_features_input_columns_and_converts_whole(n_features):
    torch.manual_seed(0)
    net = SoloNet(len(VOCAB), 16, n_features=n_features, tied=True).eval()  # tied, not shared
    assert net.state_dict()["rnn.parametrizations.weight_ih_l0.original"].shape == (64, n_features)
    torch.testing.assert_close(
        net.rnn.weight_ih_l0[:, : len(VOCAB)], net.rnn.parametrizations.weight_ih_l0[0].map @ net.head.weight.T
    )
    x = torch.tensor([[0, 3, 6, 2]])
    features = torch.randn(1, 4, n_features) if n_features else None
    logits = net(x, features=features)[0]
    wide = net.double()  # the cell converts (and reads its weights) before the head does
    wide_logits = wide(x, features=None if features is None else features.double())[0]
    torch.testing.assert_close(wide_logits.float(), logits)


def test_a_fresh_shared_net_is_the_plain_net_and_training_moves_its_group_rows():
    torch.manual_seed(0)
    plain = SoloNet(len(VOCAB), 16, n_features=F)
    torch.manual_seed(0)
    shared = SoloNet(len(VOCAB), 16, n_features=F, groups=torch.tensor(field_groups(VOCAB)))
    x, features = torch.randint(0, len(VOCAB), (2, 5)), torch.randn(2, 5, F)
    torch.testing.assert_close(shared(x, features=features)[0], plain(x, features=features)[0])
    shared(x, features=features)[0].logsumexp(-1).sum().backward()
    assert all(rows.grad.abs().sum() > 0 for rows in shared.head.parametrizations.weight[0].rows)


@pytest.mark.parametrize("tied", [False, True])
@pytest.mark.parametrize("strategy", ["greedy", "sample", "top_k", "top_p", "beam"])
@pytest.mark.parametrize("impl", ["fast", "naive", "eager", "numba"])
def test_every_sampler_path_plays_a_shared_net_as_the_plain_net_of_its_weights(strategy, impl, tied):
    if impl == "numba":
        pytest.importorskip("numba")
        if strategy not in ("greedy", "sample"):
            pytest.skip("the numba kernel runs greedy and sample")
    net = shared_net(tied=tied)
    g = torch.Generator().manual_seed(1)
    condition = Condition(
        torch.randint(0, 2, (1, 12, F), generator=g).float(),
        torch.tensor([12]),
        torch.zeros(3, dtype=torch.long),
        torch.tensor([6, 3, 6, 12, 6, 12, 3]),
    )
    primer = torch.tensor([[0], [2], [4]])
    runs = [
        sample(model, primer, 20, strategy, generator=torch.Generator().manual_seed(2), condition=condition, impl=impl)
        for model in (net, plain_copy(net))
    ]
    assert torch.equal(runs[0].tokens, runs[1].tokens)


@pytest.mark.parametrize("tied", [False, True])
def test_a_shared_checkpoint_loads_as_it_was_saved(tmp_path, tied):
    model = {"n_a": 16, "cell": "lstm", "dropout": 0.0, "shared": True, "tied": tied}
    spec = Spec(model, {"tokenizer": "pitch"}, VOCAB, [1] * 7, {})
    net = spec.build_net()
    assert "head.parametrizations.weight.0.rows.0" in net.state_dict()
    assert ("rnn.parametrizations.weight_ih_l0.0.map" in net.state_dict()) == tied
    with torch.no_grad():
        net.head.parametrizations.weight[0].rows[0].fill_(0.5)
    state = {f"net.{k}": v for k, v in net.state_dict().items()}
    torch.save({"hyper_parameters": spec.to_dict(), "state_dict": state}, tmp_path / "shared.ckpt")
    loaded = load_checkpoint(tmp_path / "shared.ckpt").net
    torch.testing.assert_close(loaded.head.weight, net.head.weight)
    torch.testing.assert_close(loaded.rnn.weight_ih_l0, net.rnn.weight_ih_l0)


def test_a_bad_schedule_is_one_line():
    with pytest.raises(JazzSoloError, match="model.schedule must be one of constant, cosine, got 'linear'"):
        ModelConfig(schedule="linear")


def test_the_cosine_lr_falls_along_the_run_to_zero_at_its_last_step(tmp_path):
    cfg = tiny_train_config(tmp_path, tokenizer="pitch")
    cfg.model = ModelConfig(n_a=16, schedule="cosine", shared=True)
    cfg.callbacks["model_checkpoint"]["save_top_k"] = -1  # every epoch's checkpoint
    fit(cfg)
    steps = {}
    for path in (tmp_path / "checkpoints").glob("*.ckpt"):
        (schedule,) = torch.load(path, weights_only=False)["lr_schedulers"]
        steps[schedule["last_epoch"]] = schedule["_last_lr"][0]
    total = 2 * 4  # max_epochs x limit_train_batches: stepped every batch
    assert steps == pytest.approx({s: 0.01 * (1 + math.cos(math.pi * s / total)) / 2 for s in (4, 8)}, abs=1e-12)
    assert steps[4] == pytest.approx(0.005) and steps[8] == pytest.approx(0.0, abs=1e-12)
