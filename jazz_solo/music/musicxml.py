"""Score -> MusicXML: a solo as a lead sheet (notes, chord symbols, bars, tempo, metre) for MuseScore & co.

A small writer on xml.etree rather than music21: a solo is one line over chord symbols, and what it
takes is cutting notes where bars and beats call for ties, and writing triplets; music21 (20 MB, 0.6 s
to import) would do that too, but as a dependency of every install for one file format.

Times are on the 1/12 quarter-note grid (score.snap), so `divisions` = 12 ticks a quarter note: every
onset and length is a whole number of ticks. Each beat is first moved onto one grid a reader takes in
(sixteenths or triplets, notation.readable): the MIDI file keeps the exact times. How lengths are written:

- a note is cut (and tied) at bar lines and where the chord changes, so each chord symbol sits on
  the note or rest under which it starts;
- a piece that starts and ends on beats is written in whole beats (whole, dotted half, half, quarter);
- otherwise it is cut at the beats it crosses, and each piece inside a beat is written in the beat's
  own grid: eighths and sixteenths (and dotted ones) when every onset in the beat lies on the 1/4 grid,
  else triplets (quarter, eighth, 16th and 32nd triplets: 8, 4, 2 and 1 ticks), bracketed per beat.

The key signature is the one the changes imply (notation.key_fifths: Bb for Anthropology); notes are
spelled for the chord under them (D# over B7, notation.spelled), in the key's accidentals where no chord
spells them; chord roots as the symbols spell them. The title is the tune's when the progression has one.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

from jazz_solo.atomic import write_bytes
from jazz_solo.music.chords import NOTE_NAMES, Progression
from jazz_solo.music.notation import key_fifths, readable, spelled
from jazz_solo.music.score import Note

DIVISIONS = 12  # ticks a quarter note: the 1/4 and 1/3 grids are whole ticks
# ticks -> (type, dots): lengths of whole beats, and inside a beat on the 1/4 grid
PLAIN = {48: ("whole", 0), 36: ("half", 1), 24: ("half", 0), 12: ("quarter", 0), 9: ("eighth", 1), 6: ("eighth", 0)}
PLAIN |= {3: ("16th", 0)}
TRIPLET = {8: "quarter", 4: "eighth", 2: "16th", 1: "32nd"}  # ticks -> type, played 3 in the time of 2
KINDS = {  # chords.QUALITIES -> MusicXML's <kind>
    "maj": "major",
    "min": "minor",
    "dom7": "dominant",
    "maj7": "major-seventh",
    "m7": "minor-seventh",
    "m7b5": "half-diminished",
    "dim7": "diminished-seventh",
    "aug": "augmented",
    "sus4": "suspended-fourth",
    "6": "major-sixth",
    "m6": "minor-sixth",
    "mmaj7": "major-minor",
    "dim": "diminished",
    "aug7": "augmented-seventh",
    "augmaj7": "other",  # MusicXML has no kind for it: the text attribute carries "maj7#5"
    "7sus4": "suspended-fourth",  # the text attribute carries the 7
    "sus2": "suspended-second",
    "7alt": "dominant",
    "nc": "none",
}


def step_alter(name: str) -> tuple[str, int]:
    """A note name as MusicXML's step and alter: "Eb" -> ("E", -1), "F#" -> ("F", 1)."""
    return name[0], {"b": -1, "#": 1}.get(name[1:], 0)


def timeline(notes: list[Note], end: int) -> list[tuple[int, int, int | None]]:
    """The solo as (start, end, pitch or None for a rest) in ticks, back to back over [0, end): one line,
    each note cut at the next onset."""
    events, time = [], 0
    ordered = sorted(notes, key=lambda n: n.start)
    for note, following in zip(ordered, ordered[1:] + [None]):
        start = round(note.start * DIVISIONS)
        stop = min(round(note.end * DIVISIONS), end, round(following.start * DIVISIONS) if following else end)
        if start >= stop or start < time:
            continue
        if start > time:
            events.append((time, start, None))
        events.append((start, stop, note.pitch))
        time = stop
    if time < end:
        events.append((time, end, None))
    return events


