"""Solo length in bars or choruses: enough values sampled, the solo cut at that time, the progression looped."""

from __future__ import annotations

import dataclasses
import json

import pretty_midi
import pytest
import torch

from conftest import tiny_train_config
from jazz_solo.checkpoint import load_checkpoint
from jazz_solo.config import GenerateConfig, SamplingConfig
from jazz_solo.errors import JazzSoloError
from jazz_solo.generation import (
    condition_for,
    generate,
    grid_for,
    onsets,
    progression_for,
    sample_solos,
    sample_timed_solos,
)
from jazz_solo.scoring import prefix_log_probs
from jazz_solo.training.fit import fit


def test_bars_cut_the_solo_at_the_bar_line_and_the_comping_fills_them(trained_ckpt, tmp_path):
    cfg = GenerateConfig(
        ckpt=str(trained_ckpt), n=3, bars=5, strategy="sample", chords="Dm7 G7 | Cmaj7", out=str(tmp_path)
    )
    for path in generate(cfg):
        pm = pretty_midi.PrettyMIDI(str(path))
        solo, comping = pm.instruments
        seconds_per_bar = 4 * 60 / pm.get_tempo_changes()[1][0]
        assert max(n.end for n in solo.notes) <= 5 * seconds_per_bar + 1e-6
        assert max(n.end for n in comping.notes) == pytest.approx(5 * seconds_per_bar)
        struck = [{n.pitch % 12 for n in comping.notes if abs(n.start - b * seconds_per_bar) < 1e-6} for b in range(5)]
        assert struck[0] == {2, 5, 9, 0} and struck[1] == {0, 4, 7, 11}  # downbeats: Dm7, then Cmaj7
        assert struck[2] == struck[4] == struck[0] and struck[3] == struck[1]  # round again: bars 3-4, then 5
    assert json.loads((tmp_path / "manifest.json").read_text())["settings"]["bars"] == 5


def test_a_timed_solo_is_the_same_solo_cut_where_its_time_is_up(trained_ckpt):
    ckpt = load_checkpoint(trained_ckpt)
    progression = progression_for(ckpt, "Dm7 G7 | Cmaj7")
    sampling = SamplingConfig(strategy="sample", seed=7)
    timed = sample_timed_solos(ckpt, progression, 4, 2 * progression.length, sampling)  # choruses=2: 4 bars
    whole = sample_solos(ckpt, progression, 4, 300, sampling)
    for cut, full in zip(timed, whole):
        k = len(cut.values)
        assert cut.values == full.values[:k]
        assert onsets(cut.values)[k - 1] < 16 <= onsets(cut.values)[k]  # the last value kept starts before the end
        assert cut.end == 16 and all(n.end <= 16 + 1e-9 for n in cut.notes)
        assert [n.start for n in cut.notes] == [n.start for n in full.notes if n.start < 16]
        tokens = torch.tensor([[ckpt.vocab.index(v) for v in full.values]])
        expected = prefix_log_probs(ckpt.net, tokens, torch.tensor([k]), grid=grid_for(ckpt, sampling))
        assert cut.log_prob == pytest.approx(float(expected), rel=1e-5) and cut.log_prob > full.log_prob


def test_log_probs_recomputed_from_the_values_are_the_samplers(trained_ckpt):
    ckpt = load_checkpoint(trained_ckpt)
    for grid in (True, False):  # on the grid: both renormalised over the values it allows at each step
        sampling = SamplingConfig(strategy="top_p", seed=3, grid=grid)
        solos = sample_solos(ckpt, progression_for(ckpt), 3, 40, sampling)
        tokens = torch.tensor([[ckpt.vocab.index(v) for v in s.values] for s in solos])
        recomputed = prefix_log_probs(ckpt.net, tokens, torch.full((3,), 40), grid=grid_for(ckpt, sampling))
        assert recomputed.tolist() == pytest.approx([s.log_prob for s in solos], rel=1e-4)


def test_a_conditioned_networks_log_probs_recomputed_hear_the_chords_the_sampler_played(tmp_path):
    cfg = tiny_train_config(tmp_path)
    ckpt = load_checkpoint(fit(dataclasses.replace(cfg, model=dataclasses.replace(cfg.model, condition="chords"))))
    progression = progression_for(ckpt, "Dm7 G7 | Cmaj7 | F#m7b5 B7(b9)")
    solos = sample_solos(ckpt, progression, 3, 40, SamplingConfig(strategy="sample", seed=3, grid=False))
    tokens = torch.tensor([[ckpt.vocab.index(v) for v in s.values] for s in solos])
    condition = condition_for(ckpt, progression, 3, "cpu")
    recomputed = prefix_log_probs(ckpt.net, tokens, torch.full((3,), 40), condition=condition)
    assert recomputed.tolist() == pytest.approx([s.log_prob for s in solos], rel=1e-4)
    elsewhere = condition_for(ckpt, progression_for(ckpt, "Ebmaj7 | Ab7"), 3, "cpu")  # the same values, other changes
    assert prefix_log_probs(ckpt.net, tokens, torch.full((3,), 40), condition=elsewhere).tolist() != recomputed.tolist()


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"bars": 0}, "bars must be >= 1, got 0"),
        ({"choruses": -1}, "choruses must be >= 1, got -1"),
        ({"bars": 4, "choruses": 1}, "give bars or choruses, not both"),
    ],
)
def test_bad_lengths_are_refused(settings, message):
    with pytest.raises(JazzSoloError, match=message):
        GenerateConfig(ckpt="model.ckpt", **settings)
