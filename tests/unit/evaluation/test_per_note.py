"""Per-note perplexity: a joint distribution over note values read jointly, by pitch and by duration."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from conftest import tiny_train_config
from jazz_solo.config import EvaluateConfig
from jazz_solo.evaluation import ngrams
from jazz_solo.evaluation.evaluate import evaluate
from jazz_solo.evaluation.per_note import note_groups, note_metrics
from jazz_solo.music.tokenizers import get_tokenizer, note_fields
from jazz_solo.net import SoloNet
from jazz_solo.scoring import grouped_log_probs, step_log_probs
from jazz_solo.training.fit import fit

VOCAB = ["C4,0.500", "C4,1.000", "D4,0.500", "R,0.500", "R,1.000", "E4,0.333"]


def test_only_the_pitch_tokenizer_is_note_level():
    assert get_tokenizer("pitch").note_level and not get_tokenizer("grammar").note_level
    assert note_fields("Eb5,0.667") == ("Eb5", "0.667") and note_fields("R,1.000") == ("R", "1.000")


def test_groups_gather_the_values_that_share_a_pitch_or_a_duration():
    joint, pitch, duration = note_groups(VOCAB)
    assert list(joint) == list(range(len(VOCAB)))
    assert pitch[0] == pitch[1] != pitch[2] and pitch[3] == pitch[4] and len(set(pitch)) == 4
    assert duration[0] == duration[2] == duration[3] and duration[1] == duration[4] and len(set(duration)) == 3


def test_the_model_reading_is_the_marginal_of_its_softmax():
    torch.manual_seed(0)
    net = SoloNet(len(VOCAB), 8).eval()
    tokens = torch.randint(len(VOCAB), (5, 9))
    groups = torch.as_tensor(note_groups(VOCAB))
    log_probs, top = grouped_log_probs(net, tokens, groups, batch_size=2)
    assert log_probs.shape == top.shape == (5, 8, 3)
    joint, joint_top = step_log_probs(net, tokens)
    assert torch.allclose(log_probs[..., 0], joint, atol=1e-5) and torch.equal(top[..., 0], joint_top)
    probs = net(tokens[:, :-1])[0].softmax(-1)  # by hand: the probability of every value of the target's pitch
    same_pitch = groups[1][None, None, :] == groups[1][tokens[:, 1:]][..., None]
    assert torch.allclose(log_probs[..., 1], (probs * same_pitch).sum(-1).log(), atol=1e-5)
    # a group holds the target's value, so it is never less likely than the value itself
    assert (log_probs[..., 1:] >= joint[..., None] - 1e-6).all()


def test_the_bigram_baseline_is_read_the_same_way():
    train = [[0, 2, 3, 1, 4, 5, 0, 2]]
    bigram = ngrams.bigram_log_probs(train, len(VOCAB))
    previous, targets = np.array([0, 2, 3]), np.array([2, 3, 1])
    duration = note_groups(VOCAB)[2]
    found = ngrams.grouped_ngram_scores(bigram, previous, targets, duration)
    by_hand = [np.exp(bigram[p])[duration == duration[t]].sum() for p, t in zip(previous, targets)]
    assert found["cross_entropy"] == pytest.approx(-np.mean(np.log(by_hand)))
    identity = ngrams.grouped_ngram_scores(bigram, previous, targets, np.arange(len(VOCAB)))
    assert identity == pytest.approx(ngrams.ngram_scores(bigram, previous, targets))


def test_note_metrics_give_every_reading_and_its_baseline():
    torch.manual_seed(1)
    net = SoloNet(len(VOCAB), 8).eval()
    windows = torch.randint(len(VOCAB), (4, 7))
    found = note_metrics(net, VOCAB, windows, [[0, 1, 2, 3, 4, 5]])
    for reading in ("joint", "pitch", "duration"):
        assert found[f"note_perplexity_{reading}"] >= 1 and 0 <= found[f"note_accuracy_{reading}"] <= 1
        assert found[f"note_bigram_perplexity_{reading}"] >= 1 and found[f"note_field_bigram_perplexity_{reading}"] >= 1
    assert found["note_perplexity_pitch"] <= found["note_perplexity_joint"] <= len(VOCAB) * 2
    assert found["note_perplexity_duration"] <= found["note_perplexity_joint"]


def test_evaluate_reports_per_note_perplexity_for_a_note_level_checkpoint(tmp_path):
    cfg = tiny_train_config(tmp_path, tokenizer="pitch")
    cfg.trainer["max_epochs"] = 1
    evaluation = evaluate(EvaluateConfig(ckpt=str(fit(cfg)), n=4, length=24, audio=False, out=str(tmp_path / "e")))
    found = evaluation.metrics
    assert "| model | joint | pitch | duration | pitch x duration |" in evaluation.report.read_text()
    assert found["note_perplexity_joint"] == pytest.approx(found["val_perplexity"], rel=1e-4)
    assert found["note_bigram_perplexity_joint"] == pytest.approx(found["bigram_perplexity"], rel=1e-6)
    assert found["note_perplexity_pitch"] <= found["note_perplexity_joint"]
    assert found["note_field_bigram_perplexity_joint"] == pytest.approx(found["bigram_perplexity"], rel=1e-6)
