"""MIDI files -> scores: `read_midi` is the MIDI -> score step of the pipeline.


- the solo part is chosen by index, name or program (`solo="5"`, `"Guitar"`, `"program:26"`) or
  guessed: a pitched part that is mostly one note at a time, pitched above the average, with
  the most notes;
- onsets and durations are quantised to the 1/4 and 1/3 quarter-note grids (what the classic
  pipeline got from music21's MIDI import), then overlapping notes are trimmed to one line;
- an optional section `start`/`end` (quarter notes) is cut out; times start at the section;
- chords come from the accompaniment (`chords_from`: a part chosen like the solo; default
  every other pitched part): a chord starts wherever the accompaniment strikes one, i.e.
  notes that start and end together (within 1/16 of a quarter note, in file order, as
  music21 groups them), so the harmony changes mid-bar where the accompaniment does. Within
  a bar, the first struck chord also covers the bar's start (as the exercise reads it); a bar
  with no struck chord takes the chord of the notes sounding in it, or keeps the previous
  one. With no accompaniment at all, chords are inferred bar by bar from the solo itself.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import mido
import pretty_midi

from jazz_solo.errors import JazzSoloError, first_line
from jazz_solo.music.chords import Chord, ChordSpan, Progression, detect_chord
from jazz_solo.music.score import Note, Part, Score, legato, monophonic, quantise, snap

MIDI_SUFFIXES = (".mid", ".midi")
MAX_NOTES = 200_000  # a guard against pathological files, far above any real solo
CHORD_TOLERANCE = 1 / 16  # quarter notes: notes struck and released this close together form a chord


def pick_part(pm: pretty_midi.PrettyMIDI, selector: int | str, source: str) -> int:
    """Index of the instrument `selector` names: an index ("5"), a name ("Guitar") or "program:26"."""
    instruments = pm.instruments
    text = str(selector).strip()
    if text.isdigit():
        if int(text) >= len(instruments):
            raise JazzSoloError(f"{source}: no instrument {text} (the file has {len(instruments)}, from 0)")
        return int(text)
    if text.lower().startswith("program:") and text[8:].strip().isdigit():
        program = int(text[8:])
        for i, inst in enumerate(instruments):
            if inst.program == program and not inst.is_drum:
                return i
        raise JazzSoloError(f"{source}: no pitched instrument with program {program}")
    wanted = text.lower()
    for exact in (True, False):  # an exact name first, then a part of one
        for i, inst in enumerate(instruments):
            name = inst.name.strip().lower()
            if name == wanted or (not exact and wanted in name):
                return i
    names = ", ".join(repr(inst.name.strip()) for inst in instruments)
    raise JazzSoloError(f"{source}: no instrument named {text!r} (instruments: {names})")


def guess_solo(pm: pretty_midi.PrettyMIDI, source: str) -> int:
    """A pitched part that is mostly one note at a time and above the average pitch, with the most notes."""
    pitched = [i for i, inst in enumerate(pm.instruments) if not inst.is_drum and inst.notes]
    if not pitched:
        raise JazzSoloError(f"{source}: no pitched notes (only drums or empty parts)")
    all_pitches = [n.pitch for i in pitched for n in pm.instruments[i].notes]
    mean_pitch = sum(all_pitches) / len(all_pitches)

    def solo_likeness(i: int) -> tuple[bool, int]:
        notes = pm.instruments[i].notes
        onsets = sorted(round(n.start, 2) for n in notes)
        together = sum(a == b for a, b in zip(onsets, onsets[1:]))  # notes struck with another one
        melodic = together <= 0.25 * len(notes) and sum(n.pitch for n in notes) / len(notes) >= mean_pitch
        return melodic, len(notes)

    return max(pitched, key=solo_likeness)


def read_midi(
    path: str | os.PathLike,
    solo: int | str | None = None,
    start: float | None = None,
    end: float | None = None,
    chords_from: int | str | None = None,
    lengths: str = "onsets",
) -> Score:
    """Read a MIDI file into a Score. `start`/`end` (quarter notes) select a section.

    lengths: "onsets" cuts each solo note at the next onset (one clean line: values give back every
    onset); "legato" also holds it to the next onset over a silence shorter than LEGATO_REST (see legato);
    "written" keeps each note's own quantised length, as the classic exercise's values did.

    Raises JazzSoloError with the file name for anything that is not a usable MIDI file.
    """
    source = str(path)
    if not os.path.isfile(path):
        raise JazzSoloError(f"{source}: no such file")
    try:
        with open(path, "rb") as file:
            midi = mido.MidiFile(file=io.BytesIO(file.read()))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. tempo events outside track 0: harmless here
            pm = pretty_midi.PrettyMIDI(mido_object=midi)
    except Exception as err:  # mido/pretty_midi raise many types for corrupt data
        raise JazzSoloError(f"{source}: not a readable MIDI file ({first_line(err)})") from None
    # pretty_midi made the event times absolute: note the order notes are struck in the file.
    order: dict[tuple[int, int], int] = {}
    for track in midi.tracks:
        for message in track:
            if message.type == "note_on" and message.velocity > 0:
                order.setdefault((message.note, message.time), len(order))
    return score_from_pretty_midi(pm, solo, start, end, source, chords_from, order, lengths)


def score_from_pretty_midi(
    pm: pretty_midi.PrettyMIDI,
    solo: int | str | None = None,
    start: float | None = None,
    end: float | None = None,
    source: str = "<midi>",
    chords_from: int | str | None = None,
    order: dict[tuple[int, int], int] | None = None,
    lengths: str = "onsets",
) -> Score:
    """`order`: (pitch, onset tick) -> the note's place in the file (see struck_chords); `lengths`: see read_midi."""
    if sum(len(inst.notes) for inst in pm.instruments) > MAX_NOTES:
        raise JazzSoloError(f"{source}: more than {MAX_NOTES} notes")
    if start is not None and end is not None and end <= start:
        raise JazzSoloError(f"{source}: the section end ({end}) must come after its start ({start})")
    solo_index = guess_solo(pm, source) if solo is None else pick_part(pm, solo, source)
    if pm.instruments[solo_index].is_drum:
        raise JazzSoloError(f"{source}: instrument {solo_index} is a drum part, not a solo")
    offset = start or 0.0

    def in_section(onset: float) -> bool:
        return (start is None or onset >= start) and (end is None or onset < end)

    def read(inst: pretty_midi.Instrument) -> list[tuple[int, int, int, int]]:
        """(onset tick, end tick, pitch, velocity) in the order the notes are struck in the file."""
        notes = [(pm.time_to_tick(n.start), pm.time_to_tick(n.end), n.pitch, n.velocity) for n in inst.notes]
        return sorted(notes, key=lambda n: (n[0], (order or {}).get((n[2], n[0]), len(notes)), n[2]))

    def as_notes(ticks: list[tuple[int, int, int, int]]) -> list[Note]:
        notes = []
        for on, off, pitch, velocity in ticks:
            onset = quantise(on / pm.resolution)
            if in_section(onset):
                length = max(quantise((off - on) / pm.resolution), 0.25)
                notes.append(Note(snap(onset - offset), length, pitch, velocity))
        return sorted(notes, key=lambda n: (n.start, n.pitch))

    line = monophonic(as_notes(read(pm.instruments[solo_index])), cut=lengths != "written")
    line = legato(line) if lengths == "legato" else line
    if not line:
        raise JazzSoloError(f"{source}: the solo part (instrument {solo_index}) has no notes in the section")
    if chords_from is None:
        chord_indices = [i for i, inst in enumerate(pm.instruments) if i != solo_index and not inst.is_drum]
    else:
        chord_indices = [pick_part(pm, chords_from, source)]
        if pm.instruments[chord_indices[0]].is_drum:
            raise JazzSoloError(f"{source}: instrument {chord_indices[0]} is a drum part: it plays no chords")
    struck, comping = [], []
    for i in chord_indices:
        ticks = read(pm.instruments[i])
        comping += as_notes(ticks)
        for on, pitches in struck_chords(ticks, round(CHORD_TOLERANCE * pm.resolution)):
            onset = quantise(on / pm.resolution)
            if in_section(onset):
                struck.append((snap(onset - offset), pitches))
    struck.sort(key=lambda chord: chord[0])  # stable: at one onset, the later one in the file wins

    tempos = pm.get_tempo_changes()[1]
    tempo = round(float(tempos[0]), 2) if len(tempos) else 120.0  # MIDI stores microseconds per beat
    signature = pm.time_signature_changes[0] if pm.time_signature_changes else pretty_midi.TimeSignature(4, 4, 0)
    beats_per_bar = max(1, round(signature.numerator * 4 / signature.denominator))  # in quarter notes
    length = max(n.end for n in line) if end is None else end - offset
    progression = chords_per_bar(struck, comping or line, length, tempo, beats_per_bar)
    parts = [Part(i, pm.instruments[i].name, int(pm.instruments[i].program)) for i in [solo_index, *chord_indices]]
    return Score(
        line,
        progression,
        sorted(comping, key=lambda n: (n.start, n.pitch)),
        name=Path(source).stem,
        solo_part=parts[0],
        chord_parts=parts[1:],
        metre=(signature.numerator, signature.denominator),
        section=(offset, end),
    )


