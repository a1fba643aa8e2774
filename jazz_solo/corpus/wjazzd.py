"""The Weimar Jazz Database (WJazzD) -> scores: 456 transcribed solos with the chord under every beat.

Two sources hold the same solos (pure Python: csv and sqlite3 from the standard library):

- the CSV export: a folder with `wjd_meta.csv` (one row per solo), `mcsv_melody/<id>.csv` (one row
  per note) and `mcsv_beat/<id>_beattrack.csv` (one row per beat), where <id> is the metadata's
  `id` without ".sv", e.g. "ArtPepper_Anthropology_FINAL";
- the official SQLite release `wjazzd.db`: tables `solo_info`, `melody` and `beats` (with
  `transcription_info.filename_sv` naming the solo when present), chords written where they change.

Time. A score is in quarter notes from the first beat of the bar of the solo's first note (so a
pickup bar, bar 0 or below, is measure 0 and the first bar of the form starts after it). A beat lasts
4 / denominator quarter notes; bars take their length from the beat track, so a bar of another metre
inside the solo keeps every later note in place. A note sits at its beat plus the fraction of the beat
(onset - beat onset) / beat duration, quantised to the 1/4 + 1/3 grid like every score (score.quantise);
its played length (seconds / beat duration) is quantised the same way, at least 1/12, and cut at the
next onset (one line). WJazzD's lengths are played ones (staccato, ghost notes): data=wjazzd reads
them with lengths=legato, a note held to the next onset unless a real rest follows (score.legato).
Tempo: quarter notes per minute from the median beat duration.

Chords. The beat track gives the chord at each beat; a span runs from one change to the next (a
label repeated over several beats is one span). `NC` (no chord: breaks, intros, free solos) is a span
whose chord is chords.NO_CHORD (no tones). The last span reaches the end of the last note.
"""

from __future__ import annotations

import csv
import os
import re
import sqlite3
import statistics
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import Chord, ChordSpan, Progression
from jazz_solo.music.score import Note, Score, legato, monophonic, quantise, snap

WJAZZD_PATH = "data/wjazzd"  # where `make wjazzd` puts it
META = "wjd_meta.csv"
MELODY, BEATS = "mcsv_melody", "mcsv_beat"
NO_CHORD_LABEL = "NC"
MIN_LENGTH = 1 / 12  # quarter notes: a ghost note shorter than the grid still takes one grid step


@dataclass(frozen=True)
class SoloInfo:
    """A solo's metadata row (the fields the filters and `inspect` use; `chord_changes` is the lead sheet)."""

    id: str  # e.g. "ArtPepper_Anthropology_FINAL"
    melid: int
    performer: str
    title: str
    instrument: str
    style: str
    rhythmfeel: str
    signature: str
    avgtempo: float
    key: str
    chord_changes: str


@dataclass(frozen=True)
class Beat:
    onset: float  # seconds
    bar: int
    beat: int  # from 1
    metre: tuple[int, int]
    chord: str  # label as written; "" where the db does not repeat it


def is_wjazzd(path: str | os.PathLike) -> bool:
    """A WJazzD CSV folder (wjd_meta.csv, or mcsv_melody/ and mcsv_beat/) or an SQLite .db file."""
    path = Path(path)
    if path.is_dir():
        return (path / META).is_file() or ((path / MELODY).is_dir() and (path / BEATS).is_dir())
    return path.is_file() and path.suffix == ".db"


def info_from_name(solo_id: str) -> SoloInfo:
    """What a solo's file name says where the folder has no wjd_meta.csv (as the CSV download leaves it):
    "ArtPepper_BluesForBlanche_FINAL" -> performer "Art Pepper", title "Blues For Blanche"; no instrument,
    style or rhythm feel (filters on those keep nothing)."""
    performer, _, rest = solo_id.partition("_")
    title = rest.removesuffix("_FINAL")

    def spaced(text: str) -> str:
        return re.sub(r"(?<=[a-z'])(?=[A-Z])", " ", text)

    return SoloInfo(solo_id, -1, spaced(performer), spaced(title), "", "", "", "", 0.0, "", "")


