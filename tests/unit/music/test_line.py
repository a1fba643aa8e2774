"""realise=line: the whole solo's pitches fitted to its roles and brackets (jazz_solo/music/line.py)."""

from __future__ import annotations

import random
import statistics

from jazz_solo.corpus.embedded import embedded_scores
from jazz_solo.music.chords import Progression
from jazz_solo.music.grammar import PLAYABLE, GrammarTokenizer, placed_notes, role
from jazz_solo.music.line import fit_line, move_cost
from jazz_solo.music.score import Note, Score


def test_a_line_takes_the_intervals_played_from_the_pitch_nearest_home():
    candidates = [[60, 64, 67], [62, 65, 69], [60, 64, 67]]
    assert fit_line(candidates, [None, (-1, 5), (-5, 1)], 60.0, random.Random(0)) == [60, 62, 60]


def test_a_note_is_chosen_so_that_the_next_ones_bracket_stays_in_reach():
    # 61 and 63 lie as near the +2 asked for; only from 61 does the next note's role give the +1 asked for
    candidates = [[60], [61, 63], [62, 65]]
    for seed in range(10):
        assert fit_line(candidates, [None, (-1, 5), (-2, 4)], 60.0, random.Random(seed)) == [60, 61, 62]


def test_no_repeat_unless_a_unison_was_played_and_a_new_measure_steps():
    assert fit_line([[60], [60, 64]], [None, (-2, 4)], 60.0, random.Random(0)) == [60, 64]
    assert fit_line([[60], [60, 64]], [None, (-3, 3)], 60.0, random.Random(0)) == [60, 60]
    assert fit_line([[64], [60, 62, 64, 67]], [None, None], 64.0, random.Random(0)) == [64, 62]
    assert move_cost(64, 64, None) == move_cost(60, 60, (-2, 4)) == float("inf")


def test_decoding_a_line_over_its_chord_gives_back_its_pitches():
    played = [64, 62, 60, 62, 64, 67]  # E D C D E G over C: roles C S C S C C, one bar
    score = Score([Note(i / 2, 0.5, p) for i, p in enumerate(played)], Progression.parse("C"))
    tokenizer = GrammarTokenizer()
    values = tokenizer.encode(score)
    assert [n.pitch for n in tokenizer.decode(values, score.progression, realise="line", home=64)] == played


def test_the_corpus_realised_as_a_line_keeps_every_role_and_bracket():
    """Every note of its role over the chord (chord tones in the chord), every bracketed interval inside its
    bracket, seeded, playable."""
    tokenizer, scores = GrammarTokenizer(), embedded_scores()
    home = statistics.median(n.pitch for score in scores for n in score.notes)
    for score in scores[::6]:
        values = tokenizer.encode(score)
        notes = tokenizer.decode(values, score.progression, seed=3, realise="line", home=home)
        placed = placed_notes(values, score.progression)
        assert [role(n.pitch, chord) for n, (*_, chord) in zip(notes, placed)] == [kind for _, _, kind, *_ in placed]
        assert all(PLAYABLE[0] <= n.pitch <= PLAYABLE[1] for n in notes)
        for before, note, (*_, bracket, _) in zip(notes, notes[1:], placed[1:]):
            assert bracket is None or bracket[0] <= note.pitch - before.pitch <= bracket[1]
        assert notes == tokenizer.decode(values, score.progression, seed=3, realise="line", home=home)