def struck_chords(notes: list[tuple[int, int, int, int]], tolerance: int) -> list[tuple[int, list[int]]]:
    """The chords a part strikes: (onset tick, pitches in file order).

    `notes` are (onset, end, pitch, velocity) ticks in file order. Like music21's MIDI import,
    each note not yet in a chord gathers the following notes that start and end within
    `tolerance` of it (a note can join two chords); a lone note is no chord.
    """
    chords, gathered = [], set()
    for i, (on, off, pitch, _) in enumerate(notes):
        if i in gathered:
            continue
        pitches = [pitch]
        for j in range(i + 1, len(notes)):
            on_j, off_j, pitch_j, _ = notes[j]
            if on_j - on > tolerance:
                break
            if abs(off_j - off) <= tolerance:
                pitches.append(pitch_j)
                gathered.add(j)
        if len(pitches) > 1:
            chords.append((on, pitches))
    return chords


def chords_per_bar(
    struck: list[tuple[float, list[int]]], sounding: list[Note], length: float, tempo: float, beats_per_bar: int
) -> Progression:
    """Spans from the struck chords, bar by bar (see the module docstring); a chord struck again merges."""
    n_bars = max(1, int(-(-length // beats_per_bar)))
    struck_in: list[dict[float, tuple[int, ...]]] = [{} for _ in range(n_bars)]
    for onset, pitches in struck:  # in order, so at one onset the last chord wins
        if onset < n_bars * beats_per_bar:
            struck_in[int(onset // beats_per_bar)][onset] = tuple(pitches)
    heard_in: list[set[int]] = [set() for _ in range(n_bars)]
    for note in sounding:
        first, last = int(note.start // beats_per_bar), int(-(-note.end // beats_per_bar))
        for bar in range(first, min(last, n_bars)):
            heard_in[bar].add(note.pitch)
    spans: list[ChordSpan] = []
    previous: tuple[int, ...] = ()
    for bar in range(n_bars):
        lo, hi = bar * beats_per_bar, (bar + 1) * beats_per_bar
        chords = struck_in[bar] or {lo: tuple(sorted(heard_in[bar])) or previous}
        onsets = sorted(chords)
        for onset, nxt in zip(onsets, onsets[1:] + [hi]):
            span_start, pitches = (lo if onset == onsets[0] else onset), chords[onset]
            if not pitches:  # nothing heard yet: the first chord found will cover this
                continue
            if spans and spans[-1].pitches == pitches and lo <= spans[-1].start:  # struck again in the bar
                span_start = spans.pop().start
            spans.append(ChordSpan(span_start, nxt - span_start, detect_chord(list(pitches)), pitches))
            previous = pitches
    if not spans:
        return Progression([ChordSpan(0.0, float(n_bars * beats_per_bar), Chord(0, "maj"))], tempo, beats_per_bar)
    first = spans[0]
    spans[0] = ChordSpan(0.0, first.end, first.chord, first.pitches)
    return Progression(spans, tempo, beats_per_bar)


def midi_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in MIDI_SUFFIXES and p.is_file())
