"""The model shipped with the package, as a user meets it: `jazz_solo.load("pretrained:wjazzd")` with no
WJazzD and no training, solos on the beat grid over a typed progression, its card and its licence."""

from __future__ import annotations

from fractions import Fraction

import pytest

import jazz_solo
from jazz_solo import pretrained
from jazz_solo.corpus.download import NOTICE


@pytest.fixture(autouse=True)
def package_folder(monkeypatch):
    monkeypatch.delenv(pretrained.FOLDER_VARIABLE, raising=False)  # the package's own models


def test_the_shipped_model_is_small_and_weights_only():
    assert "wjazzd" in pretrained.available()
    path = pretrained.pretrained_path("wjazzd")
    assert path.stat().st_size < 8 * 2**20  # n_a 256: 5.7 MiB of float32 weights
    model = jazz_solo.load("pretrained:wjazzd")
    spec = model.checkpoint.spec
    assert (spec.tokenizer, spec.condition, spec.data["transpose"]) == ("pitch", "chords", 6)
    assert spec.licence == NOTICE and spec.provenance["jazz_solo"]


def test_it_plays_over_a_typed_progression_on_the_beat_grid(tmp_path):
    model = jazz_solo.load("pretrained:wjazzd")
    solos = model.generate(n=4, chords="Dm7 G7 | Cmaj7 | A7 | Dm7 G7", strategy="sample", seed=3, bars=8)
    for solo in solos:
        assert solo.notes and max(n.start for n in solo.notes) < 8 * 4
        for note in solo.notes:  # every onset on the 1/4 + 1/3 grid of the beat
            within = Fraction(note.start).limit_denominator(12) % 1
            assert within in {Fraction(k, 12) for k in (0, 3, 4, 6, 8, 9)}, note
        mean = sum(n.pitch for n in solo.notes) / len(solo.notes)
        assert 55 <= mean <= 80, mean  # the players' register (the training solos' median pitch is 65, F4)
    solos[0].write_midi(tmp_path / "solo.mid")
    assert NOTICE.split(",")[0].encode() in (tmp_path / "solo.mid").read_bytes()  # the ODbL notice travels


def test_its_card_gives_the_data_the_figures_and_the_licence():
    card = pretrained.pretrained_path("wjazzd").with_suffix(pretrained.CARD_SUFFIX).read_text()
    for needed in ("ODbL", "c2st", "held-out", "transpose", "generate.py ckpt=pretrained:wjazzd"):
        assert needed in card, needed
    assert NOTICE in card
