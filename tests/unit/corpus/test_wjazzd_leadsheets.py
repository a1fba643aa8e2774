"""WJazzD's lead sheets shipped with the package: the file, and chords=wjazzd:<tune> and `tunes` without WJazzD."""

from __future__ import annotations

import csv
import json
import logging

import pretty_midi
import pytest

from conftest import run_in_process, shared_file
from jazz_solo.corpus import wjazzd, wjazzd_leadsheets
from jazz_solo.corpus.download import NOTICE
from jazz_solo.corpus.wjazzd_leadsheets import LEADSHEETS, SHIPPED, write_leadsheets
from jazz_solo.corpus.wjazzd_meta import META
from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import Progression

ANTHROPOLOGY = "Bb6 G7 | Cm7 F7 | Bb G-7 | C-7 F7"  # the lead sheet's first bars (Art Pepper's solo, 218.8 bpm)


@pytest.fixture
def no_wjazzd(tmp_path, monkeypatch):
    """Neither data/wjazzd nor WJAZZD_PATH here: an empty folder, and the tests run from another."""
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setattr(wjazzd, "WJAZZD_PATH", str(empty))
    monkeypatch.chdir(tmp_path)
    return empty


def rows(path) -> dict[str, dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as file:
        return {row["id"]: row for row in csv.DictReader(file)}


def test_the_shipped_file_is_every_solos_lead_sheet_as_wjazzd_writes_it(tmp_path):
    full = shared_file("wjazzd/wjd_meta.csv")
    shipped, source = rows(LEADSHEETS / META), rows(full)
    assert shipped.keys() == source.keys() and len(shipped) == 456
    assert all(row["chord_changes"] == source[id]["chord_changes"] for id, row in shipped.items())
    assert (LEADSHEETS / META).stat().st_size < 300_000
    written = write_leadsheets(full.parent, tmp_path)  # the maintainers' command writes it again, byte for byte
    assert written.read_bytes() == (LEADSHEETS / META).read_bytes()


def test_a_model_of_another_corpus_plays_a_wjazzd_tune_with_no_wjazzd_here(no_wjazzd, trained_ckpt, tmp_path, caplog):
    from jazz_solo.checkpoint import load_checkpoint
    from jazz_solo.config import GenerateConfig
    from jazz_solo.generation import generate, progression_for

    assert wjazzd.tunes_path({"path": None}, None) == str(LEADSHEETS)
    with caplog.at_level(logging.INFO, logger="jazz_solo.corpus.wjazzd"):
        progression = progression_for(load_checkpoint(trained_ckpt), "wjazzd:Anthropology")
    assert f"Anthropology's changes from {SHIPPED}" in caplog.text
    assert progression.title == "Anthropology (Art Pepper)" and progression.tempo == 218.8
    assert progression.spans[:6] == Progression.parse(ANTHROPOLOGY, 218.8, 4).spans[:6]
    out = tmp_path / "solos"
    [midi] = generate(GenerateConfig(ckpt=str(trained_ckpt), chords="wjazzd:Anthropology", bars=2, out=str(out)))
    assert pretty_midi.PrettyMIDI(str(midi)).get_tempo_changes()[1][0] == pytest.approx(218.8, abs=0.01)
    # the model owes WJazzD nothing, its solo over WJazzD's lead sheet does: the ODbL notice travels with it
    assert load_checkpoint(trained_ckpt).spec.licence is None and progression.licence == NOTICE
    assert NOTICE.split(",")[0].encode() in midi.read_bytes()
    assert json.loads((out / "manifest.json").read_text())["licence"] == NOTICE


def test_a_tune_with_no_lead_sheet_and_no_solo_here_is_one_line_saying_make_wjazzd(no_wjazzd, tmp_path, monkeypatch):
    sheets = tmp_path / "sheets"
    text = (LEADSHEETS / META).read_text(encoding="utf-8")
    header, first = text.split("\n", 1)[0], next(iter(rows(LEADSHEETS / META).values()))
    fields = [first[c] if c != "chord_changes" else "" for c in header.split(",")]
    (sheets / META).parent.mkdir()
    with open(sheets / META, "w", encoding="utf-8", newline="") as file:
        csv.writer(file, lineterminator="\n").writerows([header.split(","), fields])
    monkeypatch.setattr(wjazzd, "LEADSHEETS", sheets)
    monkeypatch.setattr(wjazzd_leadsheets, "LEADSHEETS", sheets.resolve())
    with pytest.raises(JazzSoloError) as error:
        wjazzd.tune_changes(wjazzd.tunes_path({"path": None}, None), "Anthropology")
    fetch = f"(make wjazzd fetches WJazzD to {no_wjazzd})"
    expected = f"ArtPepper_Anthropology_FINAL has no lead sheet: its chords are the solo's, not in {SHIPPED} {fetch}"
    assert str(error.value) == expected


def test_tunes_without_wjazzd_lists_the_shipped_lead_sheets_and_says_so(no_wjazzd, tmp_path):
    result = run_in_process("-m", "jazz_solo.corpus", "tunes", "anthropology", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [line.split()[1:3] for line in result.stdout.splitlines()] == [
        ["Art", "Pepper"], ["Chris", "Potter"], ["Dizzy", "Gillespie"], ["Fats", "Navarro"]
    ]  # fmt: skip
    assert result.stderr.splitlines() == [f"{no_wjazzd} is not here: listing {SHIPPED} (make wjazzd fetches the solos)"]
