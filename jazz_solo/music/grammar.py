"""The classic value grammar (`data.tokenizer=grammar`, the default): a note as a role, a length, a leap.

A value says what a note does against the chord sounding under it, how long it lasts and how
far it may move from the previous note; the pitch itself is chosen again at realisation time,
over whatever chord sounds then. That is why some eighty values cover a whole solo, and why
generated lines fit the changes.

Syntax: one string per value, comma-separated fields, no spaces:

    TYPE,DURATION              a rest, or the first note of a measure
    TYPE,DURATION,<UP,DOWN>    a later note of the measure

TYPE is the first of these that holds, tested in this order:

    R  a rest
    C  chord tone: the note's pitch class sounds in the chord
    S  scale tone: the note is in the chord's scale, the major scale for a major chord and the
       Dorian scale otherwise (which tonic, and how names compare: spelling.scale_names)
    A  approach tone: a half step from a chord tone
    X  anything else

DURATION is the length in quarter notes with three decimals: "0.250", "0.333", "1.000".
UP and DOWN bound the next pitch: the interval from the previous note of the measure, widened
by a minor third up and down, in music21's spelled interval names: "<m2,P-4>" allows anything
from a minor second up to a perfect fourth down ("d1" is a diminished unison, "P11" an
eleventh, "dd5" a doubly diminished fifth). Examples: "C,0.500", "S,0.250,<m2,P-4>", "R,0.333".

The chord of a note is the progression's span at its onset, heard as the pitches the
accompaniment played (or the symbol's tones). Over "no chord" (NC: an intro, a pickup, a break) a
note is heard against the last chord before it, or where none came yet the first one after: a soloist
keeps playing the form's harmony through a break, and a pickup leads into the first chord, so its
roles say what the note does there. Calling every such note X would teach the model a burst of
"anything" at each break, and realising them would pick pitches at random. Only a progression with no
chord at all (a free solo) makes every note X. Measures are the progression's bars, counted
from the score's start. Values follow music21's spelling rules (spelling.py) because that is
how the exercise wrote them: given the same notes, ours are its values token for token
(tests/unit/corpus/test_classic.py).

Unlike the exercise, rests are values too: a gap before or between notes becomes R values (a
rest longer than a bar is written as whole bars plus the remainder), so decoding gives every
note back at its onset. A duration is the note's own length cut at the next onset (the score
is one line), so it lies on the 1/12 grid: "0.083" where a 1/4-grid and a 1/3-grid onset meet.

Realisation (`decode`) walks the values in time over the progression (looped) and gives each
note a pitch of the value's TYPE over the chord sounding then, always inside PLAYABLE:

- `realise="line"` (the default, as in every config): the pitches of the whole solo chosen at once, the
  line whose intervals lie nearest the brackets' centres (steps where a measure begins, no repeats,
  near home), every note of its TYPE: one note's pitch then never leaves the next value's role and
  bracket out of reach (line.py). On the embedded corpus this lifts a chord-conditioned model's
  interval-histogram overlap with the corpus from 0.62 (`centre`) to 0.83.
- `realise="centre"` (note by note): the pitch of that TYPE nearest the centre of the
  bracket, which is the interval the player played (a bracket is it widened by a minor third
  each way); equally near pitches are chosen between by the seed. The previous pitch is not struck
  again (the corpus never repeats one) unless the interval played was a unison or no other pitch of
  the TYPE lies inside the bracket (then a repeat is nearer the line than a leap out of it: with the
  chord-conditioned model, avoiding repeats always made the mean absolute interval 2.23 semitones,
  never avoiding them left 6 % repeats, this 2.17, against 1.92 in the corpus). A note without a bracket (the
  first of a measure) steps to the nearest pitch of its TYPE (never the previous pitch again), as
  the lines of the corpus move from one measure to the next, and of two as near, to the one towards
  `home` (the training pieces' median pitch, which the checkpoint carries; START's middle where
  unknown); the first note of all is the pitch of its TYPE nearest home. So the line stays around
  the corpus's register without leaps: pulling harder (aiming a third of the way back to home, or
  back inside a fifth or within 10 semitones of it) cost more in interval statistics than it gained
  in range (the chord-conditioned demo model's interval-histogram overlap 0.46, 0.51 and 0.53 against
  0.57, its pitch range 23.9, 24.7 and 24.8 semitones against 25.0).
- `realise="random"` (the exercise's): at random (seeded) among the pitches of the TYPE inside the
  bracket around the previous pitch, or within a fifth of it where there is no bracket. The clean-up
  the exercise does: never the previous pitch again (no stuck repetitions); when no pitch of the
  TYPE lies in reach, the nearest one is taken rather than a random far leap.

Either way every note value is struck, 1/12 of a beat included (the shortest, between a 1/4 and a 1/3
onset): a value's length is at least that, since parse_value refuses one that snaps to 0, so no file gets
a note of no length. (The exercise held notes shorter than 1/8 over instead, and the model's 1/12-beat
notes were never heard.)
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from typing import ClassVar

from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import Progression
from jazz_solo.music.line import fit_line
from jazz_solo.music.score import Note, Score, duration_text, parse_duration, snap
from jazz_solo.music.spelling import interval_name, parse_interval, pitch_name, scale_names, spell

REST = "R"
TYPES = (REST, "C", "S", "A", "X")
PLAYABLE = (48, 84)  # C3 .. C6: where realised pitches go
START = (60, 72)  # where a line with no previous pitch starts
FIFTH = 7  # semitones: the reach of a note without a bracket
REALISE = ("line", "centre", "random")
Placed = tuple[float, float, str, tuple[int, int] | None, tuple[int, ...]]  # onset, duration, TYPE, leap, chord
LEAN = 0.25  # realise=centre: how far (semitones) a note without a bracket leans towards home: ties only


@lru_cache(maxsize=1 << 16)
def role(pitch: int, chord: tuple[int, ...]) -> str:
    """C, S, A or X: what `pitch` is against the chord (MIDI pitches as played)."""
    classes = {p % 12 for p in chord}
    if pitch % 12 in classes:
        return "C"
    if pitch_name(spell(pitch)) in scale_names(tuple(chord)):
        return "S"
    if any((pitch - c) % 12 in (1, 11) for c in classes):
        return "A"
    return "X"


class Harmony:
    """What a note at a time is heard against (see the module docstring): a lookup by bisection."""

    def __init__(self, progression: Progression):
        spans = progression.spans
        self.starts = [span.start for span in spans]
        self.length = progression.length
        sounding = [span.tones for span in spans]
        last: tuple[int, ...] = next((tones for tones in sounding if tones), ())  # before any: the first after
        self.tones = []
        for tones in sounding:
            last = tones or last
            self.tones.append(last)

    def at(self, time: float) -> tuple[int, ...]:
        """The heard chord's pitches at `time` (the progression repeats past its end)."""
        if not self.starts:
            return ()
        t = (time + 1e-9) % self.length if self.length else 0.0  # as Progression.span_at: a hair before is on
        return self.tones[max(0, bisect_right(self.starts, t) - 1)]


