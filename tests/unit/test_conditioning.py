"""Chord conditioning end to end, the contexts the music side computes, and realise=centre."""

from __future__ import annotations

import statistics

import pytest
import torch

from jazz_solo.config import EvaluateConfig, GenerateConfig, SamplingConfig
from jazz_solo.corpus.embedded import embedded_scores
from jazz_solo.music.chords import Progression
from jazz_solo.music.context import (
    BEAT,
    CHORD,
    N_FEATURES,
    N_TEMPO_FEATURES,
    NEXT_CHORD,
    NEXT_ROOT,
    ROOT,
    STEP,
    TEMPO,
    progression_contexts,
    transpose_context,
    value_contexts,
)
from jazz_solo.music.grammar import PLAYABLE, GrammarTokenizer
from jazz_solo.music.score import snap


def test_each_value_hears_the_chord_and_bar_position_where_it_ends():
    progression = Progression.parse("Dm7 G7 | Cmaj7 | Cmaj7")
    contexts = progression_contexts(progression)
    assert len(contexts) == 3 * 4 * 12  # three bars of 4/4 on the 1/12 grid
    assert all(max(c) < N_TEMPO_FEATURES for c in contexts)
    # a quarter note then an eighth: it ends on beat 2 (D minor), the next on its second half (G7 from beat 3)
    first, second = value_contexts(["C,1.000", "C,0.500,<m3,m-3>"], progression)
    assert {CHORD + pc for pc in (2, 5, 9, 0)} <= set(first) and ROOT + 2 in first
    assert NEXT_ROOT + 7 in first and STEP + 0 in first and BEAT + 1 in first
    assert STEP + 6 in second and BEAT + 1 in second
    # the next chord of the last Cmaj7 is the Dm7 the loop comes back to (the same chord twice is skipped)
    assert NEXT_ROOT + 2 in contexts[-1] and value_contexts(["R,12.000"], progression)[0] == contexts[0]


