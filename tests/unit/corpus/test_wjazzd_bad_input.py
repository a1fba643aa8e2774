"""A damaged WJazzD solo, in every path that reads one (the reader, `inspect`'s label count, the encoding and
its cache key, the db reader): one JazzSoloError line naming the file (and line and column where known)."""

from __future__ import annotations

import csv
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import WJAZZD_EXTRACT, wjazzd_db
from jazz_solo.config import DataConfig
from jazz_solo.corpus import wjazzd
from jazz_solo.corpus.encoding import encode_values
from jazz_solo.errors import JazzSoloError

SOLO = "KidOry_SavoyBlues_FINAL"
MELODY = Path("mcsv_melody") / f"{SOLO}.csv"
BEATS = Path("mcsv_beat") / f"{SOLO}_beattrack.csv"
META = Path("wjd_meta.csv")


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("JAZZ_SOLO_CACHE", str(tmp_path / "cache"))


def one_solo(folder: Path, meta: bool = True) -> Path:
    """A CSV folder holding one solo of the extract (with its metadata row, or none, as the download)."""
    for name in (MELODY, BEATS):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(WJAZZD_EXTRACT / name, folder / name)
    if meta:
        lines = (WJAZZD_EXTRACT / META).read_text(encoding="utf-8")
        rows = list(csv.reader(lines.splitlines(keepends=True)))
        with open(folder / META, "w", newline="", encoding="utf-8") as file:
            csv.writer(file).writerows([rows[0]] + [r for r in rows[1:] if r[0] == f"{SOLO}.sv"])
    return folder


