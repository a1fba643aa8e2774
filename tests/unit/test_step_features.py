"""The one copy of where each value ends (conditioning.step_features) against the places that walk it too:
the corpus encoding's contexts (music/context.py), the sampler's clock and the sampler itself."""

from __future__ import annotations

import pytest
import torch

from jazz_solo.conditioning import multi_hot, progression_condition, step_features
from jazz_solo.corpus.embedded import embedded_scores
from jazz_solo.music.context import N_FEATURES, N_TEMPO_FEATURES, value_contexts
from jazz_solo.music.tokenizers import get_tokenizer
from jazz_solo.net import SoloNet
from jazz_solo.sampling import sample
from jazz_solo.sampling.condition import Clock


def a_piece() -> tuple[list[str], list[str], object]:
    """The first embedded piece's values, the sorted vocabulary they use and the progression under them."""
    score = embedded_scores()[0]
    values = get_tokenizer("grammar").encode(score)
    return values, sorted(set(values)), score.progression


WIDTHS = pytest.mark.parametrize("width", [N_FEATURES, N_TEMPO_FEATURES])  # model.condition chords, chords_tempo


@WIDTHS
def test_step_features_are_the_contexts_the_corpus_encoding_gives(width):
    values, vocab, progression = a_piece()
    condition = progression_condition(progression, vocab, 1, "cpu", width)
    tokens = torch.tensor([[vocab.index(v) for v in values]])
    assert torch.equal(step_features(condition, tokens)[0], multi_hot(value_contexts(values, progression), width))


@WIDTHS
def test_the_sampler_clock_walks_the_same_steps(width):
    values, vocab, progression = a_piece()
    condition = progression_condition(progression, vocab, 1, "cpu", width)
    tokens = torch.tensor([[vocab.index(v) for v in values]])
    clock = Clock(1, 1, condition.features.shape[1], len(vocab), width, "cpu")
    clock.load(condition, condition.features.flatten(0, 1))  # the raw features as the table
    walked = torch.stack([clock.advance(tokens[:, t]).clone() for t in range(tokens.shape[1])], 1)
    assert torch.equal(walked, step_features(condition, tokens))


@WIDTHS
@torch.no_grad()
def test_a_conditioned_greedy_solo_is_the_argmax_of_its_own_teacher_forced_logits(width):
    """The sampler (its fast loop and the numba kernel) hears at each step what step_features says."""
    _, vocab, progression = a_piece()
    torch.manual_seed(0)
    net = SoloNet(len(vocab), 16, n_features=width).eval()
    condition = progression_condition(progression, vocab, 3, "cpu", width)
    primer = torch.tensor([[0], [5], [9]])
    for impl in ("eager", "numba"):
        tokens = sample(net, primer, 40, condition=condition, impl=impl).tokens
        logits, _ = net(tokens[:, :-1], features=step_features(condition, tokens[:, :-1]))
        assert torch.equal(logits.argmax(-1), tokens[:, 1:]), impl
