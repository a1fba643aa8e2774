"""The MusicXML lead sheet: a MusicXML reader (music21) reads back the same notes, chord symbols, bars, tempo."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pretty_midi
import pytest

from jazz_solo.checkpoint import load_checkpoint
from jazz_solo.config import GenerateConfig
from jazz_solo.generation import generate
from jazz_solo.music.chords import Progression
from jazz_solo.music.musicxml import lead_sheet, write_musicxml
from jazz_solo.music.notation import key_fifths, readable
from jazz_solo.music.score import Note


def read_back(path):
    """Notes as (start, length, pitch), chord symbols as (start, root pitch class, kind), bar lengths, tempo, metre."""
    music21 = pytest.importorskip("music21", reason="the MusicXML read-back needs music21 (the dev extra)")
    score = music21.converter.parse(str(path))
    flat = score.stripTies().flatten()
    notes = [(float(n.offset), float(n.quarterLength), n.pitch.midi) for n in flat.getElementsByClass("Note")]
    chords = [(float(c.offset), c.root().pitchClass, c.chordKind) for c in flat.getElementsByClass("ChordSymbol")]
    bars = [float(m.duration.quarterLength) for m in score.parts[0].getElementsByClass("Measure")]
    tempo = score.metronomeMarkBoundaries()[0][2].number
    metre = score.recurse().getElementsByClass("TimeSignature")[0].ratioString
    return notes, chords, bars, tempo, metre


def rounded(notes):
    return [(round(a, 4), round(b, 4), p) for a, b, p in notes]


# every awkward case at once: triplets (eighth, quarter, 1/12 runs), a note across the bar line and across a
# chord change, dotted lengths, rests between, a solo that ends on a rest in its last bar
AWKWARD = [
    Note(0.0, 1 / 3, 62),
    Note(1 / 3, 1 / 3, 65),
    Note(2 / 3, 1 / 3, 69),
    Note(1.0, 0.75, 72),
    Note(1.75, 0.25, 71),
    Note(2.0, 2 / 3, 67),
    Note(8 / 3, 1 / 3, 65),
    Note(3.5, 1.5, 64),  # over the bar line
    Note(5.0, 1 / 12, 63),
    Note(5 + 1 / 12, 1 / 6, 62),
    Note(5.25, 0.75, 61),
    Note(6.5, 3.0, 60),  # over a chord change and the bar line
    Note(10.0, 2 / 3, 70),
]


@pytest.mark.parametrize("beats_per_bar", [4, 3])
def test_a_reader_reads_back_the_notes_chords_bars_tempo_and_metre(tmp_path, beats_per_bar):
    chords = "Dm7 G7 | Cmaj7 | F#m7b5 B7 | Ebmaj7" if beats_per_bar == 4 else "Dm7 | G7 | Bbmaj7 | C#dim7"
    progression = Progression.parse(chords, tempo=144, beats_per_bar=beats_per_bar)
    path = write_musicxml(AWKWARD, progression, tmp_path / "solo.musicxml", end=12.0, title="awkward")
    notes, symbols, bars, tempo, metre = read_back(path)
    assert rounded(notes) == rounded([(n.start, n.duration, n.pitch) for n in readable(AWKWARD)])
    # as written for reading: beat 5's 1/12 ghost note goes, its neighbour starts on the beat; the rest is exact
    assert readable(AWKWARD) == AWKWARD[:8] + [Note(5.0, 0.25, 62)] + AWKWARD[10:]
    spans = progression.looped(12.0)
    assert symbols == [(s.start, s.chord.root, KINDS[s.chord.quality]) for s in spans]
    assert bars == [beats_per_bar] * (12 // beats_per_bar) and tempo == 144 and metre == f"{beats_per_bar}/4"


KINDS = {"m7": "minor-seventh", "dom7": "dominant-seventh", "maj7": "major-seventh", "dim7": "diminished-seventh"}
KINDS["m7b5"] = "half-diminished-seventh"  # music21's names of the chords used here


def test_triplets_are_bracketed_per_beat_and_ties_marked_both_ways():
    progression = Progression.parse("C7", beats_per_bar=4)
    root = lead_sheet(
        [Note(0, 1 / 3, 60), Note(1 / 3, 1 / 3, 62), Note(2 / 3, 1 / 3, 64), Note(1, 2.5, 65)], progression
    )
    notes = root.getroot().findall(".//note")
    assert [n.findtext("type") for n in notes] == ["eighth"] * 3 + ["half", "eighth", "eighth"]
    assert [n.find(".//tuplet") is not None for n in notes][:3] == [True, False, True]  # start ... stop
    assert [[t.get("type") for t in n.findall("tie")] for n in notes[3:5]] == [["start"], ["stop"]]
    assert notes[5].find("rest") is not None  # the rest of the bar
    assert ET.tostring(root.getroot()).count(b"<harmony>") == 1


def test_generate_writes_a_lead_sheet_beside_each_solo(trained_ckpt, tmp_path):
    cfg = GenerateConfig(ckpt=str(trained_ckpt), n=2, bars=6, strategy="sample", render=["musicxml"], out=str(tmp_path))
    for path in generate(cfg):
        sheet = path.with_suffix(".musicxml")
        assert sheet.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        notes, symbols, bars, tempo, _ = read_back(sheet)
        progression = Progression.from_dict(load_checkpoint(trained_ckpt).spec.backing)
        assert bars == [progression.beats_per_bar] * 6 and tempo == progression.tempo
        assert [s for _, s, _ in symbols] == [s.chord.root for s in progression.looped(6 * progression.beats_per_bar)]
        midi = pretty_midi.PrettyMIDI(str(path)).instruments[0].notes
        spq = 60 / progression.tempo
        played = [Note(n.start / spq, (n.end - n.start) / spq, n.pitch) for n in midi]
        assert rounded(notes) == rounded([(n.start, n.duration, n.pitch) for n in readable(played)])


# MusicXML's <kind> values (the schema's kind-value list)
MUSICXML_KINDS = {"major", "minor", "augmented", "diminished", "dominant", "major-seventh", "minor-seventh"}
MUSICXML_KINDS |= {"diminished-seventh", "augmented-seventh", "half-diminished", "major-minor", "major-sixth"}
MUSICXML_KINDS |= {"minor-sixth", "suspended-second", "suspended-fourth", "other", "none"}


def test_every_chord_quality_is_written_as_a_kind_with_its_symbol():
    symbols = ["C6", "Cm6", "CmMaj7", "Cdim", "Caug7", "Cmaj7#5", "C7sus4", "Csus2", "C7alt", "NC", "C9", "Bb6"]
    progression = Progression.parse(" | ".join(symbols), beats_per_bar=4)
    root = lead_sheet([Note(4.0 * i, 4.0, 60) for i in range(len(symbols))], progression)
    kinds = root.getroot().findall(".//harmony/kind")
    assert all(kind.text in MUSICXML_KINDS for kind in kinds)
    harmonies = root.getroot().findall(".//harmony")
    roots = [h.findtext("root/root-step") + {"-1": "b"}.get(h.findtext("root/root-alter"), "") for h in harmonies]
    written = [r + kind.get("text") if kind.text != "none" else kind.get("text") for r, kind in zip(roots, kinds)]
    assert written == symbols[:-3] + ["N.C.", "C9", "Bb6"]


def test_a_note_across_a_beat_line_on_mixed_grids_reads_back(tmp_path):
    # WJazzD's grid holds both: a note from the last sixteenth of beat 1 to a triplet of beat 2, then 1/12 and 5/12
    notes = [Note(0.75, 7 / 12, 64), Note(4 / 3, 1 / 12, 65), Note(17 / 12, 5 / 12, 67), Note(2 + 1 / 3, 1.0, 69)]
    path = write_musicxml(notes, Progression.parse("Bb6 G7"), tmp_path / "solo.musicxml", end=4.0)
    assert rounded(read_back(path)[0]) == rounded([(n.start, n.duration, n.pitch) for n in readable(notes)])
    durations = {int(d.text) for d in ET.parse(path).getroot().iter("duration")}
    assert all(d % 3 == 0 or d % 4 == 0 for d in durations)  # sixteenths or triplets: no 1/12 pieces to read


def test_chord_symbols_keep_their_tensions_slash_bass_and_sharp_roots(tmp_path):
    music21 = pytest.importorskip("music21", reason="the MusicXML read-back needs music21 (the dev extra)")
    progression = Progression.parse("F#m7b5 B7(b9) | C7/E A7#11")
    path = write_musicxml([Note(0, 8.0, 64)], progression, tmp_path / "changes.musicxml", end=8.0)
    read = list(music21.converter.parse(str(path)).recurse().getElementsByClass("ChordSymbol"))
    assert [h.root().name for h in read] == ["F#", "B", "C", "A"]  # as typed: F#, not G-flat
    tones = [{p.pitchClass for p in h.pitches} for h in read]
    assert tones == [set(s.chord.pitch_classes) for s in progression.spans]  # b9, #11 and the bass E included
    assert read[2].bass().name == "E"


def test_the_key_signature_title_and_spelling_come_from_the_tune():
    assert key_fifths(Progression.parse("Bbmaj7 G7 | Cm7 F7 | Dm7 G7 | Cm7 F7")) == -2  # Anthropology's first bars
    assert key_fifths(Progression.parse("Dm7 G7 | Cmaj7")) == 0
    progression = Progression.parse("F#m7b5 B7 | Em7", tempo=120)
    progression.title = "Blue Bossa (a test)"
    notes = [Note(0, 1, 60), Note(1, 1, 66), Note(2, 1, 63), Note(3, 1, 69), Note(4, 2, 67), Note(6, 1, 70)]
    root = lead_sheet(notes, progression, title="seed 0").getroot()
    assert root.findtext("work/work-title") == "Blue Bossa (a test)" and root.findtext("movement-title") == "seed 0"
    assert root.findtext(".//key/fifths") == "1"  # E minor's one sharp
    written = [n.findtext("pitch/step") + {"1": "#", "-1": "b"}.get(n.findtext("pitch/alter"), "") for n in
               root.iter("note") if n.find("pitch") is not None]  # fmt: skip
    assert written == ["C", "F#", "D#", "A", "G", "A#"]  # F#m7b5's b5 and root, B7's third and seventh, Em7's ...
