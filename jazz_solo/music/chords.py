"""Chords, chord scales and chord progressions (pure Python).

Times are in quarter notes from the start of the piece. A progression is a list of
`ChordSpan`s plus the tempo and metre needed to play it back. A span read from MIDI also
keeps the pitches the accompaniment actually played (its voicing, with any added tones):
the value grammar hears the chord as played, not just its symbol.

A chord is a root, a quality, tensions and an optional bass, read from a symbol as jazz
musicians write it (the notations: jazz_solo.music.symbols). "No chord" (NC, N.C.) is a chord
too, `NO_CHORD`: no tones (nothing is comped under it), no scale, symbol "NC". It is an object
rather than None so that every span has a chord and code reading spans needs no special case.

Text form of a progression (`Progression.parse`): bars separated by `|` (or `||`, or a line
break), chords in a bar by spaces or commas; each chord in a bar gets an equal share of it, e.g.
``"Dm7 G7 | Cmaj7 | Cmaj7"``. A line may start with a form label such as ``A1:``, so a WJazzD
lead sheet (``A1: ||Bb6 G7 |C-7 F7 ||``, one line per form part) reads as the whole form; chords
glued together in a bar (``F7Bb7``, as some WJazzD lead sheets have them) are split at each root.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from jazz_solo.errors import JazzSoloError
from jazz_solo.music import symbols
from jazz_solo.music.symbols import NOTE_NAMES, QUALITIES

SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")

__all__ = ["NOTE_NAMES", "QUALITIES", "DETECTABLE", "NO_CHORD", "Chord", "ChordSpan", "Progression"]

# The qualities chord detection from played pitches chooses among (detect_chord).
DETECTABLE = ("maj", "min", "dom7", "maj7", "m7", "m7b5", "dim7", "aug", "sus4")


@dataclass(frozen=True)
class Chord:
    root: int  # pitch class 0..11 (0 for NO_CHORD)
    quality: str  # a key of QUALITIES
    tensions: tuple[str, ...] = ()  # names from symbols.TENSIONS, in its order: ("b9", "#11")
    bass: int | None = None  # pitch class of a slash chord's bass (C7/E: 4); None: the root
    sharp: bool = field(default=False, compare=False)  # the root was written with a sharp (F#m7b5): kept so

    @property
    def root_name(self) -> str:
        """The root as written: flats (Gb) unless the symbol spelled it with a sharp (F#)."""
        return (SHARP_NAMES if self.sharp else NOTE_NAMES)[self.root]

    @property
    def symbol(self) -> str:
        return symbols.write(self.root, self.quality, self.tensions, self.bass, self.root_name)

    @property
    def pitch_classes(self) -> frozenset[int]:
        """The chord's tones with its tensions, and the bass of a slash chord."""
        tones = {(self.root + i) % 12 for i in symbols.intervals(self.quality, self.tensions)}
        return frozenset(tones | ({self.bass} if self.bass is not None else set()))

    @property
    def scale_name(self) -> str:
        """The chord scale's name: "mixolydian", "altered", "melodic minor", ... ("none" for NO_CHORD)."""
        return symbols.chord_scale(self.quality, self.tensions)[0]

    @property
    def scale(self) -> frozenset[int]:
        """Pitch classes of the chord scale (see symbols.chord_scale)."""
        return frozenset((self.root + i) % 12 for i in symbols.chord_scale(self.quality, self.tensions)[1])

    def voicing(self, low: int = 48) -> list[int]:
        """MIDI pitches of a close voicing: the bass (the root, or a slash chord's bass) at or above `low`,
        the chord tones above it, then the tensions an octave up. Empty for NO_CHORD."""
        intervals = symbols.intervals(self.quality, self.tensions)
        if not intervals:
            return []
        if self.bass is None:
            base = low + (self.root - low) % 12
            return [base + i for i in intervals]
        bass = low + (self.bass - low) % 12
        base = bass + (self.root - bass) % 12
        return [bass] + [base + i for i in intervals if base + i != bass]

    def transposed(self, semitones: int) -> Chord:
        if self.quality == "nc":
            return self
        bass = None if self.bass is None else (self.bass + semitones) % 12
        return Chord((self.root + semitones) % 12, self.quality, self.tensions, bass)

    @classmethod
    def parse(cls, text: str, where: str = "") -> Chord:
        """The chord a symbol names (NO_CHORD for NC); `where` (a file and row, "chords=") goes in errors."""
        try:
            root, quality, tensions, bass = symbols.parse(text)
        except symbols.SymbolError as err:
            place = f" in {where}" if where else ""
            raise JazzSoloError(
                f"unknown chord symbol {text!r}{place} ({err}); write e.g. {symbols.EXAMPLES}"
            ) from None
        return cls(root, quality, tensions, bass, sharp=text.strip()[1:2] in ("#", "♯"))


NO_CHORD = Chord(0, "nc")
_LABEL = re.compile(r"^\s*[A-Za-z][\w']*\s*:")  # a form part's label: A1:, B2:, I1:, A'2:
_WORD = re.compile(r"(?:\([^)]*\)|[^\s,(])+")  # chords in a bar: split at spaces and commas outside ( )
_GLUED = re.compile(r"N\.?C\.?|[A-G](?:\([^)]*\)|/(?=\d)|[^A-GN/(])*(?:/[A-G][#b♯♭]?)?")  # one chord of F7Bb7


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
    title: str = field(default="", compare=False)  # the tune's, when it is one: "Anthropology (Art Pepper)"
    licence: str = field(default="", compare=False)  # the notice its source asks to travel with what is played over it

    @property
    def length(self) -> float:
        return self.spans[-1].end if self.spans else 0.0

    def describe(self, bars: int = 8) -> str:
        """What a log or report calls it: its title, else its first bars' chords; then its tempo."""
        if self.title:
            return f"{self.title}, {self.tempo:g} bpm"
        bar, chords = self.beats_per_bar, []
        for i in range(min(bars, math.ceil(self.length / bar - 1e-9))):
            chords.append(
                " ".join(s.chord.symbol for s in self.spans if i * bar - 1e-9 <= s.start < (i + 1) * bar - 1e-9)
            )
        more = " | ..." if self.length > bars * bar + 1e-9 else ""
        return f"{' | '.join(c or '%' for c in chords)}{more}, {self.tempo:g} bpm"

    @classmethod
    def parse(cls, text: str, tempo: float = 120.0, beats_per_bar: int = 4, where: str = "") -> Progression:
        """The progression a text writes (see the module docstring); `where` names its source in errors."""
        shown = text.strip() if len(text.strip()) <= 60 else text.strip()[:57] + "..."
        source = where or f"progression {shown!r}"
        spans: list[ChordSpan] = []
        bar_number = 0
        for line in text.splitlines():
            bars = re.split(r"\|+", _LABEL.sub("", line, count=1))
            while bars and not bars[0].strip():  # a leading bar line, or a form part with no bars
                bars.pop(0)
            while bars and not bars[-1].strip():
                bars.pop()
            for bar in bars:
                bar_number += 1
                try:  # before the split, which would drop a stray parenthesis or take quadratic time over many
                    symbols.check_parentheses(bar)
                except symbols.SymbolError as err:
                    raise JazzSoloError(f"{err} of bar {bar_number} in {source}") from None
                chords = [chord for word in _WORD.findall(bar) for chord in _split_glued(word)]
                if not chords:
                    raise JazzSoloError(f"empty bar {bar_number} in {source}")
                share = beats_per_bar / len(chords)
                start = (bar_number - 1) * beats_per_bar
                for i, symbol in enumerate(chords):
                    chord = Chord.parse(symbol, f"{source}, bar {bar_number}")
                    spans.append(ChordSpan(start + i * share, share, chord))
        if not spans:
            raise JazzSoloError(f"no chords in {source} (write e.g. 'Dm7 G7 | Cmaj7')")
        return cls(spans, tempo, beats_per_bar)

    @classmethod
    def read(cls, value: str, tempo: float = 120.0, beats_per_bar: int = 4, where: str = "") -> Progression:
        """A progression given as text, or as the path of a .txt file holding that text."""
        if not value.strip().lower().endswith(".txt"):
            return cls.parse(value, tempo, beats_per_bar, where)
        path = Path(value.strip()).expanduser()
        try:
            text = path.read_text(encoding="utf-8-sig")  # a BOM from Windows editors is no chord
        except (OSError, UnicodeDecodeError) as err:
            reason = "no such file" if isinstance(err, FileNotFoundError) else f"cannot read it ({type(err).__name__})"
            raise JazzSoloError(f"{where}{path}: {reason}") from None
        return cls.parse(text, tempo, beats_per_bar, str(path))

    def span_at(self, time: float) -> ChordSpan:
        """The span sounding at `time`; the progression repeats past its end."""
        t = (time + 1e-9) % self.length if self.length else 0.0  # a hair before a bar line counts as on it
        for span in self.spans:
            if span.start <= t < span.end:
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
        titled = {"title": self.title} if self.title else {}  # untitled: as before this field, byte for byte
        return {"tempo": float(self.tempo), "beats_per_bar": int(self.beats_per_bar), "spans": spans} | titled

    @classmethod
    def from_dict(cls, data: dict) -> Progression:
        spans = []
        for start, duration, symbol, *played in data["spans"]:
            pitches = tuple(int(p) for p in played[0]) if played else ()
            spans.append(ChordSpan(float(start), float(duration), Chord.parse(symbol), pitches))
        return cls(spans, float(data["tempo"]), int(data["beats_per_bar"]), str(data.get("title", "")))


def _split_glued(word: str) -> list[str]:
    """The chords of one word: "F7Bb7" -> ["F7", "Bb7"]; a word that does not split cleanly stays whole."""
    parts = _GLUED.findall(word)
    return parts if "".join(parts) == word else [word]


def detect_chord(pitches: list[int]) -> Chord | None:
    """The chord whose tones best cover these pitch classes (the lowest pitch breaks ties as root)."""
    if not pitches:
        return None
    present = {p % 12 for p in pitches}
    bass = min(pitches) % 12
    best, best_score = None, float("-inf")
    for root in range(12):
        for quality in DETECTABLE:
            chord = Chord(root, quality)
            tones = chord.pitch_classes
            score = len(present & tones) - 0.5 * len(present - tones) - 0.3 * len(tones - present)
            score += 0.4 * (root == bass)
            if score > best_score:
                best, best_score = chord, score
    return best
