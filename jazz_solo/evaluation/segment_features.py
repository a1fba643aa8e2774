"""Musical features of one segment of a few bars: what a classifier looks at to tell two sets of lines apart.

Each feature is one number, chosen so a difference can be said in words ("a third of the onsets fall
off the beat grid"): rhythm on the 1/4 + 1/3 beat grid the corpora are read on, note lengths and
inter-onset intervals, pitch level and spread, intervals, the chord under the note, rests and phrases.
Times are in beats (quarter notes); NaN where no note qualifies (a segment with no note on a beat has
no chord-tone share).
"""

from __future__ import annotations

import numpy as np

from jazz_solo.evaluation.metrics import Piece

# Onset positions inside the beat that the 1/4 + 1/3 grid reaches; anything else is off the grid.
GRID = {"0": 0.0, "1/4": 1 / 4, "1/3": 1 / 3, "1/2": 1 / 2, "2/3": 2 / 3, "3/4": 3 / 4}
ON_GRID = 1e-3  # beats: onsets this close to a grid position are on it
PHRASE_GAP = 1.0  # beats of silence that end a phrase
FEATURE_NAMES = (
    *(f"onsets_at_{label}" for label in GRID),  # share of onsets at each grid position in the beat
    "onsets_off_grid",
    "strong_beats_struck",  # share of the strong beats (1 and 3 in 4/4) with an onset
    "notes_per_beat",
    "mean_log2_length",
    "spread_log2_length",
    "mean_log2_ioi",
    "spread_log2_ioi",
    "iois_under_quarter_beat",  # 1/6 and 1/12 of a beat: the shortest notes
    "mean_pitch",
    "pitch_spread",  # standard deviation, semitones
    "pitch_range",
    "mean_abs_interval",
    "repeats",  # share of intervals: 0 semitones
    "steps",  # 1 or 2
    "leaps",  # 5 or more
    "rising",  # share of the intervals that go up
    "chord_tones_on_beats",  # of the notes struck on a beat, the share in the chord under them
    "inside_scale",  # of all notes, the share inside the chord's scale
    "silence",  # share of the segment in which no note sounds
    "longest_silence",  # beats
    "phrases",  # runs of notes separated by PHRASE_GAP or more of silence
)


def _share(mask: np.ndarray) -> float:
    return float(mask.mean()) if len(mask) else float("nan")


def _strong_beats(beats_per_bar: int) -> list[int]:
    return [0, beats_per_bar // 2] if beats_per_bar % 2 == 0 and beats_per_bar > 2 else [0]


def segment_features(piece: Piece, length: float) -> np.ndarray:
    """The features of a segment `length` beats long, starting on a bar line at 0 and holding a note:
    (len(FEATURE_NAMES),)."""
    notes = sorted(piece.notes, key=lambda n: n.start)
    starts = np.array([n.start for n in notes])
    ends = np.minimum([n.end for n in notes], length)
    pitches = np.array([n.pitch for n in notes], dtype=float)
    in_beat = starts % 1.0
    at = {k: np.abs(in_beat - p) < ON_GRID for k, p in GRID.items()}
    at["0"] |= np.abs(in_beat - 1) < ON_GRID  # just below the next beat
    off_grid = ~np.any(list(at.values()), axis=0)
    bar = piece.progression.beats_per_bar
    strong = [b + s for b in np.arange(0, length, bar) for s in _strong_beats(bar)]
    struck = np.array([np.any(np.abs(starts - beat) < ON_GRID) for beat in strong])
    lengths, iois, steps = np.log2(np.maximum(ends - starts, 1e-3)), np.diff(starts), np.diff(pitches)
    chords = [piece.progression.chord_at(n.start) for n in notes]
    chord_tones = np.array([n.pitch % 12 in c.pitch_classes for n, c, a in zip(notes, chords, at["0"]) if a])
    in_scale = np.array([n.pitch % 12 in c.scale for n, c in zip(notes, chords)])
    gaps = _silences(starts, ends, length)
    return np.array(
        [
            *(_share(a) for a in at.values()),
            _share(off_grid),
            _share(struck),
            len(notes) / length,
            lengths.mean(),
            lengths.std(),
            *_log_stats(iois),
            _share(iois < 1 / 4 - ON_GRID),
            pitches.mean(),
            pitches.std(),
            pitches.max() - pitches.min(),
            float(np.abs(steps).mean()) if len(steps) else float("nan"),
            _share(steps == 0),
            _share((np.abs(steps) >= 1) & (np.abs(steps) <= 2)),
            _share(np.abs(steps) >= 5),
            _share(steps > 0),
            _share(chord_tones),
            _share(in_scale),
            gaps.sum() / length,
            gaps.max(),
            1 + int((gaps[1:-1] >= PHRASE_GAP).sum()),
        ],
        dtype=float,
    )


def _log_stats(times: np.ndarray) -> list[float]:
    """Mean and spread of log2 of the positive times (NaN for none)."""
    logs = np.log2(times[times > 0])
    return [float(logs.mean()), float(logs.std())] if len(logs) else [float("nan")] * 2


def _silences(starts: np.ndarray, ends: np.ndarray, length: float) -> np.ndarray:
    """The silent stretches of a segment, beats: before the first note, after each note, after the last."""
    covered = np.maximum.accumulate(ends)  # a long note covers the short ones struck under it
    return np.maximum(np.concatenate([[starts[0]], starts[1:] - covered[:-1], [length - covered[-1]]]), 0.0)
