"""Pretrained models: a tiny checkpoint exported into a temporary pretrained folder (JAZZ_SOLO_PRETRAINED)
loads by "pretrained:NAME" and plays the source's solos; the file is weights only; names are checked."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest
import torch

import jazz_solo
from conftest import WJAZZD_EXTRACT
from jazz_solo import pretrained
from jazz_solo.checkpoint import Checkpoint, Spec, export_pretrained, load_checkpoint, resolve_checkpoint
from jazz_solo.config import DataConfig, GenerateConfig, ModelConfig
from jazz_solo.corpus import wjazzd
from jazz_solo.corpus.download import NOTICE
from jazz_solo.corpus.encoding import encode_values
from jazz_solo.errors import JazzSoloError
from jazz_solo.evaluation.evaluate import default_out, training_corpus
from jazz_solo.generation import generate, progression_for
from jazz_solo.music.chords import Progression
from jazz_solo.pretrained.export import export


@pytest.fixture
def shipped(tmp_path, monkeypatch, trained_ckpt) -> Path:
    """pretrained:tiny, exported from the tiny run folder into a folder of this test's own."""
    monkeypatch.setenv(pretrained.FOLDER_VARIABLE, str(tmp_path / "pretrained"))
    model, card = export(trained_ckpt.parent.parent, "tiny")
    assert model == tmp_path / "pretrained" / "tiny.pt" and card == model.with_suffix(".md")
    return model


@pytest.mark.parametrize("strategy", ["greedy", "sample"])
def test_a_pretrained_model_plays_its_source_checkpoints_solos(shipped, trained_ckpt, strategy):
    settings = {"n": 3, "strategy": strategy, "seed": 2, "length": 32}
    for mine, source in zip(
        jazz_solo.load("pretrained:tiny").generate(**settings), jazz_solo.load(trained_ckpt).generate(**settings)
    ):
        assert mine.values == source.values and mine.notes == source.notes and mine.log_prob == source.log_prob


def test_the_file_holds_the_spec_and_float32_weights_only(shipped, trained_ckpt):
    raw = torch.load(shipped, weights_only=True)
    assert set(raw) == {"hyper_parameters", "state_dict"}  # no optimizer state, no loops, no callbacks
    assert raw["hyper_parameters"] == load_checkpoint(trained_ckpt).spec.to_dict()
    assert all(key.startswith("net.") and t.dtype == torch.float32 for key, t in raw["state_dict"].items())
    assert shipped.stat().st_size < trained_ckpt.stat().st_size / 2


def test_a_name_resolves_in_the_folder_and_an_unknown_one_lists_the_names(shipped, tmp_path, monkeypatch):
    assert pretrained.available() == ["tiny"]
    assert resolve_checkpoint("pretrained:tiny") == pretrained.pretrained_path("tiny") == shipped
    unknown = r"^pretrained:nope: no such pretrained model \(available: pretrained:tiny\)$"
    with pytest.raises(JazzSoloError, match=unknown):
        jazz_solo.load("pretrained:nope")
    monkeypatch.setenv(pretrained.FOLDER_VARIABLE, str(tmp_path / "empty"))
    with pytest.raises(JazzSoloError, match=r"no such pretrained model \(available: none in .*empty\)"):
        resolve_checkpoint("pretrained:tiny")


def test_the_package_folder_is_the_default(monkeypatch):
    monkeypatch.delenv(pretrained.FOLDER_VARIABLE, raising=False)
    assert pretrained.folder() == Path(pretrained.__file__).resolve().parent


def test_generate_takes_a_pretrained_name_and_records_it(shipped, tmp_path):
    (path,) = generate(GenerateConfig(ckpt="pretrained:tiny", out=str(tmp_path / "solos")))
    manifest = json.loads((path.parent / "manifest.json").read_text())
    assert manifest["settings"]["ckpt"] == "pretrained:tiny" and manifest["checkpoint"]["file"] == str(shipped)


def test_an_evaluation_of_a_pretrained_model_goes_to_outputs_not_the_package():
    assert default_out("pretrained:wjazzd") == Path("outputs/pretrained/wjazzd/evaluation")


