"""A score: one monophonic solo line over a chord progression, in quarter-note time.

`read_midi` is the MIDI -> score step of the pipeline: it picks the solo part, quantises
its onsets and durations to the 1/4 and 1/3 quarter-note grids (what the classic pipeline
got from music21's MIDI import), trims overlaps to a single line, and reads one chord per
bar from the accompaniment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pretty_midi

from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import QUALITIES, Chord, ChordSpan, Progression

MIDI_SUFFIXES = (".mid", ".midi")
MAX_NOTES = 200_000  # a guard against pathological files, far above any real solo


@dataclass(frozen=True)
class Note:
    start: float  # quarter notes
    duration: float  # quarter notes
    pitch: int  # MIDI number
    velocity: int = 90

    @property
    def end(self) -> float:
        return self.start + self.duration


@dataclass
class Score:
    notes: list[Note]  # the solo: sorted, non-overlapping
    progression: Progression  # chords under the solo, with tempo and metre
    comping: list[Note] = field(default_factory=list)  # the accompaniment, if any
    name: str = ""


def quantise(q: float) -> float:
    """Nearest point on the 1/4 or 1/3 quarter-note grid (ties go to 1/4)."""
    by_four, by_three = round(q * 4) / 4, round(q * 3) / 3
    return by_four if abs(by_four - q) <= abs(by_three - q) + 1e-9 else by_three


def monophonic(notes: list[Note]) -> list[Note]:
    """One line: of notes starting together keep the highest; cut each note at the next onset."""
    by_start: dict[float, Note] = {}
    for note in notes:
        if note.start not in by_start or note.pitch > by_start[note.start].pitch:
            by_start[note.start] = note
    line = sorted(by_start.values(), key=lambda n: n.start)
    trimmed = []
    for note, nxt in zip(line, line[1:] + [None]):
        duration = note.duration if nxt is None else min(note.duration, quantise(nxt.start - note.start))
        trimmed.append(Note(note.start, duration, note.pitch, note.velocity))
    return trimmed


def detect_chord(pitches: list[int]) -> Chord | None:
    """The chord whose tones best cover these pitch classes (the lowest pitch breaks ties as root)."""
    if not pitches:
        return None
    present = {p % 12 for p in pitches}
    bass = min(pitches) % 12
    best, best_score = None, float("-inf")
    for root in range(12):
        for quality in QUALITIES:
            chord = Chord(root, quality)
            tones = chord.pitch_classes
            score = len(present & tones) - 0.5 * len(present - tones) - 0.3 * len(tones - present)
            score += 0.4 * (root == bass)
            if score > best_score:
                best, best_score = chord, score
    return best


def _pick_solo(pm: pretty_midi.PrettyMIDI, solo: int | str | None, source: str) -> int:
    """Index of the solo instrument: given by index or name (or program number as text), else guessed."""
    instruments = pm.instruments
    if isinstance(solo, int):
        if not 0 <= solo < len(instruments):
            raise JazzSoloError(f"{source}: no instrument {solo} (the file has {len(instruments)})")
        return solo
    if isinstance(solo, str):
        wanted = solo.lower()
        for i, inst in enumerate(instruments):
            if inst.name.strip().lower() == wanted or (wanted.isdigit() and inst.program == int(wanted)):
                return i
        for i, inst in enumerate(instruments):
            if wanted in inst.name.lower():
                return i
        names = ", ".join(repr(inst.name) for inst in instruments)
        raise JazzSoloError(f"{source}: no instrument named {solo!r} (instruments: {names})")
    candidates = [i for i, inst in enumerate(instruments) if not inst.is_drum and inst.notes]
    if not candidates:
        raise JazzSoloError(f"{source}: no pitched notes (only drums or empty parts)")

    def solo_likeness(i: int) -> tuple[bool, float]:
        notes = sorted(instruments[i].notes, key=lambda n: n.start)
        overlaps = sum(b.start < a.end - 1e-3 for a, b in zip(notes, notes[1:]))
        mostly_monophonic = overlaps <= 0.2 * len(notes)
        mean_pitch = sum(n.pitch for n in notes) / len(notes)
        return mostly_monophonic and len(notes) >= 8, mean_pitch

    return max(candidates, key=solo_likeness)


def read_midi(
    path: str | os.PathLike,
    solo: int | str | None = None,
    start: float | None = None,
    end: float | None = None,
) -> Score:
    """Read a MIDI file into a Score. `start`/`end` (quarter notes) select a section.

    Raises JazzSoloError with the file name for anything that is not a usable MIDI file.
    """
    source = str(path)
    if not os.path.isfile(path):
        raise JazzSoloError(f"{source}: no such file")
    try:
        pm = pretty_midi.PrettyMIDI(source)
    except Exception as err:  # mido/pretty_midi raise many types for corrupt data
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise JazzSoloError(f"{source}: not a readable MIDI file ({reason})") from None
    return score_from_pretty_midi(pm, solo, start, end, source)


def score_from_pretty_midi(
    pm: pretty_midi.PrettyMIDI,
    solo: int | str | None = None,
    start: float | None = None,
    end: float | None = None,
    source: str = "<midi>",
) -> Score:
    if sum(len(inst.notes) for inst in pm.instruments) > MAX_NOTES:
        raise JazzSoloError(f"{source}: more than {MAX_NOTES} notes")
    solo_index = _pick_solo(pm, solo, source)
    to_q = lambda t: pm.time_to_tick(t) / pm.resolution  # noqa: E731 - seconds -> quarter notes

    def read(inst: pretty_midi.Instrument) -> list[Note]:
        notes = []
        for n in inst.notes:
            onset = quantise(to_q(n.start))
            length = max(quantise(to_q(n.end) - to_q(n.start)), 0.25)
            if (start is None or onset >= start) and (end is None or onset < end):
                notes.append(Note(onset - (start or 0.0), length, n.pitch, n.velocity))
        return sorted(notes, key=lambda n: (n.start, n.pitch))

    line = monophonic(read(pm.instruments[solo_index]))
    if not line:
        raise JazzSoloError(f"{source}: the solo part (instrument {solo_index}) has no notes in the section")
    comping = [
        note for i, inst in enumerate(pm.instruments) if i != solo_index and not inst.is_drum for note in read(inst)
    ]
    tempos = pm.get_tempo_changes()[1]
    tempo = round(float(tempos[0]), 2) if len(tempos) else 120.0  # MIDI stores microseconds per beat
    signatures = pm.time_signature_changes
    beats_per_bar = signatures[0].numerator if signatures else 4
    length = max(n.end for n in line)
    progression = _chords_per_bar(comping, length, tempo, beats_per_bar)
    return Score(line, progression, comping, name=Path(source).stem)


def _chords_per_bar(comping: list[Note], length: float, tempo: float, beats_per_bar: int) -> Progression:
    """One chord per bar from the accompaniment; a bar with none keeps the previous chord."""
    spans: list[ChordSpan] = []
    n_bars = max(1, int(-(-length // beats_per_bar)))
    previous = Chord(0, "maj")
    for bar in range(n_bars):
        lo, hi = bar * beats_per_bar, (bar + 1) * beats_per_bar
        sounding = [n.pitch for n in comping if n.start < hi and n.end > lo]
        chord = detect_chord(sounding) or previous
        spans.append(ChordSpan(float(lo), float(beats_per_bar), chord))
        previous = chord
    return Progression(spans, tempo, beats_per_bar)


def midi_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in MIDI_SUFFIXES and p.is_file())


def load_scores(
    path: str | None,
    solo: int | str | None = None,
    start: float | None = None,
    end: float | None = None,
) -> list[Score]:
    """The training corpus: a .mid file, a folder of them, or (path None) the embedded corpus.

    In a folder, unreadable files are skipped with one warning as long as one good file remains.
    """
    if path is None:
        from jazz_solo.music.corpus import embedded_scores

        return embedded_scores()
    where = Path(path).expanduser()
    if where.is_dir():
        files = midi_files(where)
        if not files:
            raise JazzSoloError(f"{path}: folder has no .mid or .midi files")
        scores, bad = [], []
        for file in files:
            try:
                scores.append(read_midi(file, solo, start, end))
            except JazzSoloError as err:
                bad.append(str(err))
        if not scores:
            raise JazzSoloError(f"{path}: no usable MIDI file ({'; '.join(bad)})")
        if bad:
            import warnings

            warnings.warn(f"skipped {len(bad)} unusable file(s): {'; '.join(bad)}", stacklevel=2)
        return scores
    if not where.exists():
        raise JazzSoloError(f"{path}: no such file or folder")
    return [read_midi(where, solo, start, end)]
