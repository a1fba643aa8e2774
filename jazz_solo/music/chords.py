"""Chords, chord scales and chord progressions (pure Python).

Times are in quarter notes from the start of the piece. A progression is a list of
`ChordSpan`s plus the tempo and metre needed to play it back. A span read from MIDI also
keeps the pitches the accompaniment actually played (its voicing, with any added tones):
the value grammar hears the chord as played, not just its symbol.

Text form of a progression: bars separated by `|`, chords in a bar by spaces; each
chord in a bar gets an equal share of it, e.g. ``"Dm7 G7 | Cmaj7 | Cmaj7"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jazz_solo.errors import JazzSoloError

NOTE_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}

MAJOR = (0, 2, 4, 5, 7, 9, 11)
DORIAN = (0, 2, 3, 5, 7, 9, 10)
MIXOLYDIAN = (0, 2, 4, 5, 7, 9, 10)
LOCRIAN = (0, 1, 3, 5, 6, 8, 10)
DIMINISHED = (0, 2, 3, 5, 6, 8, 9, 11)
WHOLE_TONE = (0, 2, 4, 6, 8, 10)

# quality -> (symbol suffix, chord intervals, chord-scale intervals)
QUALITIES: dict[str, tuple[str, tuple[int, ...], tuple[int, ...]]] = {
    "maj": ("", (0, 4, 7), MAJOR),
    "min": ("m", (0, 3, 7), DORIAN),
    "dom7": ("7", (0, 4, 7, 10), MIXOLYDIAN),
    "maj7": ("maj7", (0, 4, 7, 11), MAJOR),
    "m7": ("m7", (0, 3, 7, 10), DORIAN),
    "m7b5": ("m7b5", (0, 3, 6, 10), LOCRIAN),
    "dim7": ("dim7", (0, 3, 6, 9), DIMINISHED),
    "aug": ("aug", (0, 4, 8), WHOLE_TONE),
    "sus4": ("sus4", (0, 5, 7), MIXOLYDIAN),
}
# Other spellings users write; longest first so "maj7" wins over "maj" and "m7b5" over "m7".
_ALIASES = {
    "maj7": "maj7",
    "M7": "maj7",
    "Δ": "maj7",
    "m7b5": "m7b5",
    "ø": "m7b5",
    "dim7": "dim7",
    "°7": "dim7",
    "dim": "dim7",
    "°": "dim7",
    "min7": "m7",
    "m7": "m7",
    "-7": "m7",
    "maj": "maj",
    "min": "min",
    "sus4": "sus4",
    "sus": "sus4",
    "aug": "aug",
    "+": "aug",
    "7": "dom7",
    "m": "min",
    "-": "min",
    "": "maj",
}
_SYMBOL = re.compile(r"^([A-G])([#b]?)(.*)$")


@dataclass(frozen=True)
class Chord:
    root: int  # pitch class 0..11
    quality: str  # a key of QUALITIES

    @property
    def symbol(self) -> str:
        return NOTE_NAMES[self.root] + QUALITIES[self.quality][0]

    @property
    def pitch_classes(self) -> frozenset[int]:
        return frozenset((self.root + i) % 12 for i in QUALITIES[self.quality][1])

    @property
    def scale(self) -> frozenset[int]:
        return frozenset((self.root + i) % 12 for i in QUALITIES[self.quality][2])

    def voicing(self, low: int = 48) -> list[int]:
        """MIDI pitches of a close voicing with the root at or above `low`."""
        base = low + (self.root - low) % 12
        return [base + i for i in QUALITIES[self.quality][1]]

    @classmethod
    def parse(cls, text: str) -> Chord:
        match = _SYMBOL.match(text.strip())
        suffix = match.group(3) if match else None
        if suffix not in _ALIASES:
            raise JazzSoloError(f"unknown chord symbol {text!r} (e.g. C, Dm7, G7, Cmaj7, Bm7b5, Bdim7)")
        root = _LETTER_PC[match.group(1)] + {"#": 1, "b": -1, "": 0}[match.group(2)]
        return cls(root % 12, _ALIASES[suffix])


@dataclass(frozen=True)
class ChordSpan:
    start: float  # quarter notes
    duration: float
    chord: Chord
    pitches: tuple[int, ...] = ()  # MIDI pitches as played (read from MIDI); empty: the symbol's tones

    @property
    def end(self) -> float:
        return self.start + self.duration

    @property
    def tones(self) -> tuple[int, ...]:
        """The chord as sounding pitches: as played, or a close voicing of the symbol."""
        return self.pitches or tuple(self.chord.voicing())


@dataclass
class Progression:
    spans: list[ChordSpan]
    tempo: float = 120.0  # beats per minute
    beats_per_bar: int = 4

    @property
    def length(self) -> float:
        return self.spans[-1].end if self.spans else 0.0

    @classmethod
    def parse(cls, text: str, tempo: float = 120.0, beats_per_bar: int = 4) -> Progression:
        spans: list[ChordSpan] = []
        for bar_index, bar in enumerate(text.split("|")):
            symbols = bar.split()
            if not symbols:
                raise JazzSoloError(f"empty bar {bar_index + 1} in progression {text!r}")
            share = beats_per_bar / len(symbols)
            for i, symbol in enumerate(symbols):
                start = bar_index * beats_per_bar + i * share
                spans.append(ChordSpan(start, share, Chord.parse(symbol)))
        return cls(spans, tempo, beats_per_bar)

    def span_at(self, time: float) -> ChordSpan:
        """The span sounding at `time`; the progression repeats past its end."""
        t = time % self.length if self.length else 0.0
        for span in self.spans:
            if span.start <= t + 1e-9 < span.end:
                return span
        return self.spans[-1]

    def chord_at(self, time: float) -> Chord:
        return self.span_at(time).chord

    def looped(self, length: float) -> list[ChordSpan]:
        """The spans repeated (and the last one cut) to cover [0, length)."""
        spans: list[ChordSpan] = []
        offset = 0.0
        while offset < length and self.length > 0:
            for span in self.spans:
                start = offset + span.start
                if start >= length:
                    break
                spans.append(ChordSpan(start, min(span.duration, length - start), span.chord, span.pitches))
            offset += self.length
        return spans

    def to_dict(self) -> dict:
        """Plain containers only: this travels inside checkpoints (weights_only loading).

        spans: [start, duration, symbol] or, when read from MIDI, [start, duration, symbol, pitches].
        """
        spans = [[s.start, s.duration, s.chord.symbol] + ([list(s.pitches)] if s.pitches else []) for s in self.spans]
        return {"tempo": float(self.tempo), "beats_per_bar": int(self.beats_per_bar), "spans": spans}

    @classmethod
    def from_dict(cls, data: dict) -> Progression:
        spans = []
        for start, duration, symbol, *played in data["spans"]:
            pitches = tuple(int(p) for p in played[0]) if played else ()
            spans.append(ChordSpan(float(start), float(duration), Chord.parse(symbol), pitches))
        return cls(spans, float(data["tempo"]), int(data["beats_per_bar"]))