def test_the_card_skeleton_lists_the_spec_and_a_hand_written_card_is_kept(shipped, trained_ckpt):
    card = shipped.with_suffix(".md")
    text = card.read_text()
    spec = load_checkpoint(shipped).spec
    assert text.startswith("# pretrained:tiny\n") and f"vocabulary: {len(spec.vocab)} values" in text
    loss = json.loads((trained_ckpt.parent.parent / "results.json").read_text())["best_val_loss"]
    assert f"best validation loss {loss:.4f}" in text and "corpus: the embedded corpus" in text
    assert f"- `n_a`: {spec.model['n_a']}" in text and "- `Tx`: 12" in text and "Apache-2.0" in text
    card.write_text("by hand\n")
    assert export(trained_ckpt, "tiny") == (shipped, None) and card.read_text() == "by hand\n"


def test_a_name_that_is_not_a_plain_file_name_is_refused(shipped, trained_ckpt):
    with pytest.raises(JazzSoloError, match="a pretrained model's name is letters, digits"):
        export(trained_ckpt, "../elsewhere")


def test_a_checkpoint_that_does_not_load_is_never_exported(tmp_path):
    junk = tmp_path / "junk.ckpt"
    junk.write_bytes(b"PK\x00junk")
    with pytest.raises(JazzSoloError, match="not a readable checkpoint"):
        export_pretrained(junk, tmp_path / "out.pt")
    assert list(tmp_path.iterdir()) == [junk]


def wjazzd_model(tmp_path: Path) -> Checkpoint:
    """A model as a user gets it: spec of a WJazzD training (its vocabulary, the ODbL notice) whose recorded
    copy is on the trainer's machine, not here; fresh weights (what is tested is where the corpus is read)."""
    data = DataConfig(path=str(tmp_path / "trainers" / "wjazzd"), Tx=12)
    vocab = encode_values(DataConfig(path=str(WJAZZD_EXTRACT), Tx=12)).vocab
    backing = Progression.parse("Dm7 G7 | Cmaj7", 120.0, 4).to_dict()
    spec = Spec(asdict(ModelConfig(n_a=8)), asdict(data), vocab, [1] * len(vocab), backing, licence=NOTICE)
    return Checkpoint(spec.build_net().eval(), spec, "pretrained:wjazzd")


def test_a_wjazzd_model_away_from_its_corpus_reads_data_wjazzd_or_says_how_to_fetch_it(tmp_path, monkeypatch, cache):
    model = wjazzd_model(tmp_path)
    assert progression_for(model).spans == Progression.from_dict(model.spec.backing).spans  # no WJazzD needed
    monkeypatch.setattr(wjazzd, "WJAZZD_PATH", str(WJAZZD_EXTRACT))
    data, corpus = training_corpus(model)
    assert data.path == str(WJAZZD_EXTRACT) and corpus.vocab == model.vocab
    assert progression_for(model, "wjazzd:Savoy Blues").title == "Savoy Blues (Kid Ory)"
    monkeypatch.setattr(wjazzd, "WJAZZD_PATH", str(tmp_path / "data" / "wjazzd"))
    with pytest.raises(JazzSoloError, match=r"^pretrained:wjazzd was trained on WJazzD, which is not here \(make"):
        training_corpus(model)
    assert progression_for(model, "wjazzd:Savoy Blues").title == "Savoy Blues (Kid Ory)"  # the shipped lead sheets


def test_an_exported_wjazzd_model_records_data_wjazzd_not_its_trainers_folder(tmp_path, monkeypatch, shipped):
    trainers = tmp_path / "trainers.ckpt"
    model = wjazzd_model(tmp_path)
    state = {f"net.{k}": v for k, v in model.net.state_dict().items()}
    torch.save({"hyper_parameters": model.spec.to_dict(), "state_dict": state}, trainers)
    exported, _ = export(trainers, "wjazzd")
    assert load_checkpoint(exported).spec.data["path"] == wjazzd.WJAZZD_PATH == "data/wjazzd"
    assert load_checkpoint(shipped).spec.data["path"] is None  # an embedded-corpus model: nothing to change
