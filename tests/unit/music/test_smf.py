"""The direct MIDI writer: pretty_midi reads its files as the parts render.to_pretty_midi builds."""

from __future__ import annotations

import io
import random

import pretty_midi
import pytest

from jazz_solo.music.chords import Progression
from jazz_solo.music.comping import to_pretty_midi
from jazz_solo.music.score import Note
from jazz_solo.music.smf import midi_file, solo_file, varlen


def random_solo(seed: int) -> list[Note]:
    rng, time, notes = random.Random(seed), 0.0, []
    for _ in range(60):
        duration = rng.choice([0.25, 1 / 3, 0.5, 2 / 3, 1.0, 1.5])
        if rng.random() < 0.85:
            notes.append(Note(time, duration, rng.randint(50, 84), rng.randint(40, 110)))
        time += duration
    return notes


def read(data: bytes) -> pretty_midi.PrettyMIDI:
    return pretty_midi.PrettyMIDI(io.BytesIO(data))


@pytest.mark.parametrize("seed, chords, tempo", [(0, "Dm7 G7 | Cmaj7 | Cmaj7", 120.0), (1, "C7 | F7 | C7 | G7", 137.5)])
def test_pretty_midi_reads_the_same_parts(seed, chords, tempo):
    progression = Progression.parse(chords, tempo=tempo)
    solo = random_solo(seed)
    ours, theirs = read(solo_file(solo, progression, name="seed 3")), to_pretty_midi(solo, progression, name="seed 3")
    # a file holds microseconds per quarter note: tempo and times agree to about a millionth
    assert ours.get_tempo_changes()[1].tolist() == pytest.approx([tempo], rel=1e-6)
    assert [(s.numerator, s.denominator) for s in ours.time_signature_changes] == [(4, 4)]
    assert len(ours.instruments) == len(theirs.instruments) == 2
    for mine, reference in zip(ours.instruments, theirs.instruments):
        assert (mine.name, mine.program, mine.is_drum) == (reference.name, reference.program, reference.is_drum)

        def notes(inst):
            return sorted((n.start, n.pitch, n.end, n.velocity) for n in inst.notes)

        assert len(mine.notes) == len(reference.notes) > 10
        for a, b in zip(notes(mine), notes(reference)):
            assert a[1::2] == b[1::2] and a[::2] == pytest.approx(b[::2], abs=1e-4)


def test_a_repeated_pitch_ends_before_it_starts_again():
    notes = [Note(0.0, 1.0, 60), Note(1.0, 1.0, 60), Note(2.0, 0.5, 62)]
    pm = read(midi_file([("line", 0, notes)], 120.0, 3))
    assert [(n.start, n.end, n.pitch) for n in pm.instruments[0].notes] == [
        (0.0, 0.5, 60),
        (0.5, 1.0, 60),
        (1.0, 1.25, 62),
    ]
    assert pm.time_signature_changes[0].numerator == 3


def test_variable_length_numbers_follow_the_standard():
    examples = {
        0: b"\x00",
        0x40: b"\x40",
        0x7F: b"\x7f",
        0x80: b"\x81\x00",
        0x2000: b"\xc0\x00",
        0x1FFFFF: b"\xff\xff\x7f",
    }
    assert {value: varlen(value) for value in examples} == examples


def test_notes_outside_midi_range_are_refused():
    with pytest.raises(ValueError, match="0..127"):
        midi_file([("line", 0, [Note(0.0, 1.0, 128)])], 120.0, 4)
