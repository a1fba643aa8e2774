"""What a reader of a solo needs beyond its times and pitches: the key signature its changes imply, each
note spelled for the chord under it, and rhythms cut to a grid a musician reads.

Used by the lead sheet (musicxml.py) and the piano roll's pitch names (pianoroll.py). Pure Python.
"""

from __future__ import annotations

from dataclasses import replace

from jazz_solo.music.chords import NO_CHORD, Chord, Progression
from jazz_solo.music.score import Note

LETTERS = "CDEFGAB"
NATURAL = (0, 2, 4, 5, 7, 9, 11)  # semitones of C D E F G A B above C
MAJOR = (0, 2, 4, 5, 7, 9, 11)
SHARPS = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLATS = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
# semitones above the root -> letter steps: m2 M2 m3 M3 P4 #4 P5 b6 6 b7 7, as jazz writes a chord's tones
STEPS = (0, 1, 1, 2, 2, 3, 3, 4, 5, 5, 6, 6)
STEPS_BY_QUALITY = {  # where a chord's own tones take another letter: b5, #5, the diminished seventh
    "m7b5": {6: 4},
    "dim": {6: 4},
    "dim7": {6: 4, 9: 6},
    "aug": {8: 4},
    "aug7": {8: 4},
    "augmaj7": {8: 4},
}
TICKS = 12  # a quarter note on the 1/12 grid (score.snap): the 1/4 grid is every 3, the 1/3 grid every 4


def key_fifths(progression: Progression) -> int:
    """The key signature (sharps > 0, flats < 0) whose major scale holds most of the chords' tones, by
    duration; ties go to fewer accidentals. Anthropology's changes give Bb (-2), a C ii-V-I C (0)."""
    spans = [s for s in progression.spans if s.chord != NO_CHORD and s.chord.pitch_classes]

    def fit(fifths: int) -> float:
        scale = {(7 * fifths + step) % 12 for step in MAJOR}
        tones = [(s.duration, s.chord.pitch_classes) for s in spans]
        return sum(d * len(pcs & scale) / len(pcs) for d, pcs in tones)

    return max(range(-6, 7), key=lambda fifths: (round(fit(fifths), 6), -abs(fifths)))


def spelled(pitch: int, chord: Chord | None, fifths: int = 0) -> tuple[str, int, int]:
    """(letter, alter, octave) of a MIDI pitch as a chord spells its tones: over B7, 63 is D#4 (its third),
    not Eb4; a pitch the chord would write with a double accidental, or with no chord, takes the key's
    accidentals (flats in flat keys, sharps otherwise)."""
    if chord is not None and chord != NO_CHORD:
        root_letter = LETTERS.index(chord.root_name[0])
        interval = (pitch - chord.root) % 12
        letter = (root_letter + STEPS_BY_QUALITY.get(chord.quality, {}).get(interval, STEPS[interval])) % 7
        alter = (pitch - NATURAL[letter] + 6) % 12 - 6
        if abs(alter) <= 1:
            return LETTERS[letter], alter, (pitch - alter) // 12 - 1
    name = (FLATS if fifths < 0 else SHARPS)[pitch % 12]
    alter = {"b": -1, "#": 1}.get(name[1:], 0)
    return name[0], alter, (pitch - alter) // 12 - 1


def name(pitch: int, chord: Chord | None, fifths: int = 0) -> str:
    """A pitch's name with its octave, spelled as `spelled` does: "D#4", "Bb3"."""
    letter, alter, octave = spelled(pitch, chord, fifths)
    return f"{letter}{'#' if alter > 0 else 'b' if alter < 0 else ''}{octave}"


def readable(notes: list[Note]) -> list[Note]:
    """The notes with their onsets and ends moved, beat by beat, onto the one grid a reader takes in that beat:
    sixteenths (1/4) or triplets (1/3), whichever moves them least (sixteenths on a tie). A beat that holds
    both (WJazzD's 1/12 grid does) would otherwise be written in 1/12 pieces and tie chains. Each note is cut
    at the next onset first; a note that a move leaves no time is dropped (a ghost note shorter than the grid).
    """
    ordered = sorted(notes, key=lambda n: n.start)
    edges = []  # (start, end) in ticks, one line: each note cut at the next onset
    for note, following in zip(ordered, [*ordered[1:], None]):
        end = (
            round(note.end * TICKS)
            if following is None
            else min(round(note.end * TICKS), round(following.start * TICKS))
        )
        edges.append((round(note.start * TICKS), end))
    by_beat: dict[int, set[int]] = {}
    for tick in {t for pair in edges for t in pair if t % TICKS}:
        by_beat.setdefault(tick // TICKS, set()).add(tick)
    moved = {}
    for ticks in by_beat.values():
        grid = min((3, 4), key=lambda g: (sum(abs(t - round(t / g) * g) for t in ticks), g))
        moved |= {t: round(t / grid) * grid for t in ticks}
    kept = []
    for note, (start, end) in zip(ordered, edges):
        start, end = moved.get(start, start), moved.get(end, end)
        if end > start:
            kept.append(replace(note, start=start / TICKS, duration=(end - start) / TICKS))
    return kept