@lru_cache(maxsize=64)
def parse_metre(text: str) -> tuple[int, int]:
    """A metre as the sources write it, quotes and all (e.g. 4/4 in triple double quotes, or '4/4') -> (4, 4)."""
    top, _, bottom = text.strip("'\" ").partition("/")
    try:
        metre = int(top), int(bottom)
    except ValueError:
        raise JazzSoloError(f"not a metre: {text!r}") from None
    if metre[0] < 1 or metre[1] < 1:
        raise JazzSoloError(f"not a metre: {text!r}")
    return metre


@cache
def parsed(label: str) -> Chord | None:
    """The chord a label names, or None where it does not parse."""
    try:
        return Chord.parse(label)
    except JazzSoloError:
        return None


def chord(label: str, where: str) -> Chord:
    """A WJazzD chord label as a Chord (chords.NO_CHORD for NC); an unknown one is an error naming `where`."""
    return parsed(label) or Chord.parse(label, where)


def _float(text: str, default: float = 0.0) -> float:
    try:
        return float(text)
    except ValueError:
        return default


def build_score(
    name: str, notes: list[tuple[float, float, int, int, float, int]], beats: list[Beat], lengths: str = "onsets"
) -> Score:
    """A solo's score. notes: (onset s, duration s, bar, beat, beat duration s, pitch); beats in track order."""
    if not beats:
        raise JazzSoloError(f"{name}: no beat track")
    if not notes:
        raise JazzSoloError(f"{name}: no notes")
    position, time = {}, 0.0  # (bar, beat) -> its index in the track, and each beat's quarter-note time
    times = []
    for i, b in enumerate(beats):
        position[b.bar, b.beat] = i
        times.append(time)
        time += 4 / b.metre[1]
    onsets = [b.onset for b in beats]

    def beat_of(onset: float, bar: int, beat: int) -> int:
        """The note's beat: by its bar and beat, or the last beat at or before it where the track lacks them."""
        found = position.get((bar, beat))
        return found if found is not None else max(0, bisect_right(onsets, onset) - 1)

    first = beat_of(notes[0][0], notes[0][2], notes[0][3])
    origin = times[max(first - (beats[first].beat - 1), 0)]  # the first note's bar starts the score
    placed = []
    for onset, duration, bar, beat, beat_duration, pitch in notes:
        i = beat_of(onset, bar, beat)
        quarters = 4 / beats[i].metre[1]  # in a beat
        per_second = quarters / beat_duration if beat_duration > 0 else quarters
        start = snap(times[i] - origin + quantise((onset - beats[i].onset) * per_second))
        placed.append(Note(start, max(quantise(duration * per_second), MIN_LENGTH), pitch))
    line = monophonic(placed, cut=lengths != "written")
    line = legato(line) if lengths == "legato" else line
    end = max(n.end for n in line)

    changes: list[tuple[float, str]] = []  # (time, label) where the chord changes
    label = NO_CHORD_LABEL
    for b, t in zip(beats, times):
        label = b.chord or label  # the db writes a chord only where it changes
        start = max(snap(t - origin), 0.0)  # beats before the first bar all land on 0: the latest wins
        if start >= end:
            break
        if changes and changes[-1][0] == start:
            changes[-1] = (start, label)
        elif not changes or label != changes[-1][1]:
            changes.append((start, label))
    spans = [
        ChordSpan(start, snap(nxt - start), chord(label, f"{name}, at quarter note {start:g}"))
        for (start, label), nxt in zip(changes, [c[0] for c in changes[1:]] + [end])
    ]
    metres = Counter(b.metre for b in beats)
    metre = metres.most_common(1)[0][0]
    beat_lengths = [b2.onset - b1.onset for b1, b2 in zip(beats, beats[1:])] or [0.5]
    tempo = round(60 / statistics.median(beat_lengths) * 4 / metre[1], 2)
    beats_per_bar = max(1, round(metre[0] * 4 / metre[1]))
    progression = Progression(spans, tempo, beats_per_bar)
    return Score(line, progression, name=name, metre=metre, bar_metres=tuple(sorted(metres)))


def _info(row: dict[str, str], solo_id: str) -> SoloInfo:
    return SoloInfo(
        id=solo_id,
        melid=int(_float(row.get("melid", ""), -1)),
        performer=row.get("performer", ""),
        title=row.get("title", ""),
        instrument=row.get("instrument", ""),
        style=row.get("style", ""),
        rhythmfeel=row.get("rhythmfeel", ""),
        signature=row.get("signature", ""),
        avgtempo=_float(row.get("avgtempo", "")),
        key=row.get("key", ""),
        chord_changes=row.get("chord_changes", "") or "",
    )


