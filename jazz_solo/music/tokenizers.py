"""Tokenizers: a score <-> a sequence of musical values (strings).

A tokenizer's values are plain strings so the vocabulary can travel in a checkpoint.
`encode` reads a Score; `decode` turns values back into notes over a progression (a
tokenizer whose values do not fix the pitch chooses it there, seeded).

Pitch tokenizer values (`data.tokenizer=pitch`):
    "<NOTE>,<DURATION>"   e.g. "Eb5,0.667": MIDI note name and length in quarter notes
    "R,<DURATION>"        a rest, e.g. "R,1.000"
Durations print with three decimals; a note's length is its time to the next onset, so a
gap before the next note becomes a rest value and decoding restores every onset.

Grammar tokenizer values (`data.tokenizer=grammar`, the default): see grammar.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Protocol

import pretty_midi

from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import Progression
from jazz_solo.music.grammar import REST, GrammarTokenizer
from jazz_solo.music.score import Note, Score, duration_text, parse_duration, snap


class Tokenizer(Protocol):
    name: ClassVar[str]
    note_level: ClassVar[bool]  # each value fixes a note's pitch (or a rest) and its duration: see note_fields

    def encode(self, score: Score) -> list[str]:
        """The score's solo as values."""
        ...

    def decode(
        self,
        values: Sequence[str],
        progression: Progression,
        seed: int = 0,
        realise: str = "line",
        home: float | None = None,
    ) -> list[Note]:
        """Values -> notes over `progression` (looped as needed), reproducible from `seed`. Where values do
        not fix the pitch: `realise` says how it is chosen, around the register `home` (grammar.py)."""
        ...


class PitchTokenizer:
    """One value per note (absolute pitch + duration) or rest: chord-blind, exact round trip."""

    name: ClassVar[str] = "pitch"
    note_level: ClassVar[bool] = True

    def encode(self, score: Score) -> list[str]:
        notes = score.notes
        values = [f"{REST},{duration_text(notes[0].start)}"] if notes and notes[0].start > 1e-6 else []
        for note, nxt in zip(notes, notes[1:] + [None]):
            sounding = note.duration if nxt is None else min(note.duration, snap(nxt.start - note.start))
            values.append(f"{pretty_midi.note_number_to_name(note.pitch)},{duration_text(sounding)}")
            gap = 0.0 if nxt is None else snap(nxt.start - note.start - sounding)
            if gap > 1e-6:
                values.append(f"{REST},{duration_text(gap)}")
        return values

    def decode(
        self,
        values: Sequence[str],
        progression: Progression,
        seed: int = 0,
        realise: str = "line",
        home: float | None = None,
    ) -> list[Note]:
        """The values' own pitches: seed, realise and home change nothing."""
        notes, time = [], 0.0
        for value in values:
            head, _, tail = value.partition(",")
            duration = parse_duration(tail)
            if head != REST:
                notes.append(Note(time, duration, int(pretty_midi.note_name_to_number(head))))
            time = snap(time + duration)
        return notes

    @staticmethod
    def pitch(value: str) -> int | None:
        """A value's MIDI pitch; None for a rest."""
        head = value.partition(",")[0]
        return None if head == REST else int(pretty_midi.note_name_to_number(head))

    @classmethod
    def transpose(cls, value: str, shift: int) -> str:
        """The value `shift` semitones up (a rest stays a rest), e.g. ("Eb5,0.667", 2) -> "F5,0.667"."""
        pitch = cls.pitch(value)
        if pitch is None:
            return value
        return f"{pretty_midi.note_number_to_name(pitch + shift)},{value.partition(',')[2]}"


def value_length(value: str) -> float:
    """The time a value takes, in quarter notes: every tokenizer writes it second ("C,0.250,<m2,P-4>", "R,1.000")."""
    return parse_duration(value.split(",")[1])


def note_fields(value: str) -> tuple[str, str]:
    """(pitch, duration) of a note-level value, as written: "Eb5,0.667" -> ("Eb5", "0.667"), "R,1.000" -> ("R", ...).

    Values that share a field form the groups over which per-note perplexity sums a joint distribution.
    """
    head, duration = value.split(",")[:2]
    return head, duration


def field_groups(vocab: Sequence[str]) -> list[list[int]]:
    """Each value's group by its first field (pitch or rest; the grammar's role) and by its length: two
    lists of len(vocab) group ids, numbered in the sorted order of the fields as written."""
    fields = [note_fields(v) for v in vocab]
    groups = []
    for i in range(2):
        names = sorted({f[i] for f in fields})
        index = {name: k for k, name in enumerate(names)}
        groups.append([index[f[i]] for f in fields])
    return groups


TOKENIZERS: dict[str, type] = {GrammarTokenizer.name: GrammarTokenizer, PitchTokenizer.name: PitchTokenizer}


def get_tokenizer(name: str) -> Tokenizer:
    if name not in TOKENIZERS:
        raise JazzSoloError(f"unknown tokenizer {name!r} (choose from {', '.join(sorted(TOKENIZERS))})")
    return TOKENIZERS[name]()
