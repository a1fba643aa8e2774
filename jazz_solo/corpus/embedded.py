"""The embedded default corpus: idiomatic exercise lines over standard jazz progressions.

Deterministic from a seed, pure Python. Each piece is a solo in swung eighths over a
progression (ii-V-I and minor ii-V-i in several keys, 12-bar blues, I-vi-ii-V turnaround):
chord tones on the beats, scale tones and chromatic approach tones (a half step from the
next chord tone) between them, some triplets and quarter notes, and phrases of 2-4 bars
that end on a held chord tone followed by a rest.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pretty_midi

from jazz_solo.music.chords import NOTE_NAMES, ChordSpan, Progression
from jazz_solo.music.comping import to_pretty_midi
from jazz_solo.music.score import Note, Score, quantise

DEFAULT_SEED = 0
LOW, HIGH = 58, 84  # the solo's range: Bb3 .. C6
SWING = (2 / 3, 1 / 3)  # a swung eighth pair, in quarter notes

# (name, progression in C, keys as semitones above C, choruses)
TEMPLATES: list[tuple[str, str, tuple[int, ...], int]] = [
    ("ii-V-I", "Dm7 | G7 | Cmaj7 | Cmaj7 | Dm7 | G7 | Cmaj7 | A7", (0, 5, 10, 3, 8, 1, 6, 11, 4, 9, 2, 7), 4),
    ("minor ii-V-i", "Dm7b5 | G7 | Cm7 | Cm7", (0, 7, 2, 9, 5, 10), 8),
    ("blues", "C7 | F7 | C7 | C7 | F7 | F7 | C7 | A7 | Dm7 | G7 | C7 A7 | Dm7 G7", (5, 10, 0, 7, 3, 2), 4),
    ("turnaround", "Cmaj7 A7 | Dm7 G7 | Em7 A7 | Dm7 G7", (0, 5, 3, 10, 7, 2), 8),
]
TEMPOS = (120, 132, 144, 160, 176)


def transpose(progression: Progression, semitones: int) -> Progression:
    spans = [ChordSpan(s.start, s.duration, s.chord.transposed(semitones)) for s in progression.spans]
    return Progression(spans, progression.tempo, progression.beats_per_bar)


def step_to(pitch_classes: frozenset[int], pitch: int, direction: int) -> int:
    """The nearest pitch strictly beyond `pitch` in `direction` whose class is in `pitch_classes`."""
    for k in range(1, 13):
        candidate = pitch + direction * k
        if candidate % 12 in pitch_classes:
            return candidate
    return pitch


@dataclass
class _Line:
    """The improviser's state while a line is being written."""

    rng: random.Random
    progression: Progression
    pitch: int = 67
    direction: int = 1
    notes: list[Note] | None = None

    def play(self, start: float, duration: float, pitch: int, accent: bool) -> None:
        velocity = self.rng.randint(82, 96) if accent else self.rng.randint(66, 80)
        pitch += 12 * ((pitch < LOW) - (pitch > HIGH))  # an octave back into range
        self.notes.append(Note(quantise(start), quantise(duration), pitch, velocity))
        self.pitch = pitch

    def turn_if_needed(self) -> None:
        if self.pitch >= HIGH - 3:
            self.direction = -1
        elif self.pitch <= LOW + 3:
            self.direction = 1
        elif self.rng.random() < 0.2:
            self.direction = -self.direction

    def chord_tone(self, beat: float) -> int:
        return step_to(self.progression.chord_at(beat).pitch_classes, self.pitch, self.direction)

    def passing(self, beat: float, next_beat: float) -> int:
        """An off-beat note leading to the next beat: a chromatic approach or a scale step."""
        target = step_to(self.progression.chord_at(next_beat).pitch_classes, self.pitch, self.direction)
        approach = target - self.direction
        if self.rng.random() < 0.4 and approach != self.pitch:
            return approach
        return step_to(self.progression.chord_at(beat).scale, self.pitch, self.direction)

    def beat(self, beat: float) -> None:
        """Fill one beat with a rhythm cell."""
        self.turn_if_needed()
        cell = self.rng.choices(("eighths", "quarter", "triplet"), weights=(0.74, 0.14, 0.12))[0]
        if cell == "quarter":
            self.play(beat, 1.0, self.chord_tone(beat), accent=True)
        elif cell == "eighths":
            self.play(beat, SWING[0], self.chord_tone(beat), accent=True)
            self.play(beat + SWING[0], SWING[1], self.passing(beat, beat + 1), accent=False)
        else:
            self.play(beat, 1 / 3, self.chord_tone(beat), accent=True)
            scale = self.progression.chord_at(beat).scale
            self.play(beat + 1 / 3, 1 / 3, step_to(scale, self.pitch, self.direction), accent=False)
            self.play(beat + 2 / 3, 1 / 3, self.passing(beat, beat + 1), accent=False)

    def phrase(self, start: int, beats: int) -> None:
        """A phrase of `beats` beats: an optional pickup, a line, a held chord tone, then a rest."""
        rest = self.rng.choice((1, 2, 2, 3))
        held = self.rng.choice((1, 2))
        body = beats - rest - held
        first = start
        if self.rng.random() < 0.35:  # pickup: an eighth rest, then an approach into the next beat
            self.play(start + SWING[0], SWING[1], self.passing(start, start + 1), accent=False)
            first += 1
            body -= 1
        for b in range(first, first + body):
            self.beat(float(b))
        end_beat = float(first + body)
        chord = self.progression.chord_at(end_beat)
        self.direction = self.rng.choice((-1, 1))
        self.play(end_beat, float(held), step_to(chord.pitch_classes, self.pitch, self.direction), True)


