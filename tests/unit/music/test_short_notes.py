"""Every sampled note is heard: a 1/12-beat note is struck in the MIDI file, the WAV's MIDI and the piano roll
(the lead sheet, written on one reading grid a beat, simplifies it away: docs/generating.md)."""

from __future__ import annotations

import io

import pretty_midi
import pytest

from jazz_solo.music.chords import Progression
from jazz_solo.music.comping import to_pretty_midi
from jazz_solo.music.grammar import GrammarTokenizer
from jazz_solo.music.pianoroll import piano_roll_figure
from jazz_solo.music.smf import solo_file

VALUES = ["C,0.250", "S,0.083,<M2,M2>", "C,0.667,<m3,m3>", "A,0.083", "C,1.000,<M2,P4>"]  # onsets 0, 1/4, 1/3, 1, 13/12


def test_a_twelfth_of_a_beat_is_struck_in_midi_wav_and_piano_roll():
    progression = Progression.parse("Cmaj7 | Dm7 G7", tempo=120)
    notes = GrammarTokenizer().decode(VALUES, progression)
    assert [round(n.start * 12) for n in notes] == [0, 3, 4, 12, 13]
    assert [n.duration for n in notes] == pytest.approx([1 / 4, 1 / 12, 2 / 3, 1 / 12, 1.0])
    midi = pretty_midi.PrettyMIDI(io.BytesIO(solo_file(notes, progression, name="solo")))
    for pm in (midi, to_pretty_midi(notes, progression, name="solo")):  # the file; the WAV's source
        solo = pm.instruments[0].notes
        assert [round(n.start * 2 * 12) for n in solo] == [0, 3, 4, 12, 13]  # 120 bpm: a quarter is 0.5 s
    fig = piano_roll_figure(notes, progression)
    struck = [p for ax in fig.axes for p in ax.patches if p.get_zorder() == 3]
    assert sorted(round(p.get_x() * 12) for p in struck) == [0, 3, 4, 12, 13]
