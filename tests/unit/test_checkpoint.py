"""The checkpoint format: files written before the package was re-laid out load and play as they did;
older files (no `home`, no `model.condition`) load; a file that is not ours is one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

import jazz_solo
from jazz_solo.checkpoint import Spec, load_checkpoint, read_checkpoint_file
from jazz_solo.errors import JazzSoloError

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "checkpoints"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())
# as make_fixtures.py drew them; grid=False: the network's own draws, so this tests the format, not the grid;
# realise=centre: the pitches were recorded with it, the default before realise=line
SETTINGS = {"chords": "Dm7 G7 | Cmaj7", "strategy": "sample", "seed": 4, "grid": False, "realise": "centre"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_checkpoint_written_before_the_redesign_plays_the_same_solos(name):
    solos = jazz_solo.load(FIXTURES / name).generate(n=2, length=24, **SETTINGS)
    for solo, expected in zip(solos, EXPECTED[name], strict=True):
        assert solo.values == expected["values"]
        assert [n.pitch for n in solo.notes] == expected["pitches"]
        assert solo.log_prob == pytest.approx(expected["log_prob"], abs=1e-4)


def test_the_spec_reads_what_the_lightning_module_saved():
    ckpt = load_checkpoint(FIXTURES / "condition_chords.ckpt")
    assert ckpt.spec.condition == "chords" and ckpt.net.n_features > 0
    assert ckpt.spec.tokenizer == "grammar" and len(ckpt.spec.value_counts) == len(ckpt.vocab) == ckpt.net.n_values
    raw = read_checkpoint_file(FIXTURES / "condition_chords.ckpt")
    assert ckpt.spec.to_dict() == {k: raw["hyper_parameters"].get(k) for k in Spec.__dataclass_fields__}


def test_an_older_checkpoint_without_home_or_condition_loads(tmp_path):
    raw = read_checkpoint_file(FIXTURES / "condition_none.ckpt")
    del raw["hyper_parameters"]["home"]
    del raw["hyper_parameters"]["model"]["condition"]
    torch.save(raw, tmp_path / "old.ckpt")
    ckpt = load_checkpoint(tmp_path / "old.ckpt")
    assert ckpt.spec.home is None and ckpt.spec.condition == "none" and ckpt.net.n_features == 0
    assert ckpt.spec.provenance is None  # written before checkpoints said who wrote them


def test_a_checkpoint_whose_weights_do_not_fit_its_settings_is_one_line(tmp_path):
    raw = read_checkpoint_file(FIXTURES / "condition_chords.ckpt")
    raw["hyper_parameters"]["model"]["condition"] = "none"  # the weights hear chords, the settings say not
    torch.save(raw, tmp_path / "mixed.ckpt")
    with pytest.raises(JazzSoloError, match="weights do not fit the stored settings"):
        load_checkpoint(tmp_path / "mixed.ckpt")
    torch.save({"hyper_parameters": {"vocab": []}}, tmp_path / "other.ckpt")
    with pytest.raises(JazzSoloError, match="not a jazz_solo checkpoint"):
        load_checkpoint(tmp_path / "other.ckpt")


def test_a_new_checkpoint_says_what_wrote_it(trained_ckpt):
    provenance = load_checkpoint(trained_ckpt).spec.provenance
    assert provenance["jazz_solo"] == jazz_solo.__version__ and provenance["torch"] == str(torch.__version__)
    assert provenance["written"].startswith("20")
