"""End to end: evaluate a tiny trained checkpoint against its corpus, from Python and the command line."""

from __future__ import annotations

import hashlib
import json
import math
import re
import wave

import pytest
import torch

from jazz_solo.config import DataConfig, EvaluateConfig
from jazz_solo.corpus.embedded import embedded_scores
from jazz_solo.corpus.encoding import EncodedCorpus
from jazz_solo.corpus.split import split_sequences
from jazz_solo.errors import JazzSoloError
from jazz_solo.evaluation import metrics as M
from jazz_solo.evaluation.evaluate import corpus_pieces, default_out, evaluate, evaluate_checkpoint
from jazz_solo.evaluation.segment_features import FEATURE_NAMES
from jazz_solo.music.tokenizers import PitchTokenizer


@pytest.fixture(scope="module")
def evaluation(trained_ckpt, tmp_path_factory):
    out = tmp_path_factory.mktemp("evaluation")
    return evaluate(EvaluateConfig(ckpt=str(trained_ckpt), n=8, length=32, out=str(out)))


def test_metrics_json_is_flat_and_complete(evaluation, trained_ckpt):
    found = json.loads((evaluation.folder / "metrics.json").read_text())
    assert found == json.loads(json.dumps(evaluation.metrics))
    assert all(v is None or isinstance(v, (int, float, str)) for v in found.values())
    assert all(math.isfinite(v) for v in found.values() if isinstance(v, float))
    for model in ("val", "unigram", "bigram"):
        assert found[f"{model}_perplexity"] == pytest.approx(math.exp(found[f"{model}_cross_entropy"]))
        assert 0 <= found[f"{model}_accuracy"] <= 1
    # Trained a little, the model beats a uniform guess; on this corpus the bigram beats the unigram.
    assert found["val_perplexity"] < len(torch.load(trained_ckpt, weights_only=True)["hyper_parameters"]["vocab"])
    assert found["bigram_perplexity"] < found["unigram_perplexity"]
    for name in M.FEATURES:
        assert 0 <= found[f"{name}_overlap"] <= 1 and found[f"{name}_kl"] >= 0
        assert f"heldout_{name}_overlap" in found and f"corpus_{name}_intra" in found
    for prefix in ("", "corpus_", "heldout_"):
        assert 0 <= found[f"{prefix}chord_tone_share"] <= 1 and 0 <= found[f"{prefix}scale_share"] <= 1
    assert found["corpus_chord_tone_share"] == 1  # the embedded corpus plays chord tones on every beat
    assert 1 <= found["longest_copied_run"] <= 32 and 0 <= found["copied_8gram_share"] <= 1
    assert found["n_solos"] == 8 and found["n_corpus_pieces"] >= 2
    assert "note_perplexity_pitch" not in found  # the grammar's values are roles, not notes
    assert found["ckpt_sha256"] == hashlib.sha256(trained_ckpt.read_bytes()).hexdigest()


def test_the_classifier_test_and_the_verdict_open_the_report(evaluation):
    found = evaluation.metrics
    # A model trained for seconds is told from the held-out solos. The corpus holds out a few solos, too few to
    # halve: the control halves the training split's solos, and stays near chance.
    assert found["c2st_accuracy"] > 0.8 and found["c2st_auc"] > 0.8 and found["c2st_top1_feature"] in FEATURE_NAMES
    assert found["c2st_control_set"] == "training split" and 0.25 < found["c2st_control_accuracy"] < 0.75
    assert found["c2st_reason"] is None
    assert found["progression"].startswith("| ") and found["chords"] is None
    report = evaluation.report.read_text()
    opening = report.split("## ")[0]
    words = ("How far from real", "64.4 %", "Inside the held-out range", "Off:", "Played over", "training split")
    assert all(w in opening for w in words)
    assert f"{100 * found['c2st_accuracy']:.1f} %" in opening and found["progression"] in opening
    assert "## Is it real? (classifier two-sample test)" in report


def test_validation_cross_entropy_is_the_checkpoints_val_loss(evaluation, trained_ckpt):
    """Scored on the same windows as in training, so it equals the val_loss the checkpoint was chosen by."""
    callbacks = torch.load(trained_ckpt, weights_only=True)["callbacks"]
    (state,) = [s for name, s in callbacks.items() if name.startswith("ModelCheckpoint")]
    assert evaluation.metrics["val_cross_entropy"] == pytest.approx(float(state["current_score"]), rel=1e-4)