def test_centre_realisation_gives_back_the_bracketed_intervals_of_corpus_solos():
    """Where a bracket was written and the note before was realised at its own pitch (up to octaves, the
    first note of a measure has only its role to go by), the interval is the one played; so it is at
    least twice as often as with realise=random. And the line keeps to the corpus's range more often."""
    tokenizer = GrammarTokenizer()
    scores = embedded_scores()
    pitches = [n.pitch for score in scores for n in score.notes]
    home, low, high = statistics.median(pitches), min(pitches), max(pitches)
    kept, inside = {"centre": 0, "random": 0}, {"centre": 0, "random": 0}
    for score in scores[::6]:
        bar = score.progression.beats_per_bar
        values = tokenizer.encode(score)
        for realise in kept:
            notes = tokenizer.decode(values, score.progression, seed=3, realise=realise, home=home)
            inside[realise] += sum(low <= n.pitch <= high for n in notes) / len(notes) / len(scores[::6])
            assert [n.start for n in notes] == [n.start for n in score.notes]
            assert all(PLAYABLE[0] <= n.pitch <= PLAYABLE[1] for n in notes)
            pitch_at = {n.start: n.pitch for n in notes}
            for before, note in zip(score.notes, score.notes[1:]):
                if int(snap(before.start) // bar) != int(snap(note.start) // bar):
                    continue  # no bracket: the first note of a measure
                interval = pitch_at[note.start] - pitch_at[before.start]
                kept[realise] += interval == note.pitch - before.pitch
                shift = pitch_at[before.start] - before.pitch
                if realise == "centre" and shift % 12 == 0 and PLAYABLE[0] <= note.pitch + shift <= PLAYABLE[1]:
                    assert interval == note.pitch - before.pitch
    assert kept["centre"] > 2 * kept["random"]
    assert inside["centre"] > max(0.85, inside["random"])


def test_realise_line_is_the_default_as_in_every_config_and_an_unknown_mode_is_refused():
    score, tokenizer = embedded_scores()[0], GrammarTokenizer()
    values = tokenizer.encode(score)
    line = tokenizer.decode(values, score.progression, seed=1, realise="line")
    assert tokenizer.decode(values, score.progression, seed=1) == line
    assert tokenizer.decode(values, score.progression, seed=1, realise="centre") != line
    assert tokenizer.decode(values, score.progression, seed=1, realise="random", home=60) != line
    assert all(cfg().realise == "line" for cfg in (SamplingConfig, GenerateConfig, EvaluateConfig))
    with pytest.raises(Exception, match="realise must be one of line, centre, random"):
        tokenizer.decode(values, score.progression, realise="middle")


def chords_checkpoint(tmp, **data):
    from conftest import tiny_train_config
    from jazz_solo.training.fit import fit

    cfg = tiny_train_config(tmp, **data)
    cfg.model.condition = "chords"
    return fit(cfg)


@pytest.fixture(scope="module")
def chords_ckpt(tmp_path_factory):
    return chords_checkpoint(tmp_path_factory.mktemp("chords"))


@pytest.mark.parametrize("data", [{"windows": "exercise", "m": 40}, {"tokenizer": "pitch"}])
def test_chord_conditioning_with_other_windows_and_tokenizers(data, tmp_path):
    from jazz_solo.config import GenerateConfig
    from jazz_solo.generation import generate

    ckpt = chords_checkpoint(tmp_path, **data)
    assert len(generate(GenerateConfig(ckpt=str(ckpt), n=2, length=16, out=str(tmp_path / "solos")))) == 2


def test_a_chord_conditioned_model_trains_generates_and_evaluates(chords_ckpt, tmp_path):
    from jazz_solo.checkpoint import load_checkpoint
    from jazz_solo.conditioning import CONDITION_FEATURES
    from jazz_solo.config import GenerateConfig
    from jazz_solo.evaluation.evaluate import evaluate_checkpoint
    from jazz_solo.generation import generate

    ckpt = load_checkpoint(chords_ckpt)
    assert ckpt.spec.condition == "chords" and ckpt.net.n_features == CONDITION_FEATURES["chords"]
    assert ckpt.net.rnn.weight_ih_l0.shape[1] == len(ckpt.vocab) + N_FEATURES
    for strategy in ("greedy", "beam"):
        cfg = GenerateConfig(ckpt=str(chords_ckpt), n=2, length=24, strategy=strategy, out=str(tmp_path / strategy))
        assert len(generate(cfg)) == 2
    found = evaluate_checkpoint(chords_ckpt, n=4, length=24, out=str(tmp_path / "eval"), audio=False)
    assert found["condition"] == "chords" and found["realise"] == "line"
    stored = torch.load(chords_ckpt, weights_only=True)
    saver = next(k for k in stored["callbacks"] if "ModelCheckpoint" in k)
    val_loss = float(stored["callbacks"][saver]["best_model_score"])
    assert found["val_cross_entropy"] == pytest.approx(val_loss, rel=1e-4)


def test_a_no_chord_span_gives_no_chord_features():
    contexts = progression_contexts(Progression.parse("NC | C7"))
    over_nc, over_c7 = contexts[0], contexts[-1]
    assert [f for f in over_nc if f < NEXT_CHORD] == []  # nothing of a chord, not a root of C
    assert {f for f in over_c7 if CHORD <= f < NEXT_CHORD} == {0, 4, 7, 10, 12}  # C7's tones and root C
    assert [f for f in over_nc if NEXT_CHORD <= f < STEP] and [f for f in over_c7 if NEXT_CHORD <= f < STEP] == []


def test_the_tempo_is_a_thermometer_that_only_a_chords_tempo_model_hears():
    from jazz_solo.conditioning import CONDITION_FEATURES, multi_hot

    def contexts(bpm: float) -> list:
        return progression_contexts(Progression.parse("Dm7 G7 | Cmaj7", tempo=bpm))

    def tempo_of(context) -> list[int]:
        return [f - TEMPO for f in context if f >= TEMPO]

    assert {tuple(tempo_of(c)) for c in contexts(80)} == {()}  # slower than the first edge
    assert {tuple(tempo_of(c)) for c in contexts(130)} == {(0, 1)}  # 95 and 120 reached
    assert {tuple(tempo_of(c)) for c in contexts(320)} == {tuple(range(N_TEMPO_FEATURES - N_FEATURES))}
    assert transpose_context(contexts(130)[5], 5)[-2:] == (TEMPO, TEMPO + 1)  # a key change keeps the tempo
    slow, fast = (multi_hot(contexts(bpm), CONDITION_FEATURES["chords_tempo"]) for bpm in (80, 320))
    assert slow.shape[1] == N_TEMPO_FEATURES and torch.equal(slow[:, :N_FEATURES], fast[:, :N_FEATURES])
    assert slow[:, N_FEATURES:].sum() == 0 and bool(fast[:, N_FEATURES:].all())
    # a chords model hears the same at any tempo, as before the tempo features existed
    chords = CONDITION_FEATURES["chords"]
    assert torch.equal(multi_hot(contexts(80), chords), multi_hot(contexts(320), chords))


def test_a_tempo_conditioned_model_plays_differently_at_another_tempo_and_a_chords_model_does_not(
    chords_ckpt, tmp_path
):
    from conftest import tiny_train_config
    from jazz_solo.checkpoint import load_checkpoint
    from jazz_solo.conditioning import CONDITION_FEATURES
    from jazz_solo.corpus.encoding import encode_values
    from jazz_solo.evaluation.evaluate import evaluate_checkpoint
    from jazz_solo.generation import solos_for
    from jazz_solo.music.context import tempo_features
    from jazz_solo.training.fit import fit

    cfg = tiny_train_config(tmp_path / "train", tokenizer="pitch")
    cfg.model.condition = "chords_tempo"
    corpus = encode_values(cfg.data, "chords_tempo")  # each piece heard at its own tempo (120 to 176 bpm)
    heard = [{f for c in piece for f in corpus.context_keys[c] if f >= TEMPO} for piece in corpus.contexts]
    assert heard == [set(tempo_features(score.progression.tempo)) for score in corpus.scores]
    assert len({frozenset(h) for h in heard}) == 3  # from 120, 140 and 160 bpm
    tempo_ckpt = fit(cfg)
    ckpt = load_checkpoint(tempo_ckpt)
    assert ckpt.net.n_features == CONDITION_FEATURES["chords_tempo"] == N_TEMPO_FEATURES
    assert ckpt.net.rnn.weight_ih_l0.shape[1] == len(ckpt.vocab) + N_TEMPO_FEATURES

    def played(ckpt, bpm: float) -> list[float]:
        sampling = SamplingConfig(strategy="greedy", length=24, tempo=bpm)
        return [solo.log_prob for solo in solos_for(ckpt, sampling, 2)]

    assert played(ckpt, 125) != played(ckpt, 170)  # the 140 and 160 bpm features, both learnt
    # past the fastest training solo (176 bpm) the features of 180 bpm and up start silent and stay so
    assert played(ckpt, 170) == played(ckpt, 300)
    chords_only = load_checkpoint(chords_ckpt)
    assert played(chords_only, 80) == played(chords_only, 300)
    found = evaluate_checkpoint(tempo_ckpt, n=4, length=24, out=str(tmp_path / "eval"), audio=False)
    assert found["condition"] == "chords_tempo"
    stored = torch.load(tempo_ckpt, weights_only=True)
    saver = next(k for k in stored["callbacks"] if "ModelCheckpoint" in k)
    assert found["val_cross_entropy"] == pytest.approx(float(stored["callbacks"][saver]["best_model_score"]), rel=1e-4)
