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


def test_a_note_starts_on_the_grid_and_a_rest_ends_on_it():
    assert [s for s in range(GRID) if on_grid(s)] == [0, 3, 4, 6, 8, 9]
    allowed = onset_grid(VOCAB).allowed  # steps of the values: 3, 1, 4, 2, 12, 8; the fourth is a rest
    assert allowed[0].tolist() == [True, True, True, False, True, True]  # notes end anywhere; the rest at 2
    assert allowed[3].tolist() == [True, True, True, False, True, True]  # the rest would end at 5
    assert allowed[1].tolist() == [False, False, False, True, False, False]  # off the grid: a rest back to it
    # no rest gets back from 5 (to 7): any value that ends on the grid, as from a primer that left it
    assert allowed[5].tolist() == [True, True, True, False, False, False]  # to 8, 6, 9, 7, 5, 1
    no_rest = onset_grid([v for v in VOCAB if not v.startswith("R,")]).allowed
    assert no_rest[1].tolist() == [True, False, False, False, True]  # to 4, 2, 5, 1, 9


@pytest.mark.parametrize("strategy", ["greedy", "sample", "top_k", "top_p", "beam"])
def test_every_onset_of_a_solo_stays_on_the_grid(trained_ckpt, strategy):
    ckpt = load_checkpoint(trained_ckpt)
    sampling = SamplingConfig(strategy=strategy, seed=1, beam_width=2)
    solos = sample_solos(ckpt, progression_for(ckpt), 8, 60, sampling, decode=False)
    for solo in solos:
        times = onsets(solo.values)
        for value, start, end in zip(solo.values, times, times[1:]):
            assert on_grid(round((end if value.startswith("R,") else start) * GRID) % GRID), (value, start)


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