def written(start: int, end: int, triplet_beats: set[int]) -> list[tuple[int, int, bool]]:
    """[start, end) (inside one bar) as notated lengths: (start, ticks, triplet) pieces to be tied."""
    if start % DIVISIONS == 0 and end % DIVISIONS == 0:
        pieces, time = [], start
        while time < end:
            ticks = max(t for t in (48, 36, 24, 12) if t <= end - time)
            pieces.append((time, ticks, False))
            time += ticks
        return pieces
    if start // DIVISIONS == (end - 1) // DIVISIONS:  # inside one beat
        beat = start // DIVISIONS
        units = list(TRIPLET) if beat in triplet_beats else [12, 9, 6, 3]
        pieces, time = [], start
        while time < end:
            ticks = max(t for t in units if t <= end - time)
            pieces.append((time, ticks, beat in triplet_beats))
            time += ticks
        return pieces
    first_beat, last_beat = -(-start // DIVISIONS) * DIVISIONS, end // DIVISIONS * DIVISIONS
    cuts = [start, first_beat, last_beat, end]  # over one or more beat lines: the whole beats between, if any
    return [p for a, b in zip(cuts, cuts[1:]) if a < b for p in written(a, b, triplet_beats)]


def lead_sheet(
    notes: list[Note], progression: Progression, end: float = 0.0, title: str = "jazz_solo", rights: str = ""
) -> ET.ElementTree:
    """The solo and its chord symbols (the progression looped to its length) as a MusicXML partwise score;
    `rights`: a licence notice for its <rights>."""
    bar = progression.beats_per_bar * DIVISIONS
    last = max(end, max((n.end for n in notes), default=0.0))
    total = max(1, -(-round(last * DIVISIONS) // bar)) * bar
    chord_at = {round(s.start * DIVISIONS): s.chord for s in progression.looped(total / DIVISIONS)}
    changes, fifths = sorted(chord_at), key_fifths(progression)
    events = timeline(readable(notes), total)
    cuts = sorted({*range(0, total, bar), *chord_at})
    pieces = []  # (start, end, pitch, tied from the previous, tied to the next): events cut at bar lines and chords
    for s, e, pitch in events:
        inner = [c for c in cuts if s < c < e]
        pieces += [(a, b, pitch, a > s, b < e) for a, b in zip([s, *inner], [*inner, e])]  # tied from / to
    edges = {t for p in pieces for t in p[:2]}
    triplet_beats = {t // DIVISIONS for t in edges if t % 3}

    root = ET.Element("score-partwise", version="4.0")
    ET.SubElement(ET.SubElement(root, "work"), "work-title").text = progression.title or title
    if progression.title:  # the tune above, the solo (its seed, its log-probability) under it
        ET.SubElement(root, "movement-title").text = title
    identification = ET.SubElement(root, "identification")
    if rights:
        ET.SubElement(identification, "rights").text = rights
    ET.SubElement(ET.SubElement(identification, "encoding"), "software").text = "jazz_solo"
    part_list = ET.SubElement(root, "part-list")
    ET.SubElement(ET.SubElement(part_list, "score-part", id="P1"), "part-name").text = "Solo"
    part = ET.SubElement(root, "part", id="P1")
    measures = [ET.SubElement(part, "measure", number=str(i + 1)) for i in range(total // bar)]

    first = measures[0]
    attributes = ET.SubElement(first, "attributes")
    ET.SubElement(attributes, "divisions").text = str(DIVISIONS)
    ET.SubElement(ET.SubElement(attributes, "key"), "fifths").text = str(fifths)
    metre = ET.SubElement(attributes, "time")
    ET.SubElement(metre, "beats").text = str(progression.beats_per_bar)
    ET.SubElement(metre, "beat-type").text = "4"
    clef = ET.SubElement(attributes, "clef")
    ET.SubElement(clef, "sign").text = "G"
    ET.SubElement(clef, "line").text = "2"
    direction = ET.SubElement(first, "direction", placement="above")
    metronome = ET.SubElement(ET.SubElement(direction, "direction-type"), "metronome")
    ET.SubElement(metronome, "beat-unit").text = "quarter"
    ET.SubElement(metronome, "per-minute").text = f"{progression.tempo:g}"
    ET.SubElement(direction, "sound", tempo=f"{progression.tempo:g}")

    tuplets: dict[int, list[ET.Element]] = {}  # beat -> its triplet notes, bracketed together
    for start, stop, pitch, tied_from, tied_to in pieces:
        measure = measures[start // bar]
        if start in chord_at:
            measure.append(harmony(chord_at[start]))
        parts = written(start, stop, triplet_beats)
        under = chord_at[max((c for c in changes if c <= start), default=changes[0])] if changes else None
        spelling = None if pitch is None else spelled(pitch, under, fifths)
        for k, (at, ticks, triplet) in enumerate(parts):
            element = note(spelling, ticks, triplet, tied_from or k > 0, tied_to or k < len(parts) - 1)
            measure.append(element)
            if triplet:
                tuplets.setdefault(at // DIVISIONS, []).append(element)
    for group in tuplets.values():
        notations(group[0]).append(ET.Element("tuplet", type="start", bracket="yes"))
        notations(group[-1]).append(ET.Element("tuplet", type="stop"))
    barline = ET.SubElement(measures[-1], "barline", location="right")
    ET.SubElement(barline, "bar-style").text = "light-heavy"
    ET.indent(root)
    return ET.ElementTree(root)


def harmony(chord) -> ET.Element:
    """A chord symbol: root and kind, the kind's text as the symbol writes it ("m7", "maj7", "")."""
    element = ET.Element("harmony")
    step, alter = step_alter(chord.root_name)  # as the chord symbols are spelled
    root = ET.SubElement(element, "root")
    ET.SubElement(root, "root-step").text = step
    if alter:
        ET.SubElement(root, "root-alter").text = str(alter)
    suffix = "N.C." if chord.quality == "nc" else chord.symbol[len(chord.root_name) :]
    ET.SubElement(element, "kind", text=suffix).text = KINDS[chord.quality]
    if chord.bass is not None:  # a slash chord: C7/E
        step, alter = step_alter(NOTE_NAMES[chord.bass])
        bass = ET.SubElement(element, "bass")
        ET.SubElement(bass, "bass-step").text = step
        if alter:
            ET.SubElement(bass, "bass-alter").text = str(alter)
    for tension in chord.tensions:  # b9, #11, 13, ...: degrees a reader adds to the kind's tones
        number = int(tension.lstrip("#b"))
        degree = ET.SubElement(element, "degree")
        ET.SubElement(degree, "degree-value").text = str(number)
        ET.SubElement(degree, "degree-alter").text = str({"b": -1, "#": 1}.get(tension[0], 0))
        ET.SubElement(degree, "degree-type").text = "alter" if number == 5 else "add"
    return element


def note(pitch: tuple[str, int, int] | None, ticks: int, triplet: bool, tied_from: bool, tied_to: bool) -> ET.Element:
    """A <note> of `ticks` (pitch: (step, alter, octave) as notation.spelled gives it; None: a rest), tied to its
    neighbours as asked."""
    element = ET.Element("note")
    if pitch is None:
        ET.SubElement(element, "rest")
    else:
        step, alter, octave = pitch
        written_pitch = ET.SubElement(element, "pitch")
        ET.SubElement(written_pitch, "step").text = step
        if alter:
            ET.SubElement(written_pitch, "alter").text = str(alter)
        ET.SubElement(written_pitch, "octave").text = str(octave)
    ET.SubElement(element, "duration").text = str(ticks)
    ties = [kind for kind, on in (("stop", tied_from), ("start", tied_to)) if on and pitch is not None]
    for kind in ties:
        ET.SubElement(element, "tie", type=kind)
    ET.SubElement(element, "voice").text = "1"
    kind, dots = (TRIPLET[ticks], 0) if triplet else PLAIN[ticks]
    ET.SubElement(element, "type").text = kind
    for _ in range(dots):
        ET.SubElement(element, "dot")
    if triplet:
        modification = ET.SubElement(element, "time-modification")
        ET.SubElement(modification, "actual-notes").text = "3"
        ET.SubElement(modification, "normal-notes").text = "2"
    for kind in ties:
        notations(element).append(ET.Element("tied", type=kind))
    return element


def notations(element: ET.Element) -> ET.Element:
    """A note's <notations>, made when first needed (it comes last in a note)."""
    found = element.find("notations")
    return found if found is not None else ET.SubElement(element, "notations")


def write_musicxml(
    notes: list[Note],
    progression: Progression,
    path: str | os.PathLike,
    end: float = 0.0,
    title: str = "jazz_solo",
    rights: str = "",
) -> Path:
    """Write the lead sheet as an uncompressed MusicXML file (.musicxml), atomically."""
    tree = lead_sheet(notes, progression, end, title, rights)
    header = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 '
        b'Partwise//EN" "http://www.musicxml.org/dtds/partwise.dtd">\n'
    )
    return write_bytes(path, header + ET.tostring(tree.getroot(), encoding="utf-8") + b"\n")
