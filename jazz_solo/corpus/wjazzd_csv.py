"""WJazzD's CSV export read as checked rows: every problem is one line naming the file, row and column.

A file must be a regular file (a link to one is fine) of UTF-8 text (a byte order mark, as spreadsheet
programs write, is skipped), no larger than MAX_CSV_BYTES, whose rows each have the header's number of
fields; the columns read must be in the header (others may be missing or extra, as the export's files
differ in their column sets).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from jazz_solo.corpus.wjazzd_score import Beat, SoloRows, check_solo, number, parse_metre, whole
from jazz_solo.errors import JazzSoloError

MELODY, BEATS = "mcsv_melody", "mcsv_beat"
# The largest file of the export is a melody file of 534 kB (Coltrane's Impressions): 16 MiB is room for 30
# times that, and keeps a wrong file (a disk image named .csv) from filling the memory.
MAX_CSV_BYTES = 16 * 2**20
NOTE_COLUMNS = ("onset", "duration", "bar", "beat", "beat_duration", "pitch")
BEAT_COLUMNS = ("onset", "bar", "beat", "signature", "chord")

Rows = list[tuple[int, list[str]]]  # (line number, the asked-for columns' fields)


def solo_files(folder: Path, solo_id: str) -> tuple[Path, Path]:
    """A solo's melody and beat-track files."""
    return folder / MELODY / f"{solo_id}.csv", folder / BEATS / f"{solo_id}_beattrack.csv"


def regular_file(path: Path) -> Path:
    """`path`, if it is a regular file (or a link to one); else an error saying what is there instead."""
    if path.is_file():
        return path
    if path.is_dir():
        raise JazzSoloError(f"{path}: a folder, where a file should be")
    if path.is_symlink():
        raise JazzSoloError(f"{path}: a link to nothing, where a file should be")
    if path.exists():
        raise JazzSoloError(f"{path}: not a regular file")
    raise JazzSoloError(f"{path}: no such file")


def read_text(path: Path) -> str:
    """A CSV file's text, checked (see the module docstring)."""
    try:
        with open(regular_file(path), "rb") as file:
            data = file.read(MAX_CSV_BYTES + 1)
    except OSError as err:
        raise JazzSoloError(f"{path}: cannot read ({err.strerror or err})") from None
    if len(data) > MAX_CSV_BYTES:
        raise JazzSoloError(f"{path}: larger than {MAX_CSV_BYTES // 2**20} MiB: not a WJazzD file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise JazzSoloError(f"{path}, line {line}: not UTF-8 text (byte 0x{data[err.start]:02x})") from None


def read_rows(path: Path, columns: tuple[str, ...], optional: tuple[str, ...] = ()) -> Rows:
    """The named columns of a CSV file, row by row with their line numbers; `optional` columns read "" when
    the header lacks them. Blank lines are skipped."""
    rows = csv.reader(io.StringIO(read_text(path), newline=""))
    found: Rows = []
    try:
        header = next(rows, [])
        missing = [name for name in columns if name not in header]
        if missing:
            raise JazzSoloError(f"{path}: no column {missing[0]!r}" + ("" if header else " (the file is empty)"))
        where = [header.index(name) if name in header else None for name in columns + optional]
        end = rows.line_num
        for row in rows:
            line, end = end + 1, rows.line_num  # where the row starts: a quoted field may span lines
            if not row:
                continue
            if len(row) != len(header):
                raise JazzSoloError(f"{path}, line {line}: {len(row)} fields, the header has {len(header)}")
            found.append((line, [row[i] if i is not None else "" for i in where]))
    except csv.Error as err:
        raise JazzSoloError(f"{path}, line {rows.line_num}: not CSV ({err})") from None
    return found


def cell(path: Path, line: int, column: str) -> str:
    return f"{path}, line {line}, column {column!r}"


def read_solo_rows(folder: Path, solo_id: str) -> SoloRows:
    """A solo's notes and beats, checked (wjazzd_score.check_solo)."""
    melody, track = solo_files(folder, solo_id)
    notes, note_lines = [], []
    for line, (onset, duration, bar, beat, beat_duration, pitch) in read_rows(melody, NOTE_COLUMNS):
        notes.append(
            (
                number(onset, cell(melody, line, "onset")),
                number(duration, cell(melody, line, "duration")),
                whole(bar, cell(melody, line, "bar")),
                whole(beat, cell(melody, line, "beat")),
                number(beat_duration, cell(melody, line, "beat_duration")),
                whole(pitch, cell(melody, line, "pitch")),
            )
        )
        note_lines.append(line)
    beats, beat_lines = [], []
    for line, (onset, bar, beat, signature, label) in read_rows(track, BEAT_COLUMNS):
        try:
            metre = parse_metre(signature)
        except JazzSoloError as err:
            raise JazzSoloError(f"{cell(track, line, 'signature')}: {err}") from None
        beats.append(
            Beat(
                number(onset, cell(track, line, "onset")),
                whole(bar, cell(track, line, "bar")),
                whole(beat, cell(track, line, "beat")),
                metre,
                label.strip(),
            )
        )
        beat_lines.append(line)
    note_at, beat_at = (lambda i: f"{melody}, line {note_lines[i]}"), (lambda i: f"{track}, line {beat_lines[i]}")
    return check_solo(SoloRows(solo_id, notes, beats, str(melody), str(track), note_at, beat_at))