@lru_cache(maxsize=1 << 14)
def bracket(previous: int, pitch: int) -> str:
    """The bracket "<UP,DOWN>": the interval from `previous` to `pitch` widened by a minor third each way."""
    steps, semitones = spell(pitch)[0] - spell(previous)[0], pitch - previous
    return f"<{interval_name(steps + 2, semitones + 3)},{interval_name(steps - 2, semitones - 3)}>"


def parse_value(value: str) -> tuple[str, float, tuple[int, int] | None]:
    """(TYPE, duration, (lowest, highest) semitones from the previous pitch, or None)."""
    kind, _, tail = value.partition(",")
    duration, _, leap = tail.partition(",")
    try:
        length = parse_duration(duration)
        if kind not in TYPES or length <= 0:
            raise ValueError
        if not leap:
            return kind, length, None
        if not (leap.startswith("<") and leap.endswith(">")):
            raise ValueError
        bounds = [parse_interval(name)[1] for name in leap[1:-1].split(",")]
        if len(bounds) != 2:
            raise ValueError
    except ValueError:
        raise JazzSoloError(f"not a grammar value: {value!r} (expected e.g. 'C,0.250,<m2,P-4>')") from None
    return kind, length, (min(bounds), max(bounds))


def rests(length: float, bar: int) -> list[str]:
    """A gap as R values: whole bars, then the remainder."""
    length = snap(length)
    whole = int(length // bar) if length > 0 else 0
    remainder = snap(length - whole * bar)
    return [f"{REST},{duration_text(bar)}"] * whole + ([f"{REST},{duration_text(remainder)}"] if remainder > 0 else [])


def measures(values: Sequence[str], beats_per_bar: int) -> list[list[str]]:
    """The values grouped by the measure each one starts in (empty measures included)."""
    grouped: list[list[str]] = []
    time = 0.0
    for value in values:
        measure = int(time // beats_per_bar)
        grouped += [[] for _ in range(measure + 1 - len(grouped))]
        grouped[measure].append(value)
        time = snap(time + parse_value(value)[1])
    return grouped


def choose(kind: str, chord: Sequence[int], low: int, high: int, previous: int | None, rng: random.Random) -> int:
    """A pitch of role `kind` in [low, high] (and PLAYABLE), never `previous` again.

    With none in reach, the nearest ones outside it (with no pitch of that role at all, which a
    chord of many tones can cause for X, the nearest playable pitches).
    """
    playable = range(PLAYABLE[0], PLAYABLE[1] + 1)
    candidates = [p for p in playable if p != previous and role(p, chord) == kind] or list(playable)
    distance = {p: max(low - p, p - high, 0) for p in candidates}
    nearest = min(distance.values())
    return rng.choice([p for p in candidates if distance[p] == nearest])


def nearest(kind: str, chord: Sequence[int], target: float, avoid: int | None, rng: random.Random) -> int:
    """The playable pitch of role `kind` nearest `target`, never `avoid` (ties: the seed decides; with no
    pitch of that role, the nearest playable pitch)."""
    playable = range(PLAYABLE[0], PLAYABLE[1] + 1)
    candidates = [p for p in playable if p != avoid and role(p, chord) == kind] or list(playable)
    distance = {p: abs(p - target) for p in candidates}
    closest = min(distance.values())
    return rng.choice([p for p in candidates if distance[p] == closest])


class GrammarTokenizer:
    """The exercise's values: role over the chord, duration, bracket for the next pitch."""

    name: ClassVar[str] = "grammar"
    note_level: ClassVar[bool] = False  # a role is not a pitch: the note it becomes depends on the realisation

    def encode(self, score: Score) -> list[str]:
        progression = score.progression
        harmony = Harmony(progression)
        bar = progression.beats_per_bar
        values: list[str] = []
        time = 0.0
        previous: tuple[int, int] | None = None  # (measure, pitch) of the last note
        for note in score.notes:
            values += rests(note.start - time, bar)
            measure = int(snap(note.start) // bar)
            value = f"{role(note.pitch, harmony.at(note.start))},{duration_text(note.duration)}"
            if previous is not None and previous[0] == measure:
                value += "," + bracket(previous[1], note.pitch)
            values.append(value)
            previous, time = (measure, note.pitch), note.end
        return values

    def decode(
        self,
        values: Sequence[str],
        progression: Progression,
        seed: int = 0,
        realise: str = "line",
        home: float | None = None,
    ) -> list[Note]:
        if realise not in REALISE:
            raise JazzSoloError(f"realise must be one of {', '.join(REALISE)}, got {realise!r}")
        home = sum(START) / 2 if home is None else home
        rng = random.Random(seed)
        placed = placed_notes(values, progression)
        if realise == "line":
            candidates = [pitches_of(kind, tones) for _, _, kind, _, tones in placed]
            pitches = fit_line(candidates, [leap for _, _, _, leap, _ in placed], home, rng)
        else:
            pitches = one_at_a_time(placed, realise, home, rng)
        return [Note(time, duration, pitch) for (time, duration, *_), pitch in zip(placed, pitches)]


def placed_notes(values: Sequence[str], progression: Progression) -> list[Placed]:
    """The note values walked in time over the progression: (onset, duration, TYPE, leap, chord heard)."""
    harmony = Harmony(progression)
    placed: list[Placed] = []
    time = 0.0
    for value in values:
        kind, duration, leap = parse_value(value)
        if kind != REST:
            placed.append((time, duration, kind, leap, harmony.at(time)))
        time = snap(time + duration)
    return placed


@lru_cache(maxsize=1 << 12)
def pitches_of(kind: str, chord: tuple[int, ...]) -> tuple[int, ...]:
    """The playable pitches of role `kind` over `chord` (with none of that role, every playable pitch)."""
    playable = range(PLAYABLE[0], PLAYABLE[1] + 1)
    return tuple(p for p in playable if role(p, chord) == kind) or tuple(playable)


def one_at_a_time(placed: Sequence[Placed], realise: str, home: float, rng: random.Random) -> list[int]:
    """The pitches of `realise=centre` or `random`: each note's chosen from the previous one (module docstring)."""
    pitches: list[int] = []
    previous: int | None = None
    for _, _, kind, leap, tones in placed:
        if realise == "centre" and leap is not None and previous is not None:
            low, high = previous + leap[0], previous + leap[1]
            centre, reach = (low + high) / 2, range(max(low, PLAYABLE[0]), min(high, PLAYABLE[1]) + 1)
            # not the previous pitch again where the bracket holds another of the role (unless a unison)
            elsewhere = any(p != previous and role(p, tones) == kind for p in reach)
            previous = nearest(kind, tones, centre, previous if elsewhere and centre != previous else None, rng)
        elif realise == "centre" and previous is None:
            previous = nearest(kind, tones, home, None, rng)
        elif realise == "centre":  # the nearest of its role, the one towards home when two are as near
            target = previous + LEAN * ((home > previous) - (home < previous))
            previous = nearest(kind, tones, target, previous, rng)
        else:
            if previous is None:
                low, high = START
            elif leap is None:
                low, high = previous - FIFTH, previous + FIFTH
            else:
                low, high = previous + leap[0], previous + leap[1]
            previous = choose(kind, tones, low, high, previous, rng)
        pitches.append(previous)
    return pitches
