"""The classic value grammar: spelling rules, roles, brackets, realisation, and its properties."""

from __future__ import annotations

import pretty_midi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jazz_solo.corpus.embedded import embedded_scores
from jazz_solo.corpus.midi import score_from_pretty_midi
from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import Chord, ChordSpan, Progression
from jazz_solo.music.grammar import PLAYABLE, REALISE, GrammarTokenizer, measures, parse_value, role
from jazz_solo.music.score import Note, Score
from jazz_solo.music.spelling import interval_name, parse_interval, pitch_name, quality, scale_names, spell
from jazz_solo.music.tokenizers import get_tokenizer


@pytest.mark.parametrize(
    "low, high, name",
    [
        (60, 63, "m3"),  # C -> E- (music21 spells MIDI 63 E-)
        (75, 72, "m-3"),
        (72, 67, "P-4"),
        (68, 72, "d4"),  # G# -> C
        (70, 73, "A2"),  # B- -> C#
        (60, 60, "P1"),
        (60, 77, "P11"),
        (60, 48, "P-8"),
    ],
)
def test_intervals_are_named_from_music21_spellings(low, high, name):
    steps = spell(high)[0] - spell(low)[0]
    assert interval_name(steps, high - low) == name
    assert parse_interval(name) == (steps, high - low)


