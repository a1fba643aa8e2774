"""A score: one monophonic solo line over a chord progression, in quarter-note time.

Notes, the score, and the grid they live on (quantise, snap) and the line operations (monophonic,
legato). Reading a MIDI file into a score is corpus/midi.py's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from jazz_solo.music.chords import Progression

LEGATO_REST = 0.5  # quarter notes: lengths=legato holds a note over a shorter silence (see legato)


@dataclass(frozen=True)
class Note:
    start: float  # quarter notes
    duration: float  # quarter notes
    pitch: int  # MIDI number
    velocity: int = 90

    @property
    def end(self) -> float:
        return self.start + self.duration


@dataclass(frozen=True)
class Part:
    """An instrument of a MIDI file, as pretty_midi numbers them."""

    index: int
    name: str
    program: int


@dataclass
class Score:
    notes: list[Note]  # the solo: sorted, non-overlapping
    progression: Progression  # chords under the solo, with tempo and metre
    comping: list[Note] = field(default_factory=list)  # the accompaniment the chords came from, if any
    name: str = ""
    solo_part: Part | None = None
    chord_parts: list[Part] = field(default_factory=list)
    metre: tuple[int, int] = (4, 4)
    bar_metres: tuple[tuple[int, int], ...] = ()  # every metre its bars are in, where known (WJazzD's beat track)
    section: tuple[float, float | None] = (0.0, None)  # where the score starts (and ends) in the file


def quantise(q: float) -> float:
    """Nearest point on the 1/4 or 1/3 quarter-note grid (ties go to 1/4)."""
    by_four, by_three = round(q * 4) / 4, round(q * 3) / 3
    return by_four if abs(by_four - q) <= abs(by_three - q) + 1e-9 else by_three


def snap(q: float) -> float:
    """Nearest point on the 1/12 grid, which holds every sum and difference of 1/4 and 1/3 grid times."""
    return round(q * 12) / 12


def duration_text(quarters: float) -> str:
    """How values write a length: quarter notes with three decimals, e.g. "0.333"."""
    return f"{quarters:.3f}"


def parse_duration(text: str) -> float:
    """A length as values write it, back on the 1/12 grid; ValueError if it is not a number."""
    return snap(float(text))


def monophonic(notes: list[Note], cut: bool = True) -> list[Note]:
    """One line: of notes starting together keep the highest; cut each note at the next onset.

    cut=False keeps each note's own (quantised) length even where the next note starts earlier, as
    the classic pipeline's values did (LENGTHS "written").
    """
    by_start: dict[float, Note] = {}
    for note in notes:
        if note.start not in by_start or note.pitch > by_start[note.start].pitch:
            by_start[note.start] = note
    line = sorted(by_start.values(), key=lambda n: n.start)
    trimmed = []
    for note, nxt in zip(line, line[1:] + [None]):
        duration = note.duration if nxt is None or not cut else min(note.duration, snap(nxt.start - note.start))
        trimmed.append(Note(note.start, duration, note.pitch, note.velocity))
    return trimmed


def legato(notes: list[Note], rest: float = LEGATO_REST) -> list[Note]:
    """lengths=legato: each note of a line held to the next onset unless at least `rest` of silence follows it.

    A played length (staccato, ghost notes) is articulation; the rhythm is the time between onsets,
    and only a real silence is a rest."""
    held = []
    for note, nxt in zip(notes, notes[1:] + [None]):
        if nxt is not None and nxt.start - note.end < rest:
            note = Note(note.start, snap(nxt.start - note.start), note.pitch, note.velocity)
        held.append(note)
    return held


def over_progression(score: Score, text: str) -> Score:
    """The score with its chords replaced by a progression (text or a .txt file), looped to the solo's length."""
    given = Progression.read(text, score.progression.tempo, score.progression.beats_per_bar, "data.chords=")
    length = max(n.end for n in score.notes)
    return replace(score, progression=Progression(given.looped(length), given.tempo, given.beats_per_bar))
