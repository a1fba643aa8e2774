import pytest

from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import Chord, Progression
from jazz_solo.music.score import detect_chord


def test_parse_progression_text():
    prog = Progression.parse("Dm7 G7 | Cmaj7 | Cmaj7", tempo=100)
    assert [s.chord.symbol for s in prog.spans] == ["Dm7", "G7", "Cmaj7", "Cmaj7"]
    assert [(s.start, s.duration) for s in prog.spans] == [(0, 2), (2, 2), (4, 4), (8, 4)]
    assert prog.chord_at(13.0).symbol == "Dm7"  # loops past its end
    assert Progression.from_dict(prog.to_dict()) == prog


@pytest.mark.parametrize("text", ["Hm7", "Cfoo", "Dm7 | | G7"])
def test_bad_progression_text(text):
    with pytest.raises(JazzSoloError):
        Progression.parse(text)


@pytest.mark.parametrize("symbol", ["C", "Dm", "G7", "Fmaj7", "Bm7b5", "C#dim7", "Ebaug", "Asus4", "Bbm7"])
def test_detect_chord_from_its_voicing(symbol):
    chord = Chord.parse(symbol)
    assert detect_chord(chord.voicing(48) + [chord.voicing(36)[0]]) == chord