def read_infos(path: str | os.PathLike) -> list[SoloInfo]:
    """Every solo's metadata, in the source's order (the CSV's rows, the db's melid)."""
    path = Path(path)
    if not is_wjazzd(path):
        raise JazzSoloError(f"{path}: not a WJazzD folder (with {META}) or .db file")
    if path.is_dir() and not (path / META).is_file():
        return [info_from_name(file.stem) for file in sorted((path / MELODY).glob("*.csv"))]
    if path.is_dir():
        with open(path / META, newline="", encoding="utf-8") as file:
            return [_info(row, row["id"].removesuffix(".sv")) for row in csv.DictReader(file)]
    with _connect(path) as db:
        names = {}
        if _has_table(db, "transcription_info"):
            names = dict(db.execute("SELECT melid, filename_sv FROM transcription_info").fetchall())
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT * FROM solo_info ORDER BY melid").fetchall()
        found = []
        for row in rows:
            fields = {key: "" if row[key] is None else str(row[key]) for key in row.keys()}
            name = str(names.get(row["melid"]) or f"melid{row['melid']}").removesuffix(".sv")
            found.append(_info(fields, name))
        return found


def _connect(path: Path) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        db.execute("SELECT melid FROM solo_info LIMIT 1")
    except sqlite3.Error as err:
        raise JazzSoloError(f"{path}: not a WJazzD database ({err})") from None
    return db


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone() is not None


def _columns(path: Path, names: tuple[str, ...]) -> list[list[str]]:
    """The named columns of a CSV file, row by row (csv.reader: DictReader is twice as slow here)."""
    try:
        with open(path, newline="", encoding="utf-8") as file:
            rows = csv.reader(file)
            header = next(rows, [])
            missing = [name for name in names if name not in header]
            if missing:
                raise JazzSoloError(f"{path}: no column {missing[0]!r}")
            where = [header.index(name) for name in names]
            return [[row[i] for i in where] for row in rows if row]
    except OSError as err:
        raise JazzSoloError(f"{path}: cannot read ({err.strerror or err})") from None


def read_csv_solo(folder: str | os.PathLike, solo_id: str, lengths: str = "onsets") -> Score:
    """One solo of a CSV folder by its id."""
    folder = Path(folder)
    melody, track = folder / MELODY / f"{solo_id}.csv", folder / BEATS / f"{solo_id}_beattrack.csv"
    try:
        notes = [
            (float(on), float(dur), int(bar), int(beat), float(beat_dur), int(pitch))
            for on, dur, bar, beat, beat_dur, pitch in _columns(
                melody, ("onset", "duration", "bar", "beat", "beat_duration", "pitch")
            )
        ]
        beats = [
            Beat(float(on), int(bar), int(beat), parse_metre(signature), chord.strip())
            for on, bar, beat, signature, chord in _columns(track, ("onset", "bar", "beat", "signature", "chord"))
        ]
    except (IndexError, ValueError) as err:
        raise JazzSoloError(f"{melody} or {track.name}: unreadable row ({err})") from None
    return build_score(solo_id, notes, beats, lengths)


def read_db_solos(path: str | os.PathLike, infos: list[SoloInfo], lengths: str = "onsets") -> list[Score]:
    """The solos `infos` name from a wjazzd.db, in that order."""
    path = Path(path)
    wanted = {info.melid: info for info in infos}
    notes: dict[int, list] = {melid: [] for melid in wanted}
    beats: dict[int, list[Beat]] = {melid: [] for melid in wanted}
    with _connect(path) as db:
        try:
            for melid, *row in db.execute(
                "SELECT melid, onset, duration, bar, beat, beatdur, pitch FROM melody ORDER BY melid, eventid"
            ):
                if melid in notes:
                    notes[melid].append((row[0], row[1], int(row[2]), int(row[3]), row[4], int(round(row[5]))))
            for melid, onset, bar, beat, signature, chord in db.execute(
                "SELECT melid, onset, bar, beat, signature, chord FROM beats ORDER BY melid, beatid"
            ):
                if melid in beats:  # the metre, like the chord, may be written only where it changes
                    track = beats[melid]
                    metre = parse_metre(signature) if signature else track[-1].metre if track else (4, 4)
                    track.append(Beat(onset, int(bar), int(beat), metre, (chord or "").strip()))
        except sqlite3.Error as err:
            raise JazzSoloError(f"{path}: not a WJazzD database ({err})") from None
    return [build_score(info.id, notes[info.melid], beats[info.melid], lengths) for info in infos]