def solo_line(progression: Progression, bars: int, rng: random.Random) -> list[Note]:
    """An improvised line over `bars` bars of the (looped) progression."""
    line = _Line(rng, progression, pitch=rng.randint(64, 72), notes=[])
    beats_per_bar = progression.beats_per_bar
    bar = 0
    while bar < bars:
        phrase_bars = rng.choice((2, 2, 3, 4))
        if bars - bar - phrase_bars < 2:  # no phrase shorter than 2 bars: room for its ending
            phrase_bars = bars - bar
        line.phrase(bar * beats_per_bar, phrase_bars * beats_per_bar)
        bar += phrase_bars
    return line.notes


def embedded_scores(seed: int = DEFAULT_SEED) -> list[Score]:
    """The corpus as Scores (one per piece), the chords exactly as written."""
    rng = random.Random(seed)
    scores = []
    for name, text, keys, choruses in TEMPLATES:
        for key in keys:
            progression = transpose(Progression.parse(text, tempo=rng.choice(TEMPOS)), key)
            bars = choruses * len(text.split("|"))
            notes = solo_line(progression, bars, rng)
            spans = progression.looped(bars * progression.beats_per_bar)
            piece = Progression(spans, progression.tempo, progression.beats_per_bar)
            scores.append(Score(notes, piece, name=f"{name} in {NOTE_NAMES[key]}"))
    return scores


def embedded_midi(seed: int = DEFAULT_SEED) -> list[tuple[str, pretty_midi.PrettyMIDI]]:
    """The corpus as (file name, PrettyMIDI) pairs: the solo over its comping."""
    pieces = []
    for i, score in enumerate(embedded_scores(seed)):
        slug = score.name.replace(" ", "_").replace("-", "")
        pieces.append((f"{i:02d}_{slug}.mid", to_pretty_midi(score.notes, score.progression, name=score.name)))
    return pieces


def default_backing(seed: int = DEFAULT_SEED) -> Progression:
    """What generated solos play over when the corpus gives no single piece: the first ii-V-I."""
    first = embedded_scores(seed)[0].progression
    bars = len(TEMPLATES[0][1].split("|"))
    return Progression(first.spans[:bars], first.tempo, first.beats_per_bar)
