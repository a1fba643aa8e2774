"""`python -m jazz_solo.corpus inspect` and `download`; downloads only ever from local file:// URLs here."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import time
from collections import Counter

import pytest

from conftest import (
    CASES,
    WJAZZD_EXTRACT,
    assert_one_line_error,
    good_midi,
    run_in_process,
    run_script,
    shared_file,
    wjazzd_db,
)
from jazz_solo.corpus import wjazzd
from jazz_solo.corpus.__main__ import write_corpus
from jazz_solo.corpus.download import (
    CLASSIC_SHA256,
    WJAZZD_MANIFEST,
    WJAZZD_MANIFEST_SHA256,
    download_classic,
    download_csv,
    download_db,
    read_manifest,
)
from jazz_solo.corpus.encoding import load_scores
from jazz_solo.errors import JazzSoloError


def test_inspect_json_on_a_corpus_file(tmp_path):
    path = write_corpus(tmp_path, seed=0)[0]  # a ii-V-I: the solo over a comping track
    result = run_script("-m", "jazz_solo.corpus", "inspect", str(path), "--json", "--values", "5")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    for key in ("n_values", "corpus_length", "measures", "solo_instrument", "tempo", "chords"):
        assert key in report
    assert report["solo_instrument"]["index"] == 0 and report["chords_from"][0]["index"] == 1
    assert [m[0]["symbol"] for m in report["chords"][:4]] == ["Dm7", "G7", "Cmaj7", "Cmaj7"]
    assert report["measures"] == len(report["chords"]) and len(report["values"]) == 5
    assert report["corpus_length"] >= report["n_values"] > 10


def test_inspect_text_on_the_classic_section():
    path = shared_file("original_metheny.mid")
    args = ["inspect", str(path), "--solo", "Guitar", "--chords-from", "Piano", "--start", "476", "--end", "548"]
    result = run_in_process("-m", "jazz_solo.corpus", *args)
    assert result.returncode == 0, result.stderr
    assert "instrument 5 'Guitar'" in result.stdout and "18 measures" in result.stdout
    assert "\n      1  Abmaj7  Bbmaj7@2\n" in result.stdout
    assert "first values: C,0.500 R,0.167 C,0.333,<P1,d-5>" in result.stdout


def test_download_checks_the_checksum_and_writes_whole_files_only(tmp_path):
    wrong = tmp_path / "wrong.mid"
    wrong.write_bytes(b"MThd not the classic file")
    dest = tmp_path / "data" / "original_metheny.mid"
    with pytest.raises(JazzSoloError, match="not the expected file .*nothing written"):
        download_classic(dest, wrong.as_uri())
    assert not dest.parent.exists() or not any(dest.parent.iterdir())
    with pytest.raises(JazzSoloError, match="cannot download"):
        download_classic(dest, (tmp_path / "missing.mid").as_uri())
    result = run_script("-m", "jazz_solo.corpus", "download", "classic", str(dest), "--url", wrong.as_uri())
    assert_one_line_error(result, wrong.as_uri(), "sha256")
    assert not dest.exists()


def test_download_the_classic_file_from_a_local_copy(tmp_path):
    source = shared_file("original_metheny.mid")
    folder = f"{tmp_path}/data/"  # a folder that does not exist yet
    result = run_script("-m", "jazz_solo.corpus", "download", "classic", folder, "--url", source.as_uri())
    assert result.returncode == 0, result.stderr
    written = tmp_path / "data" / "original_metheny.mid"
    assert result.stdout.strip() == str(written) and written.read_bytes() == source.read_bytes()
    # Already there with the right checksum: nothing is fetched again (this URL would fail).
    assert download_classic(written, (tmp_path / "nowhere.mid").as_uri()) == written
    assert CLASSIC_SHA256 in (shared_file("README.md").read_text())


def test_inspect_json_on_a_wjazzd_folder_and_db(tmp_path):
    db = wjazzd_db(WJAZZD_EXTRACT, tmp_path / "wjazzd.db")
    reports = []
    for source in (WJAZZD_EXTRACT, db):
        result = run_in_process("-m", "jazz_solo.corpus", "inspect", str(source), "--json", "--min-count", "2")
        assert result.returncode == 0, result.stderr[-2000:]
        reports.append(json.loads(result.stdout))
    folder, from_db = reports
    labels = Counter()
    for melody in (WJAZZD_EXTRACT / "mcsv_melody").iterdir():
        with open(melody, encoding="utf-8") as file:
            labels.update(row["chord"] for row in csv.DictReader(file))
    assert folder["pieces"] == 6 and folder["source_notes"] == sum(labels.values()) >= folder["notes"] > 400
    assert folder["unparsed_chords"] == 0 and folder["kind"] == "wjazzd" and folder["performers"] == 5
    assert 0 < folder["coverage"] < 1 and folder["n_values"] < folder["n_values_before_policy"]
    assert folder["chord_labels"] == len(labels) and folder["most_common_chords"][0] == ["NC", labels["NC"]]
    assert {k: v for k, v in folder.items() if k != "source"} == {k: v for k, v in from_db.items() if k != "source"}


def test_download_wjazzd_checks_every_file_and_resumes(tmp_path):
    assert hashlib.sha256(WJAZZD_MANIFEST.read_bytes()).hexdigest() == WJAZZD_MANIFEST_SHA256
    source = tmp_path / "mirror"  # the extract as the pinned repository would serve it
    shutil.copytree(WJAZZD_EXTRACT, source)
    manifest = WJAZZD_EXTRACT / "SHA256SUMS"
    dest = tmp_path / "data" / "wjazzd"
    assert download_csv(dest, source.as_uri(), manifest) == dest
    for _, name in read_manifest(manifest):
        assert (dest / name).read_bytes() == (WJAZZD_EXTRACT / name).read_bytes()
    infos = wjazzd.read_infos(dest)  # no metadata table: performer and title from the file names
    assert len(infos) == 6 and {i.performer for i in infos} >= {"Louis Armstrong", "Kid Ory", "Zoot Sims"}
    assert download_csv(dest, (tmp_path / "nowhere").as_uri(), manifest) == dest  # all there: nothing fetched

    melody = source / "mcsv_melody" / "KidOry_SavoyBlues_FINAL.csv"
    melody.write_text(melody.read_text().replace(",67,", ",68,", 1))
    (dest / "mcsv_melody" / "KidOry_SavoyBlues_FINAL.csv").unlink()
    with pytest.raises(JazzSoloError, match="KidOry_SavoyBlues_FINAL.csv: not the expected file"):
        download_csv(dest, source.as_uri(), manifest)
    assert not (dest / "mcsv_melody" / "KidOry_SavoyBlues_FINAL.csv").exists()
    assert not list(dest.rglob("*.tmp"))


def test_download_wjazzd_db_and_the_cli_prints_the_notice(tmp_path):
    db = wjazzd_db(WJAZZD_EXTRACT, tmp_path / "source.db")
    with pytest.raises(JazzSoloError, match="bytes, not the release's"):
        download_db(tmp_path / "out", db.as_uri())
    not_db = tmp_path / "not.db"
    not_db.write_bytes(b"SQLite format 3\0 but not really")
    with pytest.raises(JazzSoloError, match="not a WJazzD database"):
        download_db(tmp_path / "out.db", not_db.as_uri(), size=None)
    assert not (tmp_path / "out.db").exists()
    assert download_db(f"{tmp_path}/", db.as_uri(), size=db.stat().st_size) == tmp_path / "wjazzd.db"
    assert wjazzd.read_infos(tmp_path / "wjazzd.db")[0].performer == wjazzd.read_infos(db)[0].performer
    args = ("download", "wjazzd", str(tmp_path / "csv"), "--url", (tmp_path / "missing").as_uri())
    result = run_in_process("-m", "jazz_solo.corpus", *args)
    assert_one_line_error(result, "cannot download", "a WJazzD copy you have needs none: train.py data.path=DIR")


def test_download_wjazzd_cli_from_a_local_copy_of_the_pinned_files(tmp_path):
    """The shipped manifest, end to end: all 912 CSV files from a local copy, then the licence notice."""
    source = shared_file("wjazzd")
    dest = tmp_path / "wjazzd"
    result = run_in_process("-m", "jazz_solo.corpus", "download", "wjazzd", str(dest), "--url", source.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines()[0] == str(dest) and "ODbL v1.0" in result.stdout
    assert (dest / "SHA256SUMS").read_bytes() == (source / "SHA256SUMS").read_bytes()
    assert len(wjazzd.read_infos(dest)) == 456


def test_inspect_json_on_a_folder_of_midi_files(tmp_path):
    folder = tmp_path / "midi"
    folder.mkdir()
    for path in write_corpus(tmp_path / "all", seed=0)[:3]:
        shutil.copy(path, folder)
    result = run_in_process("-m", "jazz_solo.corpus", "inspect", str(folder), "--json", "--tokenizer", "pitch")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["kind"] == "midi" and report["pieces"] == 3 and report["coverage"] == 1.0
    assert report["notes"] == report["source_notes"] > 100 and report["unparsed_chords"] == 0
    assert report["n_values"] == report["n_values_before_policy"] and report["chord_labels"] >= 3


@pytest.mark.parametrize("case", CASES)
def test_inspect_names_the_file_and_the_problem(case, bad):
    path, fragment = bad[case]
    result = run_in_process("-m", "jazz_solo.corpus", "inspect", str(path), "--json")
    assert_one_line_error(result, str(path), fragment)
    assert result.stdout == ""


def test_bad_solo_index_section_and_folders(tmp_path):
    song = good_midi(tmp_path / "song.mid")
    result = run_in_process("-m", "jazz_solo.corpus", "inspect", str(song), "--solo", "7")
    assert_one_line_error(result, str(song), "no instrument 7")
    result = run_in_process("-m", "jazz_solo.corpus", "inspect", str(song), "--solo", "Trumpet")
    assert_one_line_error(result, str(song), "no instrument named 'Trumpet'", "'Guitar'")
    result = run_in_process("-m", "jazz_solo.corpus", "inspect", str(song), "--start", "400", "--end", "440")
    assert_one_line_error(result, str(song), "no notes in the section")
    (tmp_path / "empty").mkdir()
    result = run_in_process("-m", "jazz_solo.corpus", "inspect", str(tmp_path / "empty"))  # a folder: a corpus
    assert_one_line_error(result, "empty: folder has no .mid or .midi files")
    with pytest.raises(JazzSoloError, match="folder has no .mid or .midi files"):
        load_scores(str(tmp_path / "empty"))


def test_a_10000_note_file_is_read_in_seconds(tmp_path):
    song = good_midi(tmp_path / "long.mid", n_notes=10_000)
    started = time.perf_counter()
    result = run_script("-m", "jazz_solo.corpus", "inspect", str(song), "--json", timeout=120)
    elapsed = time.perf_counter() - started
    print(f"\ninspect on 10,000 notes: {elapsed:.1f} s (noisy on a shared machine)")
    assert result.returncode == 0, result.stderr[-2000:]
    assert '"notes": 10000' in result.stdout


def test_the_old_spelling_python_m_jazz_solo_music_still_works(tmp_path):
    """`python -m jazz_solo.music inspect ...`, the spelling before the corpus package, says what the new one says."""
    path = write_corpus(tmp_path, seed=0)[0]
    old = run_script("-m", "jazz_solo.music", "inspect", str(path), "--json", "--values", "5")
    assert old.returncode == 0, old.stderr[-2000:]
    new = run_in_process("-m", "jazz_solo.corpus", "inspect", str(path), "--json", "--values", "5")
    assert new.returncode == 0 and old.stdout == new.stdout
