"""The official SQLite release, wjazzd.db: tables solo_info, melody and beats (chords written where they
change), transcription_info.filename_sv naming each solo where present."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from jazz_solo.corpus.wjazzd_meta import SoloInfo, info_from_row, solo_id
from jazz_solo.corpus.wjazzd_score import Beat, NoteRow, SoloRows, check_solo, number, parse_metre, whole
from jazz_solo.errors import JazzSoloError

NOTE_COLUMNS = ("onset", "duration", "bar", "beat", "beatdur", "pitch")


def connect(path: Path) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        db.execute("SELECT melid FROM solo_info LIMIT 1")
    except sqlite3.Error as err:
        raise JazzSoloError(f"{path}: not a WJazzD database ({err})") from None
    return db


def has_table(db: sqlite3.Connection, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone() is not None


def read_db_infos(path: Path) -> list[SoloInfo]:
    """Every solo's metadata, by melid."""
    with connect(path) as db:
        try:
            names = {}
            if has_table(db, "transcription_info"):
                names = dict(db.execute("SELECT melid, filename_sv FROM transcription_info").fetchall())
            db.row_factory = sqlite3.Row
            rows = db.execute("SELECT * FROM solo_info ORDER BY melid").fetchall()
        except sqlite3.Error as err:
            raise JazzSoloError(f"{path}: not a WJazzD database ({err})") from None
    found = []
    for row in rows:
        where = f"{path}, solo_info melid {row['melid']}"
        fields = {key: "" if row[key] is None else str(row[key]) for key in row.keys()}
        name = solo_id(str(names.get(row["melid"]) or f"melid{row['melid']}"), f"{where}, its filename_sv")
        found.append(info_from_row(name, fields, where))
    return found


def read_db_solo_rows(path: Path, infos: list[SoloInfo]) -> list[SoloRows]:
    """The solos `infos` name, checked (wjazzd_score.check_solo), in that order."""
    notes: dict[int, list[NoteRow]] = {info.melid: [] for info in infos}
    beats: dict[int, list[Beat]] = {info.melid: [] for info in infos}
    with connect(path) as db:
        try:
            for eventid, melid, *row in db.execute(
                "SELECT eventid, melid, onset, duration, bar, beat, beatdur, pitch FROM melody ORDER BY melid, eventid"
            ):
                if melid in notes:
                    at = f"{path}, melody eventid {eventid}, column"
                    onset, duration, bar, beat, beat_duration, pitch = (
                        number(value, f"{at} {column!r}") for value, column in zip(row, NOTE_COLUMNS)
                    )
                    where = f"{at} 'bar' or 'beat'"
                    notes[melid].append(
                        (onset, duration, whole(bar, where), whole(beat, where), beat_duration, round(pitch))
                    )
            for beatid, melid, onset, bar, beat, signature, label in db.execute(
                "SELECT beatid, melid, onset, bar, beat, signature, chord FROM beats ORDER BY melid, beatid"
            ):
                if melid in beats:  # the metre, like the chord, may be written only where it changes
                    at, track = f"{path}, beats beatid {beatid}, column", beats[melid]
                    try:
                        metre = parse_metre(str(signature)) if signature else track[-1].metre if track else (4, 4)
                    except JazzSoloError as err:
                        raise JazzSoloError(f"{at} 'signature': {err}") from None
                    where = f"{at} 'bar' or 'beat'"
                    onset = number(onset, f"{at} 'onset'")
                    track.append(Beat(onset, whole(bar, where), whole(beat, where), metre, str(label or "").strip()))
        except sqlite3.Error as err:
            raise JazzSoloError(f"{path}: not a WJazzD database ({err})") from None
    return [check_solo(solo_at(path, info, notes[info.melid], beats[info.melid])) for info in infos]


def solo_at(path: Path, info: SoloInfo, notes: list[NoteRow], beats: list[Beat]) -> SoloRows:
    """A solo's rows, each named by its place in its melid's rows (for errors)."""
    melody, track = f"{path}, melody melid {info.melid}", f"{path}, beats melid {info.melid}"
    return SoloRows(
        info.id, notes, beats, melody, track, lambda i: f"{melody}, note {i + 1}", lambda i: f"{track}, beat {i + 1}"
    )
