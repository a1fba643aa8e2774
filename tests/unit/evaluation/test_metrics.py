"""The evaluation measures on inputs whose answers are known."""

from __future__ import annotations

import random

import numpy as np
import pytest

from jazz_solo.corpus.embedded import embedded_scores
from jazz_solo.evaluation import metrics as M
from jazz_solo.evaluation import ngrams
from jazz_solo.music.chords import Progression
from jazz_solo.music.score import Note


def corpus_pieces(bars: int = 8) -> list[M.Piece]:
    return [p for s in embedded_scores() for p in M.segments(s.notes, s.progression, bars)]


def line(pitches: list[int], step: float = 0.5, chords: str = "Cmaj7") -> M.Piece:
    return M.Piece([Note(i * step, step, p) for i, p in enumerate(pitches)], Progression.parse(chords))


def test_the_corpus_against_itself_overlaps_near_one():
    pieces = corpus_pieces()
    one_note = [line([60] * 16) for _ in range(20)]
    for name in M.FEATURES:
        corpus = M.feature_matrix(pieces, name)
        same = M.compare_sets(corpus, corpus)
        assert same.overlap > 0.95 and same.kl < 0.05, name
        # Two halves of the corpus are further apart than the corpus from itself, but still close.
        halves = M.compare_sets(corpus[1::2], corpus[::2])
        assert 0.85 < halves.overlap <= same.overlap + 0.01, name
    # A set of one-note solos sits far from the corpus in pitch and close to it in nothing pitched.
    for name in ("pitch_range", "pitch_class_histogram", "interval_histogram", "pitch_count_per_bar"):
        far = M.compare_sets(M.feature_matrix(one_note, name), M.feature_matrix(pieces, name))
        assert far.overlap < 0.2 and far.kl > 1.0, name


def test_one_repeated_note_gives_the_extremes():
    piece = line([60] * 16)  # sixteen eighths of middle C: two bars
    feature = {name: fn(piece) for name, fn in M.FEATURES.items()}
    assert feature["pitch_range"][0] == 0 and feature["mean_abs_interval"][0] == 0
    assert feature["pitch_count_per_bar"][0] == 1
    assert np.count_nonzero(feature["pitch_class_histogram"]) == 1 and feature["pitch_class_histogram"][0] == 1
    assert feature["interval_histogram"][0] == 1  # every interval is a unison
    eighth = M.DURATION_LABELS.index("1/2")
    assert feature["ioi_histogram"][eighth] == 1 and feature["note_length_histogram"][eighth] == 1
    assert feature["rest_ratio"][0] == 0


def test_features_on_a_known_line():
    # C E G C' with a quarter rest after E: range 12, intervals 4, 3, 5, one pitch per bar slot.
    notes = [Note(0, 1, 60), Note(1, 1, 64), Note(3, 1, 67), Note(4, 1, 72)]
    piece = M.Piece(notes, Progression.parse("C | C"))
    assert M.pitch_range(piece)[0] == 12
    assert M.mean_abs_interval(piece)[0] == pytest.approx(4.0)
    assert M.rest_ratio(piece)[0] == pytest.approx(1 / 5)
    assert M.pitch_count_per_bar(piece)[0] == pytest.approx(2.0)  # bar 1: C E G, bar 2: C'
    assert M.interval_histogram(piece)[[3, 4, 5]].tolist() == pytest.approx([1 / 3] * 3)
    ioi = M.ioi_histogram(piece)
    assert ioi[M.DURATION_LABELS.index("1")] == pytest.approx(2 / 3)
    assert ioi[M.DURATION_LABELS.index("2")] == pytest.approx(1 / 3)


def test_segments_are_whole_bars_shifted_to_zero_over_their_own_chords():
    progression = Progression.parse("Dm7 | G7 | Cmaj7 | A7")
    notes = [Note(float(t), 1.0, 60 + t % 12) for t in range(16)]
    first, second = M.segments(notes, progression, bars=2)
    assert [n.pitch for n in second.notes] == [68, 69, 70, 71, 60, 61, 62, 63]
    assert second.notes[0].start == 0
    assert [s.chord.symbol for s in second.progression.spans] == ["Cmaj7", "A7"]
    assert second.progression.chord_at(4.5).symbol == "A7"
    assert len(M.segments(notes, progression, bars=3)) == 1  # the last, shorter piece is left out


