"""The onset grid: the values the sampler may choose keep a solo's onsets on the 1/4 + 1/3 beat grid, and
its log-probabilities are the model's renormalised over them."""

from __future__ import annotations

import pytest

from jazz_solo.checkpoint import load_checkpoint
from jazz_solo.conditioning import onset_grid
from jazz_solo.config import SamplingConfig
from jazz_solo.generation import onsets, progression_for, sample_solos, sample_timed_solos
from jazz_solo.music.context import GRID, on_grid

VOCAB = ["C,0.250", "C,0.083", "S,0.333", "R,0.167", "A,1.000", "X,0.667,<m3,P5>"]


def test_a_value_is_allowed_where_it_ends_on_the_grid():
    assert [s for s in range(GRID) if on_grid(s)] == [0, 3, 4, 6, 8, 9]
    allowed = onset_grid(VOCAB).allowed  # steps of the values: 3, 1, 4, 2, 12, 8
    assert allowed[0].tolist() == [True, False, True, False, True, True]  # to 3, 1, 4, 2, 0, 8
    assert allowed[3].tolist() == [True, True, False, False, True, False]  # to 6, 4, 7, 5, 3, 11
    assert allowed[1].tolist() == [True, False, False, True, False, True]  # off the grid: back on it (4, 3, 9)


@pytest.mark.parametrize("strategy", ["greedy", "sample", "top_k", "top_p", "beam"])
def test_every_onset_of_a_solo_stays_on_the_grid(trained_ckpt, strategy):
    ckpt = load_checkpoint(trained_ckpt)
    sampling = SamplingConfig(strategy=strategy, seed=1, beam_width=2)
    solos = sample_solos(ckpt, progression_for(ckpt), 8, 60, sampling, decode=False)
    assert all(on_grid(round(t * GRID) % GRID) for solo in solos for t in onsets(solo.values))


def test_a_timed_solo_on_the_grid_is_the_sampled_one_cut_with_its_log_prob(trained_ckpt):
    ckpt = load_checkpoint(trained_ckpt)
    progression = progression_for(ckpt, "Dm7 G7 | Cmaj7")
    sampling = SamplingConfig(strategy="sample", seed=2)
    timed = sample_timed_solos(ckpt, progression, 3, 16, sampling)
    whole = sample_solos(ckpt, progression, 3, 200, sampling)
    for cut, full in zip(timed, whole):
        assert cut.values == full.values[: len(cut.values)]
        assert all(on_grid(round(n.start * GRID) % GRID) for n in cut.notes)
        assert cut.log_prob > full.log_prob  # a prefix of the same renormalised draws
