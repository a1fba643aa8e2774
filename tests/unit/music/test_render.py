"""Pictures and sound of solos: piano rolls in bars, beats and chords; generate's render= files."""

from __future__ import annotations

import json
import wave

import pytest

from jazz_solo.cli import list_override
from jazz_solo.config import GenerateConfig
from jazz_solo.errors import JazzSoloError
from jazz_solo.generation import generate
from jazz_solo.music.chords import Progression
from jazz_solo.music.pianoroll import piano_roll_figure
from jazz_solo.music.score import Note


def test_a_piano_roll_has_bars_beats_chords_over_their_spans_and_note_names():
    progression = Progression.parse("Dm7 G7 | Cmaj7", tempo=120, beats_per_bar=4)  # 2 bars, looped
    notes = [Note(0.0, 1.0, 62), Note(2.0, 0.5, 67), Note(4.5, 1.5, 64), Note(9.0, 2.0, 60)]  # into bar 3
    fig = piano_roll_figure(notes, progression, "test")
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3", ""]  # a number at each bar line
    assert list(ax.get_xticks()) == [0, 4, 8, 12]
    assert ax.get_xlim() == (0, 12)
    beat_lines = sorted(line.get_xdata()[0] for line in ax.get_lines())
    assert beat_lines == list(range(13))  # a line at every beat, bar lines included
    chords = [(t.get_position()[0], t.get_text()) for t in ax.texts]
    assert [c for _, c in chords] == ["Dm7", "G7", "Cmaj7", "Dm7", "G7"]  # the progression repeats in bar 3
    assert [round(x) for x, _ in chords] == [0, 2, 4, 8, 10]  # each at the start of its span
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names == ["A#3", "B3", "C4", "C#4", "D4", "D#4", "E4", "F4", "F#4", "G4", "G#4", "A4"]  # C4 = MIDI 60


def test_a_piano_roll_names_every_pitch_in_its_changes_accidentals():
    wide = [Note(0.0, 1.0, 40), Note(1.0, 1.0, 84)]  # over three octaves: still every row named
    for chords, accidental in (("F#m7b5 B7 | Em7", "#"), ("Bb7 | Eb7", "b")):
        (ax,) = piano_roll_figure(wide, Progression.parse(chords)).axes
        names = [t.get_text() for t in ax.get_yticklabels()]
        assert len(names) == 84 - 40 + 5 and sum(accidental in n for n in names) == sum(len(n) == 3 for n in names)


def test_a_long_solo_is_drawn_in_rows_of_at_most_eight_bars():
    progression = Progression.parse("C7 | F7")
    notes = [Note(float(t), 1.0, 60 + t % 12) for t in range(0, 4 * 19, 2)]  # 19 bars
    fig = piano_roll_figure(notes, progression)
    assert len(fig.axes) == 3
    assert [t.get_text() for t in fig.axes[2].get_xticklabels()] == ["15", "16", "17", "18", "19", ""]  # 7 + 7 + 5
    assert [ax.get_xlim() for ax in fig.axes] == [(0, 28), (28, 56), (56, 76)]  # no empty bar after the solo
    widths = [ax.get_position().width for ax in fig.axes]
    assert widths[0] == widths[1] and widths[2] == pytest.approx(widths[0] * 5 / 7)  # bars equally wide


def test_generate_renders_a_piano_roll_and_a_wav_beside_each_solo(trained_ckpt, tmp_path):
    cfg = GenerateConfig(ckpt=str(trained_ckpt), n=2, length=32, render=["png", "wav"], out=str(tmp_path))
    paths = generate(cfg)
    for path in paths:
        assert path.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with wave.open(str(path.with_suffix(".wav"))) as wav:
            assert wav.getnframes() > wav.getframerate()  # over a second of sound
    listed = json.loads((tmp_path / "manifest.json").read_text())["solos"]
    assert [(s["png"], s["wav"]) for s in listed] == [(f"solo_00{i}.png", f"solo_00{i}.wav") for i in range(2)]

    cfg.overwrite, cfg.render = True, ["png"]  # the earlier WAVs are no longer listed: removed
    generate(cfg)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "manifest.json",
        "solo_000.mid",
        "solo_000.png",
        "solo_001.mid",
        "solo_001.png",
    ]


def test_render_is_checked():
    with pytest.raises(JazzSoloError, match=r"render: 'mp3' unknown \(choose from png, wav"):
        GenerateConfig(ckpt="model.ckpt", render=["png", "mp3"])


@pytest.mark.parametrize(
    "arg, expected",
    [("render=png,wav", "render=[png,wav]"), ("render=png", "render=[png]"), ("render=[wav]", "render=[wav]")],
)
def test_render_as_typed_becomes_a_hydra_list(arg, expected):
    assert list_override(arg, "render") == expected
    assert list_override("chords=a,b", "render") == "chords=a,b"  # other keys untouched