def test_jazz_shares_on_known_lines():
    dm7 = Progression.parse("Dm7")
    # D F A C on the beats (chord tones), then C# off the beat resolving up a half step to D.
    good = M.Piece([Note(0, 1, 62), Note(1, 1, 65), Note(2, 1, 69), Note(3, 0.5, 60), Note(3.5, 0.5, 61),
                    Note(4, 1, 62)], dm7)  # fmt: skip
    assert M.jazz_shares([good]) == {
        "chord_tone_share": 1.0,
        "scale_share": pytest.approx(5 / 6),
        "approach_resolution_share": 1.0,
    }
    # G# (outside the scale) on a beat leaping to E (a scale tone, not a chord tone), also on a beat.
    bad = M.Piece([Note(0, 1, 68), Note(1, 1, 64)], dm7)
    assert M.jazz_shares([good, bad]) == {
        "chord_tone_share": pytest.approx(5 / 7),
        "scale_share": pytest.approx(6 / 8),
        "approach_resolution_share": pytest.approx(1 / 2),
    }
    assert M.jazz_shares([line([62, 64, 65, 67])])["approach_resolution_share"] is None  # no chromatic note


def test_bigram_perplexity_on_a_deterministic_cycle_is_one():
    cycle = [0, 3, 1, 4, 2] * 400
    train, val = [cycle], [cycle[:200]]
    windows = np.array([val[0][s : s + 11] for s in range(0, 190)])
    previous, targets = windows[:, :-1].ravel(), windows[:, 1:].ravel()
    bigram = ngrams.ngram_scores(ngrams.bigram_log_probs(train, 5), previous, targets)
    unigram = ngrams.ngram_scores(ngrams.unigram_log_probs(train, 5), previous, targets)
    assert bigram["perplexity"] == pytest.approx(1.0, abs=0.01) and bigram["accuracy"] == 1
    assert unigram["perplexity"] == pytest.approx(5.0, rel=0.01)
    # Add-one smoothing: a transition never seen still gets probability, so nothing is infinite.
    assert np.isfinite(
        ngrams.ngram_scores(ngrams.bigram_log_probs(train, 6), np.array([5]), np.array([0]))["perplexity"]
    )


def test_originality_flags_copies_and_not_unseen_values():
    rng = random.Random(0)
    corpus = [[rng.randrange(30) for _ in range(200)] for _ in range(3)]
    copy = corpus[1][50:114]
    found = ngrams.originality([copy], corpus)
    assert found["longest_copied_run"] == 64 and found["copied_8gram_share"] == 1
    unseen = list(range(100, 164))
    rng.shuffle(unseen)
    found = ngrams.originality([unseen], corpus)
    assert found["copied_8gram_share"] == 0 and found["longest_copied_run"] == 0
    # A 10-value quote inside new material: 3 of its 6 8-grams are copied; runs never cross pieces.
    quoted = [100, 101] + corpus[0][3:13] + [102]
    found = ngrams.originality([quoted], corpus)
    assert found["longest_copied_run"] == 10 and found["copied_8gram_share"] == pytest.approx(3 / 6)
    assert ngrams.copied_run_lengths([7, 8], [[5, 6, 7], [8, 9]]).tolist() == [1, 1]


def test_overlap_and_kl_of_same_and_disjoint_samples():
    rng = np.random.default_rng(0)
    a, b = rng.normal(0, 1, 2000), rng.normal(0, 1, 2000)
    overlap, kl = M.overlap_and_kl(a, b)
    assert overlap > 0.93 and kl < 0.02
    overlap, kl = M.overlap_and_kl(a, b + 20)
    assert overlap < 0.01 and kl > 10
    assert M.overlap_and_kl(np.zeros(5), np.zeros(7)) == pytest.approx((1.0, 0.0))
