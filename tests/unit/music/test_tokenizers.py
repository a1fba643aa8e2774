import pytest

from jazz_solo.corpus.embedded import embedded_scores
from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import Progression
from jazz_solo.music.score import Note, Score
from jazz_solo.music.tokenizers import PitchTokenizer, get_tokenizer


def test_pitch_round_trip_on_the_corpus():
    tok = PitchTokenizer()
    for score in embedded_scores():
        values = tok.encode(score)
        notes = tok.decode(values, score.progression)
        assert [(n.start, n.duration, n.pitch) for n in notes] == [(n.start, n.duration, n.pitch) for n in score.notes]
        assert tok.encode(Score(notes, score.progression)) == values


def test_pitch_values_spell_rests_and_durations():
    prog = Progression.parse("C | C")
    score = Score([Note(1.0, 0.5, 60), Note(2.0, 1 / 3, 63)], prog)
    assert PitchTokenizer().encode(score) == ["R,1.000", "C4,0.500", "R,0.500", "D#4,0.333"]


def test_unknown_tokenizer_is_one_clear_error():
    with pytest.raises(JazzSoloError, match="unknown tokenizer 'nope'"):
        get_tokenizer("nope")
