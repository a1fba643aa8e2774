"""SoloNet's row-lookup input projection computes what nn.LSTM / nn.RNN / nn.GRU compute on one-hot inputs."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from jazz_solo.net import SoloNet
from jazz_solo.windows import PAD


@pytest.mark.parametrize("cell", ["lstm", "rnn", "gru"])
@pytest.mark.parametrize("n_features", [0, 5])
@pytest.mark.parametrize("lookup", [True, False])
def test_value_indices_give_the_one_hot_networks_logits_state_and_gradients(cell, n_features, lookup):
    torch.manual_seed(0)
    net = SoloNet(20, 8, cell, n_features=n_features)
    net.lookup = lookup  # by default only where the input is wider than the gates
    x = torch.randint(0, 20, (3, 7))
    x[:, 0] = PAD  # a zero input, as the exercise's windows start
    features = torch.randn(3, 7, n_features) if n_features else None
    one_hot = nn.functional.one_hot(x.clamp(min=0), 20).float() * (x >= 0)[..., None]
    inputs = one_hot if features is None else torch.cat([one_hot, features], -1)
    logits, state = net(x, features=features)
    out, reference_state = net.rnn(inputs)
    torch.testing.assert_close(logits, net.head(out))
    torch.testing.assert_close(state, reference_state)
    torch.testing.assert_close(net(one_hot, features=features)[0], logits)  # one-hot floats: the same path
    grads = torch.autograd.grad(logits.square().sum(), list(net.rnn.parameters()))
    reference = torch.autograd.grad(net.head(out).square().sum(), list(net.rnn.parameters()))
    for got, want in zip(grads, reference):
        torch.testing.assert_close(got, want)


def test_row_lookup_where_the_input_is_wider_than_the_gates():
    assert SoloNet(2800, 64).lookup and not SoloNet(78, 64).lookup and SoloNet(78, 16).lookup


def test_state_dict_is_the_plain_modules():
    net = SoloNet(20, 8, n_features=5)
    assert set(net.state_dict()) == {f"rnn.{k}" for k in nn.LSTM(25, 8).state_dict()} | {"head.weight", "head.bias"}
    with pytest.raises(ValueError, match="takes 5 features"):
        net(torch.zeros(1, 3, dtype=torch.long))


@pytest.mark.gpu
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_the_row_lookup_runs_cudnn_on_cuda(cell, monkeypatch):
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    torch.manual_seed(0)
    net = SoloNet(300, 32, cell, n_features=5).cuda()
    assert net.lookup
    x, features = torch.randint(0, 300, (4, 9), device="cuda"), torch.randn(4, 9, 5, device="cuda")
    one_hot = nn.functional.one_hot(x, 300).float()
    torch.testing.assert_close(net(x, features=features)[0], net(one_hot, features=features)[0])


def test_weight_drop_drops_recurrent_weights_while_training_and_none_in_eval():
    torch.manual_seed(0)
    net = SoloNet(20, 8, weight_drop=0.5)
    plain = SoloNet(20, 8)
    plain.load_state_dict(net.state_dict())
    x = torch.randint(0, 20, (3, 7))
    first, second = net(x)[0], net(x)[0]
    assert not torch.allclose(first, second)  # a new mask each forward
    torch.testing.assert_close(first[:, 0], plain(x)[0][:, 0])  # the first step has no recurrence to drop
    net.eval(), plain.eval()
    torch.testing.assert_close(net(x)[0], plain(x)[0])


def test_value_drop_leaves_whole_values_unheard_while_training_and_none_in_eval():
    torch.manual_seed(0)
    net = SoloNet(20, 8, n_features=3, value_drop=0.5)
    w = net.rnn.weight_ih_l0.detach()
    dropped = net.input_weight().detach()
    scale = dropped[:, :20] / w[:, :20]  # per value column: 0 (unheard) or 1 / (1 - p)
    column = scale[0]
    assert torch.allclose(scale, column.expand_as(scale)) and set(column.tolist()) == {0.0, 2.0}
    torch.testing.assert_close(dropped[:, 20:], w[:, 20:])  # the features are always heard
    x, features = torch.randint(0, 20, (3, 7)), torch.randn(3, 7, 3)
    plain = SoloNet(20, 8, n_features=3)
    plain.load_state_dict(net.state_dict())
    plain.lookup = True
    torch.manual_seed(1)
    mask = net.input_weight().detach()
    torch.manual_seed(1)
    logits = net(x, features=features)[0]  # the forward draws the same mask
    with torch.no_grad():
        plain.rnn.weight_ih_l0.copy_(mask)
    torch.testing.assert_close(logits, plain(x, features=features)[0])
    torch.manual_seed(1)  # one-hot floats, the product path: the same mask drawn the same way
    torch.testing.assert_close(net(nn.functional.one_hot(x, 20).float(), features=features)[0], logits)
    net.eval()
    torch.testing.assert_close(net.input_weight(), net.rnn.weight_ih_l0)


def test_a_checkpoint_spec_rebuilds_value_drop_and_silences_the_tempo_features():
    from jazz_solo.checkpoint import Spec
    from jazz_solo.config import ModelConfig
    from jazz_solo.music.context import N_FEATURES, N_TEMPO_FEATURES

    vocab = [f"C4,{k}.000" for k in (1, 2, 3)]

    def net(**model):
        return Spec(vars(ModelConfig(n_a=8, **model)), {"tokenizer": "pitch"}, vocab, [1, 1, 1], {}).build_net()

    assert net(value_drop=0.3).value_drop == 0.3 and net().value_drop == 0.0
    tempo = net(condition="chords_tempo").rnn.weight_ih_l0
    assert tempo.shape[1] == 3 + N_TEMPO_FEATURES
    assert not tempo[:, 3 + N_FEATURES :].any() and tempo[:, : 3 + N_FEATURES].all()
    assert net(condition="chords").rnn.weight_ih_l0.all()  # a chords model starts as it always did
