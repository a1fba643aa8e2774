"""One pipeline: a SamplingConfig taken whole by generate, evaluate and the API; one Solo; one writer of
solo files (the same solo, the same .mid bytes from every front); one teacher-forced scorer."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch

import jazz_solo
from jazz_solo.checkpoint import load_checkpoint
from jazz_solo.config import EvaluateConfig, GenerateConfig, SamplingConfig
from jazz_solo.errors import JazzSoloError
from jazz_solo.evaluation.evaluate import evaluate
from jazz_solo.generation import solos_for
from jazz_solo.music.solo import Solo
from jazz_solo.scoring import step_log_probs


def test_generate_and_evaluate_take_every_sampling_setting_with_its_checks():
    names = {f.name for f in dataclasses.fields(SamplingConfig)}
    for schema in (GenerateConfig, EvaluateConfig):
        assert names <= {f.name for f in dataclasses.fields(schema)}
        with pytest.raises(JazzSoloError, match="give bars or choruses, not both"):
            schema(bars=2, choruses=1)
        with pytest.raises(JazzSoloError, match="tempo must be > 0"):
            schema(tempo=0)
    assert EvaluateConfig().strategy == "sample" and GenerateConfig().strategy == "greedy"
    assert jazz_solo.Solo is Solo and Solo.render is Solo.write  # one Solo; render: write's old name


def test_evaluate_takes_bars_and_tempo_and_shows_generate_pys_solos_byte_for_byte(trained_ckpt, tmp_path):
    cfg = EvaluateConfig(ckpt=str(trained_ckpt), n=4, bars=4, tempo=90, seed=2, out=str(tmp_path), audio=False)
    result = evaluate(cfg)
    assert result.metrics["n_solos"] == 4 and result.metrics["segment_bars"] == 4  # the solos' 4 bars
    model = jazz_solo.load(trained_ckpt)
    solos = model.generate(n=4, strategy="sample", seed=2, bars=4, tempo=90)
    best = max(solos, key=lambda s: s.log_prob)
    assert best.end == 16 and best.progression.tempo == 90
    again = best.write_midi(tmp_path / "again.mid").read_bytes()
    assert (tmp_path / "most_likely_1.mid").read_bytes() == again


def test_evaluate_takes_choruses(trained_ckpt, tmp_path):
    progression = jazz_solo.load(trained_ckpt).progression
    cfg = EvaluateConfig(ckpt=str(trained_ckpt), n=3, choruses=1, out=str(tmp_path), audio=False)
    assert evaluate(cfg).metrics["segment_bars"] == math.ceil(progression.length / progression.beats_per_bar)


def test_one_scorer_gives_the_samplers_log_probs_in_any_batch_size(trained_ckpt):
    ckpt = load_checkpoint(trained_ckpt)
    solos = solos_for(ckpt, SamplingConfig(strategy="sample", length=20, seed=4, grid=False), 5)  # unmasked
    tokens = torch.tensor([[ckpt.vocab.index(v) for v in s.values] for s in solos])
    log_probs, top = step_log_probs(ckpt.net, tokens)
    assert log_probs.shape == top.shape == (5, 19)
    assert log_probs.sum(1).tolist() == pytest.approx([s.log_prob for s in solos], rel=1e-4)
    assert torch.allclose(step_log_probs(ckpt.net, tokens, batch_size=2)[0], log_probs, atol=1e-5)
