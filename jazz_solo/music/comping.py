"""Score -> MIDI: the solo over a comping track (chords and a bass line) played from the progression."""

from __future__ import annotations

import os
from pathlib import Path

import pretty_midi

from jazz_solo.atomic import atomic_file
from jazz_solo.music.chords import ChordSpan, Progression
from jazz_solo.music.score import Note

SOLO_PROGRAM = 26  # jazz guitar, as in the classic Metheny file
PIANO_PROGRAM = 0


def comping_notes(spans: list[ChordSpan]) -> list[Note]:
    """Each chord held for its span: as the source played it, else a close voicing plus a bass line
    (the voicing's lowest tone on beat 1: the root, or a slash chord's bass; its third tone from beat 3: the
    fifth of a chord without a slash bass); nothing under NC."""
    notes = []
    for span in spans:
        if span.pitches or not span.chord.pitch_classes:
            notes += [Note(span.start, span.duration, pitch, 58) for pitch in span.pitches]
            continue
        for pitch in span.chord.voicing(low=52):
            notes.append(Note(span.start, span.duration, pitch, 58))
        bass = span.chord.voicing(low=36)
        notes.append(Note(span.start, min(span.duration, 2.0), bass[0], 70))
        if span.duration > 2.0:
            notes.append(Note(span.start + 2.0, span.duration - 2.0, bass[2], 64))
    return notes


def solo_comping(solo: list[Note], progression: Progression, end: float = 0.0) -> list[Note]:
    """The progression's comping, looped over the solo's length (or `end`, quarter notes, if later: a solo
    may end in a rest) rounded up to whole bars."""
    bar = progression.beats_per_bar
    bars = -(-max(end, max((n.end for n in solo), default=0.0)) // bar)
    return comping_notes(progression.looped(bars * bar))


def to_pretty_midi(
    solo: list[Note],
    progression: Progression,
    comping: list[Note] | None = None,
    name: str = "jazz_solo",
    end: float = 0.0,
) -> pretty_midi.PrettyMIDI:
    """The solo over `comping` (default: played from the progression, looped to the solo's length or `end`)."""
    seconds_per_quarter = 60.0 / progression.tempo
    pm = pretty_midi.PrettyMIDI(initial_tempo=progression.tempo)
    pm.time_signature_changes.append(pretty_midi.TimeSignature(progression.beats_per_bar, 4, 0.0))
    if comping is None:
        comping = solo_comping(solo, progression, end)

    def part(notes: list[Note], program: int, label: str) -> pretty_midi.Instrument:
        inst = pretty_midi.Instrument(program=program, name=label)
        for n in notes:
            inst.notes.append(
                pretty_midi.Note(
                    velocity=n.velocity,
                    pitch=n.pitch,
                    start=n.start * seconds_per_quarter,
                    end=n.end * seconds_per_quarter,
                )
            )
        return inst

    pm.instruments.append(part(solo, SOLO_PROGRAM, f"{name} solo"))
    pm.instruments.append(part(comping, PIANO_PROGRAM, "comping"))
    return pm


def write_midi(pm: pretty_midi.PrettyMIDI, path: str | os.PathLike) -> Path:
    """Write atomically: a crash never leaves a half-written file under the final name."""
    with atomic_file(path) as out:
        pm.write(out)
    return Path(path)
