"""The classifier two-sample test: near 1 for sets that differ, near 0.5 for one distribution, and why."""

from __future__ import annotations

import pytest

from jazz_solo.corpus.embedded import embedded_scores
from jazz_solo.evaluation.c2st import c2st_metrics
from jazz_solo.evaluation.metrics import Piece
from jazz_solo.evaluation.segment_features import FEATURE_NAMES, segment_features
from jazz_solo.music.chords import Progression
from jazz_solo.music.score import Note

RHYTHM = {f"onsets_at_{k}" for k in ("0", "1/4", "1/3", "1/2", "2/3", "3/4")}
RHYTHM |= {"onsets_off_grid", "strong_beats_struck", "iois_under_quarter_beat", "mean_log2_ioi", "spread_log2_ioi"}


def real_lines(seed: int = 0) -> list[Piece]:
    return [Piece(s.notes, s.progression) for s in embedded_scores(seed)]


def drifting(line: Piece) -> Piece:
    """The same notes, every other onset pushed off the beat grid (as a 1/3 after a 1/4 lands on 7/12)."""
    notes = [Note(n.start + 0.1 * (i % 2), n.duration, n.pitch) for i, n in enumerate(line.notes)]
    return Piece(notes, line.progression)


def test_features_of_a_known_segment():
    chords = Progression.parse("C7 | F7")
    notes = [Note(0, 1, 60), Note(1, 0.5, 64), Note(1.5, 0.5, 66), Note(4 + 1 / 3, 1, 72)]
    found = dict(zip(FEATURE_NAMES, segment_features(Piece(notes, chords), 8)))
    assert found["onsets_at_0"] == 0.5 and found["onsets_at_1/2"] == 0.25 and found["onsets_at_1/3"] == 0.25
    assert found["onsets_off_grid"] == 0 and found["strong_beats_struck"] == 0.25  # beats 1, 3 of bar 1, 2
    assert found["notes_per_beat"] == 0.5 and found["pitch_range"] == 12 and found["mean_pitch"] == 65.5
    assert found["chord_tones_on_beats"] == 1.0  # C, then E over C7
    assert found["steps"] == pytest.approx(1 / 3) and found["leaps"] == pytest.approx(1 / 3)
    assert found["longest_silence"] == pytest.approx(8 - 4 - 1 / 3 - 1) and found["phrases"] == 2
    assert found["silence"] == pytest.approx((2 + 1 / 3 + 8 - 5 - 1 / 3) / 8)
    off = dict(zip(FEATURE_NAMES, segment_features(Piece([Note(0.1, 1, 60), Note(1, 1, 62)], chords), 8)))
    assert off["onsets_off_grid"] == 0.5 and off["iois_under_quarter_beat"] == 0


def test_different_sets_are_told_apart_and_the_same_distribution_is_not():
    real = real_lines()
    far = c2st_metrics([drifting(p) for p in real[::2]], real[1::2], bars=4, seed=0)
    assert far["c2st_accuracy"] > 0.95 and far["c2st_auc"] > 0.95
    assert far["c2st_top1_feature"] in RHYTHM  # only the rhythm differs
    off_grid = [k for k in range(1, 6) if far[f"c2st_top{k}_feature"] == "onsets_off_grid"]
    if off_grid:  # the real segments never leave the grid; the drifting ones do half the time
        assert far[f"c2st_top{off_grid[0]}_real"] == 0 and far[f"c2st_top{off_grid[0]}_solos"] > 0.3
    same = c2st_metrics(real_lines(seed=7), real, bars=4, seed=0)
    assert 0.35 < same["c2st_accuracy"] < 0.65 and 0.35 < same["c2st_control_accuracy"] < 0.65
    assert far["c2st_reason"] is None and same["c2st_real_segments"] > 100
    assert c2st_metrics(real_lines(seed=7), real, bars=4, seed=0) == same  # seeded: the same figures again


def test_too_few_segments_give_nulls_and_a_reason():
    real = real_lines()
    found = c2st_metrics(real[:1], real[1:], bars=4)
    assert found["c2st_accuracy"] is None and found["c2st_top1_feature"] is None
    assert found["c2st_control_accuracy"] is not None
    assert "solos: 7 segments from 1 solos" in found["c2st_reason"]
    nothing = c2st_metrics([], real[:3], bars=4)
    assert nothing["c2st_accuracy"] is None and nothing["c2st_control_accuracy"] is None
    assert "held-out half 1" in nothing["c2st_reason"]


def test_a_held_out_set_too_small_to_halve_takes_its_control_from_the_training_split():
    real = real_lines()
    found = c2st_metrics(real[:3], real[3:5], bars=4, spare=real[5:])
    assert found["c2st_control_set"] == "training split" and found["c2st_reason"] is None
    assert c2st_metrics(real[:3], real[3:9], bars=4, spare=real[9:])["c2st_control_set"] == "held-out"


def test_segment_summary_gives_each_feature_for_both_sets_and_the_register_spread():
    real = real_lines()
    found = c2st_metrics([drifting(p) for p in real[::2]], real[1::2], bars=4, seed=0)
    assert found["heldout_segment_onsets_off_grid"] == 0 and found["segment_onsets_off_grid"] > 0.3
    assert set(FEATURE_NAMES) <= {k.removeprefix("segment_") for k in found if k.startswith("segment_")}
    # drifting moves onsets, not pitches: the register is that of its own half of the corpus
    low = [
        Piece([Note(n.start, n.duration, n.pitch - 12 * (i % 2)) for n in p.notes], p.progression)
        for i, p in enumerate(real[::2])
    ]
    spread = c2st_metrics(low, real[1::2], bars=4, seed=0)["segment_mean_pitch_spread"]
    assert spread > found["segment_mean_pitch_spread"] + 3  # half the solos an octave down: the register wanders


def test_the_verdict_says_how_far_in_words():
    from jazz_solo.evaluation.verdict import how_far

    words = [how_far(a) for a in (0.95, 0.8, 0.72, 0.661, 0.6)]
    assert words[0].startswith("far") and words[1] == "clearly apart" and words[2].startswith("close")
    assert words[3].startswith("near where experts stand") and words[4].startswith("as hard")
