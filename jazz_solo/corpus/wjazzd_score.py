"""A WJazzD solo's rows -> a score, and the checks that make bad rows one line naming the file and row.

The rows come from either source (wjazzd_csv.py, wjazzd_db.py); see wjazzd.py for how time and chords
are read. Before a score is built, every number is finite and plausible, onsets are in order and the
beat track covers the melody: a typo such as an onset of 1e6 s would otherwise become half a million
rests, and a NaN would fail deep inside the rounding.
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache

from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import Chord, ChordSpan, Progression
from jazz_solo.music.score import Note, Score, legato, monophonic, quantise, snap

NO_CHORD_LABEL = "NC"
MIN_LENGTH = 1 / 12  # quarter notes: a ghost note shorter than the grid still takes one grid step
# Plausibility. The longest WJazzD solo lasts 816 s, its longest silence between two notes 11.8 s and between
# two beats 10 s, its longest note 10.7 s, its shortest beat 0.027 s: the limits leave twice that room or
# more, and keep a typo (an onset of 1e6 s: half a million rests) from becoming a runaway encoding.
MAX_SOLO_SECONDS = 30 * 60.0
MAX_GAP_SECONDS = 60.0  # between two notes, two beats, or a note and its end
MIN_BEAT_SECONDS = 0.01
MAX_METRE = 32  # beats in a bar, and the longest note value a beat is (1/32); WJazzD's largest is 9/4
PITCHES = range(128)  # MIDI

NoteRow = tuple[float, float, int, int, float, int]  # onset s, duration s, bar, beat, beat duration s, pitch
Where = Callable[[int], str]  # a row's index -> where it is, e.g. "melody.csv, row 12"


@dataclass(frozen=True)
class Beat:
    onset: float  # seconds
    bar: int
    beat: int  # from 1
    metre: tuple[int, int]
    chord: str  # label as written; "" where the db does not repeat it


def number(value: object, where: str) -> float:
    """A finite number from a cell (text, or the db's REAL or INTEGER); else an error naming `where`."""
    try:
        found = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        shown = "empty" if value is None or str(value).strip() == "" else f"not a number: {str(value)[:40]!r}"
        raise JazzSoloError(f"{where}: {shown}") from None
    if not math.isfinite(found):
        raise JazzSoloError(f"{where}: not a finite number: {str(value)[:40]!r}")
    return found


def whole(value: object, where: str) -> int:
    """A whole number from a cell ("12", "12.0", the db's 12); else an error naming `where`."""
    found = number(value, where)
    if found != int(found):
        raise JazzSoloError(f"{where}: not a whole number: {str(value)[:40]!r}")
    return int(found)


@lru_cache(maxsize=64)
def parse_metre(text: str) -> tuple[int, int]:
    """A metre as the sources write it, quotes and all (e.g. 4/4 in triple double quotes, or '4/4') -> (4, 4)."""
    top, _, bottom = text.strip("'\" ").partition("/")
    try:
        metre = int(top), int(bottom)
    except ValueError:
        raise JazzSoloError(f"not a metre: {text[:40]!r}") from None
    if not (1 <= metre[0] <= MAX_METRE and 1 <= metre[1] <= MAX_METRE):
        raise JazzSoloError(f"not a metre: {text[:40]!r}")
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


@dataclass(frozen=True)
class SoloRows:
    """A solo as its source holds it, and where each row is (for errors)."""

    name: str  # the solo's id
    notes: list[NoteRow]
    beats: list[Beat]  # in track order
    melody: str = field(repr=False)  # where the notes are: a file, or the db's table and melid
    track: str = field(repr=False)  # where the beats are
    note_at: Where = field(repr=False)
    beat_at: Where = field(repr=False)


def check_solo(solo: SoloRows) -> SoloRows:
    """The solo, or a JazzSoloError naming the row where its rows are out of order or implausible."""
    notes, beats, note_at, beat_at = solo.notes, solo.beats, solo.note_at, solo.beat_at
    if not beats:
        raise JazzSoloError(f"{solo.track}: no beats")
    if not notes:
        raise JazzSoloError(f"{solo.melody}: no notes")
    for i, (b1, b2) in enumerate(zip(beats, beats[1:]), 1):
        if not 0 < b2.onset - b1.onset <= MAX_GAP_SECONDS:
            raise JazzSoloError(
                f"{beat_at(i)}: onset {b2.onset:g} s after the previous beat's {b1.onset:g} s "
                f"(beats go forward, at most {MAX_GAP_SECONDS:g} s apart)"
            )
    first, last = beats[0].onset, beats[-1].onset
    if last - first > MAX_SOLO_SECONDS:
        raise JazzSoloError(f"{beat_at(len(beats) - 1)}: a beat track over {MAX_SOLO_SECONDS:g} s long")
    slack = statistics.median(b2.onset - b1.onset for b1, b2 in zip(beats, beats[1:])) if len(beats) > 1 else 1.0
    previous = None
    for i, (onset, duration, _, _, beat_duration, pitch) in enumerate(notes):
        if previous is not None and not 0 <= onset - previous <= MAX_GAP_SECONDS:
            raise JazzSoloError(
                f"{note_at(i)}: onset {onset:g} s after the previous note's {previous:g} s "
                f"(notes go forward, at most {MAX_GAP_SECONDS:g} s apart)"
            )
        if not first - slack <= onset <= last + slack:
            raise JazzSoloError(f"{note_at(i)}: onset {onset:g} s outside the beat track ({first:g} to {last:g} s)")
        if not 0 <= duration <= MAX_GAP_SECONDS:
            raise JazzSoloError(f"{note_at(i)}: duration {duration:g} s (from 0 to {MAX_GAP_SECONDS:g} s)")
        if not (beat_duration == 0 or MIN_BEAT_SECONDS <= beat_duration <= MAX_GAP_SECONDS):
            raise JazzSoloError(
                f"{note_at(i)}: beat duration {beat_duration:g} s ({MIN_BEAT_SECONDS:g} to {MAX_GAP_SECONDS:g} s)"
            )
        if pitch not in PITCHES:
            raise JazzSoloError(f"{note_at(i)}: pitch {pitch} (MIDI pitches are 0 to 127)")
        previous = onset
    return solo


def build_score(solo: SoloRows, lengths: str = "onsets") -> Score:
    """A solo's score from rows that passed check_solo."""
    name, notes, beats = solo.name, solo.notes, solo.beats
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
        into_beat = (onset - beats[i].onset) * per_second
        if abs(into_beat) > MAX_METRE * 4:  # its bar and beat name a beat far from its onset
            raise JazzSoloError(f"{solo.note_at(len(placed))}: onset {onset:g} s is not in bar {bar}, beat {beat}")
        start = snap(times[i] - origin + quantise(into_beat))
        placed.append(Note(start, max(quantise(duration * per_second), MIN_LENGTH), pitch))
    line = monophonic(placed, cut=lengths != "written")
    line = legato(line) if lengths == "legato" else line
    end = max(n.end for n in line)

    changes: list[tuple[float, str, int]] = []  # (time, label, its beat's index) where the chord changes
    label, written = NO_CHORD_LABEL, 0
    for i, (b, t) in enumerate(zip(beats, times)):
        if b.chord:  # the db writes a chord only where it changes
            label, written = b.chord, i
        start = max(snap(t - origin), 0.0)  # beats before the first bar all land on 0: the latest wins
        if start >= end:
            break
        if changes and changes[-1][0] == start:
            changes[-1] = (start, label, written)
        elif not changes or label != changes[-1][1]:
            changes.append((start, label, written))
    spans = [
        ChordSpan(start, snap(nxt - start), chord(label, solo.beat_at(i)))
        for (start, label, i), nxt in zip(changes, [c[0] for c in changes[1:]] + [end])
    ]
    metres = Counter(b.metre for b in beats)
    metre = metres.most_common(1)[0][0]
    beat_lengths = [b2.onset - b1.onset for b1, b2 in zip(beats, beats[1:])] or [0.5]
    tempo = round(60 / statistics.median(beat_lengths) * 4 / metre[1], 2)
    beats_per_bar = max(1, round(metre[0] * 4 / metre[1]))
    progression = Progression(spans, tempo, beats_per_bar)
    return Score(line, progression, name=name, metre=metre, bar_metres=tuple(sorted(metres)))