def test_report_pictures_and_sound(evaluation):
    report = evaluation.report.read_text()
    assert evaluation.report == evaluation.folder / "report.md"
    for heading in ("Prediction", "Jazz measures", "Originality", "Music features"):
        assert f"## {heading}" in report
    for stem in ("most_likely_1", "most_likely_3", "least_likely_1", "least_likely_3"):
        for suffix in (".png", ".mid", ".wav"):
            assert (evaluation.folder / f"{stem}{suffix}").stat().st_size > 0
            assert f"{stem}{suffix}" in report
    for figure in ("pitch_classes.png", "intervals.png", "onsets.png", "distances.png"):
        assert (evaluation.folder / figure).read_bytes()[:4] == b"\x89PNG"
    with wave.open(str(evaluation.folder / "most_likely_1.wav")) as audio:
        assert audio.getnframes() > audio.getframerate()  # over a second of sound
    assert not list(evaluation.folder.glob(".*"))  # no temporary file left behind


def test_an_existing_report_is_kept_unless_asked(evaluation, trained_ckpt):
    cfg = EvaluateConfig(ckpt=str(trained_ckpt), n=2, length=16, out=str(evaluation.folder), audio=False)
    before = (evaluation.folder / "metrics.json").read_text()
    with pytest.raises(JazzSoloError, match="exists"):
        evaluate(cfg)
    assert (evaluation.folder / "metrics.json").read_text() == before
    found = evaluate_checkpoint(trained_ckpt, n=2, length=16, out=str(evaluation.folder), audio=False, overwrite=True)
    assert json.loads((evaluation.folder / "metrics.json").read_text())["n_solos"] == found["n_solos"] == 2


def test_default_folder_is_the_run_folder(tmp_path):
    assert default_out(tmp_path / "run" / "checkpoints" / "best.ckpt") == tmp_path / "run" / "evaluation"
    assert default_out(tmp_path / "model.ckpt") == tmp_path / "evaluation"


def test_a_checkpoint_whose_corpus_is_gone_is_one_clear_error(trained_ckpt, tmp_path):
    raw = torch.load(trained_ckpt, weights_only=True)
    raw["hyper_parameters"]["data"]["path"] = str(tmp_path / "gone.mid")
    moved = tmp_path / "moved.ckpt"
    torch.save(raw, moved)
    with pytest.raises(JazzSoloError, match="cannot read its training corpus.*gone.mid"):
        evaluate(EvaluateConfig(ckpt=str(moved), n=2, out=str(tmp_path / "eval")))


def test_one_piece_is_cut_where_its_training_values_end():
    """A single source piece: training pieces hold only the notes of the training values, held-out the rest."""
    score = embedded_scores()[0]  # 32 bars of 4/4
    values = PitchTokenizer().encode(score)
    vocab = sorted(set(values))
    corpus = EncodedCorpus(vocab, [[vocab.index(v) for v in values]], [score.name], [score.name], lambda: [score])
    train, _ = split_sequences(corpus.sequences, 0.25)
    training, heldout = corpus_pieces(corpus, DataConfig(tokenizer="pitch", val_fraction=0.25), train, bars=2)
    n_train_notes = sum(not vocab[i].startswith("R,") for i in train[0])
    first, rest = score.notes[:n_train_notes], score.notes[n_train_notes:]
    heldout_start = math.ceil(first[-1].end / 4) * 4

    def where(pieces: list[M.Piece], start: float) -> set[tuple[float, int]]:
        return {(round(n.start + start + 8 * k, 6), n.pitch) for k, p in enumerate(pieces) for n in p.notes}

    assert where(training, 0) <= {(round(n.start, 6), n.pitch) for n in first}
    assert where(heldout, heldout_start) <= {(round(n.start, 6), n.pitch) for n in rest}
    assert len(training) == int(first[-1].end // 8) and len(heldout) == (32 * 4 - heldout_start) // 8 > 0


def test_too_long_segments_name_a_length_that_works_and_few_pieces_are_flagged(trained_ckpt, tmp_path, caplog):
    settings = {"ckpt": str(trained_ckpt), "n": 2, "length": 16, "audio": False}
    with pytest.raises(JazzSoloError, match=r"segment_bars=100: .* pass segment_bars=(\d+) or fewer") as refused:
        evaluate(EvaluateConfig(**settings, segment_bars=100, out=str(tmp_path / "refused")))
    fits = int(re.search(r"pass segment_bars=(\d+)", str(refused.value)).group(1))
    with caplog.at_level("WARNING", logger="jazz_solo.evaluation.evaluate"):
        result = evaluate(EvaluateConfig(**settings, segment_bars=fits, out=str(tmp_path / "fits")))
    assert result.metrics["n_corpus_pieces"] >= 2
    assert min(result.metrics["n_corpus_pieces"], result.metrics["n_heldout_pieces"]) < 5  # the longest that fits
    assert "figures over fewer than 5 pieces mean little" in caplog.text
    assert "**Note:** only" in (tmp_path / "fits" / "report.md").read_text()