def edit_cell(path: Path, line: int, column: str, value: str) -> None:
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    rows[line - 1][rows[0].index(column)] = value
    with open(path, "w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)


def edit_column(path: Path, column: str, value) -> None:
    """Every row's `column` set to value(line number, old value)."""
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    i = rows[0].index(column)
    for line, row in enumerate(rows[1:], 2):
        row[i] = value(line, row[i])
    with open(path, "w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)


def lines(path: Path, change) -> None:
    path.write_bytes(b"".join(change(path.read_bytes().splitlines(keepends=True))))


def replace_by_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


def replace_by_dangling_link(path: Path) -> None:
    path.unlink()
    path.symlink_to(path.parent / "nowhere.csv")


# name -> (the change, the file the error names, fragments of the message)
CASES = {
    "non-UTF-8 byte": (lambda f: lines(f / MELODY, lambda ls: ls[:3] + [b"\xff" + ls[3]] + ls[4:]), MELODY,
                       ["line 4: not UTF-8 text (byte 0xff)"]),
    "stray quote": (lambda f: lines(f / BEATS, lambda ls: ls[:1] + [b'"' + ls[1]] + ls[2:]), BEATS, ["line"]),
    "NUL byte": (lambda f: lines(f / BEATS, lambda ls: ls[:2] + [b"\0" + ls[2]] + ls[3:]), BEATS, ["line 3"]),
    "missing column": (lambda f: lines(f / MELODY, lambda ls: [ls[0].replace(b"pitch", b"pitsch")] + ls[1:]), MELODY,
                       ["no column 'pitch'"]),
    "empty file": (lambda f: (f / BEATS).write_bytes(b""), BEATS, ["no column 'onset' (the file is empty)"]),
    "header only": (lambda f: lines(f / MELODY, lambda ls: ls[:1]), MELODY, ["no notes"]),
    "last line cut": (lambda f: lines(f / MELODY, lambda ls: ls[:-1] + [ls[-1][:20]]), MELODY,
                      ["line 60: 2 fields, the header has 18"]),
    "extra field": (lambda f: lines(f / BEATS, lambda ls: ls[:5] + [ls[5].rstrip() + b",9\n"] + ls[6:]), BEATS,
                    ["line 6: 12 fields, the header has 11"]),
    "repeated header": (lambda f: lines(f / MELODY, lambda ls: ls[:9] + ls[:1] + ls[9:]), MELODY,
                        ["line 10, column 'onset': not a number: 'onset'"]),
    "bar 60.5": (lambda f: edit_cell(f / BEATS, 4, "bar", "60.5"), BEATS, ["line 4, column 'bar': not a whole number"]),
    "bar 0x1F": (lambda f: edit_cell(f / MELODY, 4, "bar", "0x1F"), MELODY, ["column 'bar': not a number: '0x1F'"]),
    "empty beat": (lambda f: edit_cell(f / MELODY, 7, "beat", ""), MELODY, ["line 7, column 'beat': empty"]),
    "onset nan": (lambda f: edit_cell(f / MELODY, 3, "onset", "nan"), MELODY, ["not a finite number: 'nan'"]),
    "duration inf": (lambda f: edit_cell(f / MELODY, 3, "duration", "inf"), MELODY, ["line 3, column 'duration'"]),
    "onset 1e400": (lambda f: edit_cell(f / MELODY, 3, "onset", "1e400"), MELODY, ["not a finite number"]),
    "every beat at 0": (lambda f: edit_column(f / BEATS, "onset", lambda _, __: "0"), BEATS,
                        ["line 3: onset 0 s after the previous beat's 0 s"]),
    "last onset 1e6 s": (lambda f: edit_cell(f / MELODY, 60, "onset", "1e6"), MELODY,
                         ["line 60: onset 1e+06 s after", "at most 60 s apart"]),
    "onsets -1e9 s": (lambda f: edit_column(f / MELODY, "onset", lambda _, __: "-1e9"), MELODY,
                      ["line 2: onset -1e+09 s outside the beat track"]),
    "beats 1e8 s apart": (lambda f: edit_column(f / BEATS, "onset", lambda n, _: str(n * 1e8)), BEATS,
                          ["line 3: onset 3e+08 s after"]),
    "unordered onsets": (lambda f: lines(f / MELODY, lambda ls: ls[:5] + [ls[6], ls[5]] + ls[7:]), MELODY,
                         ["line 7: onset", "notes go forward"]),
    "beat track too short": (lambda f: lines(f / BEATS, lambda ls: ls[:20]), MELODY, ["outside the beat track"]),
    "pitch 200": (lambda f: edit_cell(f / MELODY, 9, "pitch", "200"), MELODY, ["line 9: pitch 200"]),
    "beat duration 1e-9": (lambda f: edit_cell(f / MELODY, 9, "beat_duration", "1e-9"), MELODY,
                           ["line 9: beat duration 1e-09 s"]),
    "metre 4/0": (lambda f: edit_cell(f / BEATS, 2, "signature", "4/0"), BEATS, ["line 2, column 'signature'"]),
    "folder for a file": (lambda f: replace_by_folder(f / BEATS), BEATS, ["a folder, where a file should be"]),
    "dangling link": (lambda f: replace_by_dangling_link(f / MELODY), MELODY, ["a link to nothing"]),
    "missing beat file": (lambda f: (f / BEATS).unlink(), BEATS, ["no such file"]),
    "meta: non-UTF-8 title": (lambda f: lines(f / META, lambda ls: ls[:1] + [ls[1].replace(b"Savoy", b"Sav\xe9y")]),
                              META, ["line 2: not UTF-8 text (byte 0xe9)"]),
    "meta: last field missing": (lambda f: lines(f / META, lambda ls: ls[:-1] + [ls[-1].rstrip().rsplit(b",", 1)[0]]),
                                 META, ["line 2: 32 fields, the header has 33"]),
    "meta: melid nan": (lambda f: edit_cell(f / META, 2, "melid", "nan"), META, ["column 'melid': not a finite"]),
    "meta: melid 1e400": (lambda f: edit_cell(f / META, 2, "melid", "1e400"), META, ["column 'melid'"]),
    "meta: melid 2.5": (lambda f: edit_cell(f / META, 2, "melid", "2.5"), META, ["not a whole number: '2.5'"]),
    "meta: id with NUL": (lambda f: edit_cell(f / META, 2, "id", "Kid\0Ory.sv"), META, ["column 'id': not a solo id"]),
    "meta: id a path": (lambda f: edit_cell(f / META, 2, "id", "../../etc/passwd"), META, ["not a solo id"]),
    "meta: no id column": (lambda f: lines(f / META, lambda ls: [ls[0].replace(b"id,", b"ident,", 1)] + ls[1:]), META,
                           ["no column 'id'"]),
    "meta: a folder": (lambda f: replace_by_folder(f / META), META, ["a folder, where a file should be"]),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_a_damaged_solo_is_one_line_naming_the_file_in_every_path(case, tmp_path):
    change, file, fragments = CASES[case]
    folder = one_solo(tmp_path / "wjazzd")
    change(folder)
    readers = {
        "reader": lambda: wjazzd.read_solos(folder, wjazzd.read_infos(folder)),
        "inspect's label count": lambda: wjazzd.note_labels(folder, wjazzd.read_infos(folder)),
        "encoding and cache key": lambda: encode_values(DataConfig(path=str(folder), chordless=True)),
    }
    for name, read in readers.items():
        with pytest.raises(JazzSoloError) as err:
            read()
        message = str(err.value)
        assert "\n" not in message and str(folder / file) in message, (name, message)
        for fragment in fragments:
            assert fragment in message, (name, message)


def test_a_bom_and_a_link_to_a_file_read_as_the_plain_files(tmp_path):
    folder = one_solo(tmp_path / "wjazzd")
    plain = wjazzd.read_solos(folder, wjazzd.read_infos(folder))[0]
    for name in (META, MELODY):
        (folder / name).write_bytes(b"\xef\xbb\xbf" + (folder / name).read_bytes())  # as spreadsheets write CSV
    moved = tmp_path / "beats.csv"
    (folder / BEATS).rename(moved)
    (folder / BEATS).symlink_to(moved)
    again = wjazzd.read_solos(folder, wjazzd.read_infos(folder))[0]
    assert again.notes == plain.notes and again.progression.spans == plain.progression.spans


def test_the_download_layout_without_metadata_reads_in_every_path(tmp_path):
    folder = one_solo(tmp_path / "wjazzd", meta=False)
    (infos,) = wjazzd.read_infos(folder)
    assert (infos.performer, infos.title) == ("Kid Ory", "Savoy Blues")
    assert wjazzd.source_files(folder, [infos]) == [folder / MELODY, folder / BEATS]
    assert wjazzd.note_labels(folder, [infos])[SOLO].total() == 59
    assert encode_values(DataConfig(path=str(folder))).names == [SOLO]


@pytest.mark.parametrize(
    "sql, fragments",
    [
        ("UPDATE melody SET onset = NULL WHERE eventid = 3", ["melody eventid 3, column 'onset': empty"]),
        ("UPDATE melody SET pitch = 'x' WHERE eventid = 4", ["melody eventid 4, column 'pitch': not a number"]),
        ("UPDATE melody SET onset = 1e6 WHERE eventid = (SELECT max(eventid) FROM melody WHERE melid = 1)",
         ["melody melid 1, note", "at most 60 s apart"]),
        ("UPDATE beats SET onset = 0 WHERE melid = 1", ["beats melid 1, beat 2: onset 0 s"]),
        ("UPDATE beats SET signature = '4/x' WHERE beatid = 1", ["beats beatid 1, column 'signature'"]),
        ("UPDATE transcription_info SET filename_sv = '../x.sv' WHERE melid = 1", ["not a solo id"]),
        ("DROP TABLE beats", ["not a WJazzD database (no such table: beats)"]),
    ],
)  # fmt: skip
def test_a_damaged_db_is_one_line_naming_the_table_and_row(sql, fragments, tmp_path):
    db = wjazzd_db(WJAZZD_EXTRACT, tmp_path / "wjazzd.db")
    with sqlite3.connect(db) as connection:
        connection.execute(sql)
    with pytest.raises(JazzSoloError) as err:
        encode_values(DataConfig(path=str(db), chordless=True))
    assert "\n" not in str(err.value) and str(db) in str(err.value)
    for fragment in fragments:
        assert fragment in str(err.value)