@given(st.integers(-16, 16), st.integers(-3, 3))
def test_interval_names_parse_back(steps, alteration):
    # a plausible size for that many letter steps, altered by up to a triple accidental either way
    natural = 12 * (abs(steps) // 7) + (0, 2, 4, 5, 7, 9, 11)[abs(steps) % 7]
    semitones = (natural if steps >= 0 else -natural) + alteration
    assert parse_interval(interval_name(steps, semitones)) == (steps, semitones)


def test_brackets_widen_the_leap_by_a_minor_third():
    score = Score([Note(0, 0.5, 75), Note(0.5, 0.5, 72), Note(1, 0.5, 67)], Progression.parse("Cm7"))
    values = GrammarTokenizer().encode(score)
    # E-5 -> C5 is m-3: widened, P1 .. d-5; C5 -> G4 is P-4: M-2 .. m-6 (the exercise's own first values)
    assert values == ["C,0.500", "C,0.500,<P1,d-5>", "C,0.500,<M-2,m-6>"]


def test_chord_quality_and_derived_scale_follow_music21():
    assert quality([spell(p) for p in (60, 64, 67)]) == "major"
    assert quality([spell(p) for p in (44, 58, 60, 63, 67)]) == "other"  # G#2 B-3 C4 E-4 G4: G# spelling
    # The major scale holding most of C E G, ties to the higher tonic: G major (with F#, not F).
    assert scale_names((60, 64, 67)) == frozenset("G A B C D E F#".split())
    # Dorian on B-, spelled D- and A-: a C# or G# is no scale tone by name.
    assert scale_names((44, 58, 60, 63, 67)) == frozenset("B- C D- E- F G A-".split())
    assert pitch_name(spell(61)) == "C#" and role(61, (44, 58, 60, 63, 67)) == "A"


def test_roles_are_tested_in_order():
    dm7 = tuple(Chord.parse("Dm7").voicing())  # D F A C
    assert [role(p, dm7) for p in (62, 65, 69, 72)] == ["C"] * 4
    assert role(67, dm7) == "S"  # G: in the derived Dorian scale
    assert role(63, dm7) == "A"  # E-: a half step from D, not in the scale
    assert role(66, dm7) == "A" and role(68, dm7) == "A"  # F#, G#: a half step from F / A
    assert {role(p, (60, 64, 67, 70, 73)) for p in range(60, 72)} <= {"C", "S", "A", "X"}


def test_values_and_vocabulary_on_the_embedded_corpus():
    tok = get_tokenizer("grammar")
    values = [v for score in embedded_scores() for v in tok.encode(score)]
    for value in set(values):
        kind, duration, leap = parse_value(value)
        assert kind in "RCSAX" and duration > 0 and value.split(",")[1] == f"{duration:.3f}"
        assert (leap is None) == (value.count(",") == 1)
    kinds = {v[0] for v in values}
    assert kinds >= {"R", "C", "S", "A"}
    assert 40 <= len(set(values)) <= 400  # a small vocabulary, as in the exercise (78 values)


def test_first_note_of_each_measure_has_no_bracket():
    score = embedded_scores()[0]
    values = GrammarTokenizer().encode(score)
    for measure in measures(values, score.progression.beats_per_bar):
        notes = [v for v in measure if not v.startswith("R,")]
        if notes:
            assert notes[0].count(",") == 1
            assert all(v.count(",") == 3 for v in notes[1:])


def test_decode_is_seeded_and_stays_playable():
    score = embedded_scores()[3]
    tok = GrammarTokenizer()
    values = tok.encode(score)
    a, b, c = (tok.decode(values, score.progression, seed=s, realise="random") for s in (1, 1, 2))
    assert a == b and a != c
    assert all(PLAYABLE[0] <= n.pitch <= PLAYABLE[1] for n in a)
    assert all(x.end <= y.start + 1e-9 for x, y in zip(a, a[1:]))


def test_decode_avoids_stuck_repetitions_and_strikes_the_shortest_notes():
    prog = Progression.parse("C")
    values = ["C,0.500"] + ["C,0.500,<m3,m-3>"] * 20 + ["C,0.083,<m3,m-3>", "R,1.000"]
    notes = GrammarTokenizer().decode(values, prog, seed=0, realise="random")
    assert len(notes) == 22  # the 1/12-beat note is struck, not held over
    assert notes[-1].start == pytest.approx(10.5) and notes[-1].duration == pytest.approx(1 / 12)
    assert all(a.pitch != b.pitch for a, b in zip(notes, notes[1:]))


def test_bad_values_are_one_clear_error():
    for value in ("Q,0.250", "C,abc", "C,0.250,<m2>", "C,0.250,<m2,Z3>", "C,0.000"):
        with pytest.raises(JazzSoloError, match="not a grammar value"):
            parse_value(value)


# --- properties -------------------------------------------------------------------------------------

LENGTHS = (1 / 12, 1 / 6, 0.25, 1 / 3, 0.5, 2 / 3, 0.75, 1.0, 1.5, 2.0)
SYMBOLS = ("C", "Dm7", "G7", "Cmaj7", "Bm7b5", "C#dim7", "Ebaug", "Asus4", "Bbm7", "F#m")


@st.composite
def solos(draw) -> Score:
    bars = [draw(st.lists(st.sampled_from(SYMBOLS), min_size=1, max_size=2)) for _ in range(draw(st.integers(1, 4)))]
    progression = Progression.parse(" | ".join(" ".join(bar) for bar in bars), tempo=120)
    if draw(st.booleans()):  # chords as an accompaniment played them: voicings with added tones
        progression.spans = [
            ChordSpan(s.start, s.duration, s.chord, tuple(draw(st.lists(st.integers(36, 84), min_size=2, max_size=6))))
            for s in progression.spans
        ]
    notes, time = [], draw(st.sampled_from((0.0, 0.0, 1 / 3, 0.5, 5.0)))
    for _ in range(draw(st.integers(1, 40))):
        length = draw(st.sampled_from(LENGTHS))
        notes.append(Note(time, length, draw(st.integers(*PLAYABLE))))
        time += length + draw(st.sampled_from((0.0, 0.0, 0.0, 0.25, 1 / 3, 1.0, 6.0)))
    return Score(notes, progression)


@settings(max_examples=60, deadline=None)
@given(solos(), st.integers(0, 2**16), st.sampled_from(REALISE))
def test_realising_a_solos_values_over_its_chords_keeps_onsets_durations_and_roles(score, seed, realise):
    tok = GrammarTokenizer()
    notes = tok.decode(tok.encode(score), score.progression, seed=seed, realise=realise)
    assert [(round(n.start, 6), round(n.duration, 6)) for n in notes] == [
        (round(n.start, 6), round(n.duration, 6)) for n in score.notes
    ]
    chord_at = score.progression.span_at
    assert [role(n.pitch, chord_at(n.start).tones) for n in notes] == [
        role(n.pitch, chord_at(n.start).tones) for n in score.notes
    ]


@st.composite
def midis(draw) -> pretty_midi.PrettyMIDI:
    pm = pretty_midi.PrettyMIDI(initial_tempo=draw(st.floats(40, 240)))
    for _ in range(draw(st.integers(1, 4))):
        inst = pretty_midi.Instrument(program=draw(st.integers(0, 127)), is_drum=draw(st.booleans()))
        for _ in range(draw(st.integers(0, 30))):
            start = draw(st.floats(0, 30))
            end = start + draw(st.floats(0, 3))
            inst.notes.append(pretty_midi.Note(draw(st.integers(1, 127)), draw(st.integers(0, 127)), start, end))
        pm.instruments.append(inst)
    if not any(inst.notes and not inst.is_drum for inst in pm.instruments):
        pm.instruments.append(pretty_midi.Instrument(0))
        pm.instruments[-1].notes.append(pretty_midi.Note(90, draw(st.integers(0, 127)), 1.0, 1.5))
    return pm


@settings(max_examples=60, deadline=None)
@given(midis())
def test_tokenizing_any_midi_with_a_pitched_note_never_raises(pm):
    score = score_from_pretty_midi(pm)
    for name in ("grammar", "pitch"):
        tok = get_tokenizer(name)
        values = tok.encode(score)
        assert values and tok.decode(values, score.progression)