def read_solos(path: str | os.PathLike, infos: list[SoloInfo], lengths: str = "onsets") -> list[Score]:
    """The solos `infos` name (from read_infos), from a CSV folder or a .db."""
    path = Path(path)
    if path.is_dir():
        return [read_csv_solo(path, info.id, lengths) for info in infos]
    return read_db_solos(path, infos, lengths)


def source_files(path: str | os.PathLike, infos: list[SoloInfo]) -> list[Path]:
    """The files the solos `infos` are read from (what a cache of them depends on)."""
    path = Path(path)
    if not path.is_dir():
        return [path]
    per_solo = [(path / MELODY / f"{i.id}.csv", path / BEATS / f"{i.id}_beattrack.csv") for i in infos]
    return [path / META] + [file for pair in per_solo for file in pair]


def note_labels(path: str | os.PathLike, infos: list[SoloInfo]) -> dict[str, Counter[str]]:
    """Per solo id: how many notes sound over each chord label as written: the beat track's chord at the
    note's bar and beat (what the reader uses; the melody files' own chord column differs at a few notes)."""
    path = Path(path)
    found: dict[str, Counter[str]] = {}
    if path.is_dir():
        for info in infos:
            track = _columns(path / BEATS / f"{info.id}_beattrack.csv", ("bar", "beat", "chord"))
            at = {(int(bar), int(beat)): chord.strip() for bar, beat, chord in track}
            notes = _columns(path / MELODY / f"{info.id}.csv", ("bar", "beat"))
            found[info.id] = Counter(at.get((int(bar), int(beat)), NO_CHORD_LABEL) for bar, beat in notes)
        return found
    wanted = {info.melid: info.id for info in infos}
    at: dict[tuple[int, int, int], str] = {}
    with _connect(path) as db:
        label, solo = NO_CHORD_LABEL, None
        for melid, bar, beat, chord_label in db.execute(
            "SELECT melid, bar, beat, chord FROM beats ORDER BY melid, beatid"
        ):
            label = (chord_label or "").strip() or (label if melid == solo else NO_CHORD_LABEL)
            at[melid, int(bar), int(beat)] = label
            solo = melid
        for melid, bar, beat in db.execute("SELECT melid, bar, beat FROM melody ORDER BY melid, eventid"):
            if melid in wanted:
                found.setdefault(wanted[melid], Counter())[at.get((melid, int(bar), int(beat)), NO_CHORD_LABEL)] += 1
    return found


def tune_changes(path: str | os.PathLike, name: str) -> tuple[SoloInfo, Progression]:
    """A corpus solo's tune, by the solo's id or its title (exact, else a part of it; any case; the first
    in the source's order): the metadata's lead sheet (`chord_changes`, one chorus of the form) at the
    solo's tempo and metre, or where the source has none, the chords under the solo itself."""
    infos = read_infos(path)
    wanted = name.strip().lower()
    for matches in (
        lambda i: i.id.lower() == wanted,
        lambda i: i.title.lower() == wanted,
        lambda i: wanted in i.title.lower(),
    ):
        found = [info for info in infos if matches(info)]
        if found:
            break
    else:
        raise JazzSoloError(f"{path}: no solo has the id or title {name!r}")
    info = found[0]
    if not info.chord_changes.strip():
        return info, read_solos(path, [info])[0].progression
    top, _, bottom = info.signature.partition("/")
    beats_per_bar = max(1, round(int(top) * 4 / int(bottom))) if top.isdigit() and bottom.isdigit() else 4
    tempo = info.avgtempo if info.avgtempo > 0 else 120.0
    return info, Progression.parse(info.chord_changes, tempo, beats_per_bar, f"{info.id}'s lead sheet")
