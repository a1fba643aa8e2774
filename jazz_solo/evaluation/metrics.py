"""Evaluation measures of notes and progressions as pure functions (numpy, no torch); the
measures of value sequences (prediction, n-gram baselines, originality) are in ngrams.py.

- music features per piece and their comparison between sets, the method of Yang & Lerch (2018),
  "On the evaluation of generative models in music" (MGEval): for each feature, the distances between
  pieces inside a set (intra-set) and across two sets (inter-set), then the overlap area and the KL
  divergence of their smoothed distributions;
- jazz measures: chord tones on the beat, notes inside the chord scale, chromatic notes resolving.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from jazz_solo.music.chords import ChordSpan, Progression
from jazz_solo.music.score import Note

# ---------------------------------------------------------------- pieces and music features


@dataclass
class Piece:
    """A solo line from time 0 (quarter notes) over the chords that sound under it."""

    notes: list[Note]  # sorted by onset
    progression: Progression  # looped past its end

    @property
    def end(self) -> float:
        return max((n.end for n in self.notes), default=0.0)


def segments(notes: list[Note], progression: Progression, bars: int, start: float = 0.0, end: float | None = None):
    """The line between `start` and `end` cut into non-overlapping `bars`-bar Pieces, each shifted to time 0.

    `start` should be on a bar line; pieces without notes and a last, shorter piece are left out.
    """
    length = bars * progression.beats_per_bar
    end = max((n.end for n in notes), default=0.0) if end is None else end
    pieces = []
    t = start
    while t + length <= end + 1e-9:
        inside = [Note(n.start - t, min(n.end, t + length) - n.start, n.pitch, n.velocity) for n in notes]
        inside = [n for n in inside if 0 <= n.start < length]
        spans = [
            ChordSpan(max(s.start, t) - t, min(s.end, t + length) - max(s.start, t), s.chord)
            for s in progression.looped(t + length)
            if s.end > t
        ]
        if inside:
            pieces.append(Piece(inside, Progression(spans, progression.tempo, progression.beats_per_bar)))
        t += length
    return pieces


# Note lengths and inter-onset intervals in quarter notes: sixteenth, eighth triplet, eighth, swung
# eighth (2/3), dotted eighth, quarter, quarter triplet ... whole note; a time goes to the nearest class
# on a log scale, anything longer to the last.
DURATION_CLASSES = np.array([1 / 4, 1 / 3, 1 / 2, 2 / 3, 3 / 4, 1, 4 / 3, 3 / 2, 2, 3, 4])
DURATION_LABELS = ["1/4", "1/3", "1/2", "2/3", "3/4", "1", "4/3", "3/2", "2", "3", "4+"]
MAX_INTERVAL = 12  # interval histogram: 0 .. 12 semitones, then one bin for larger leaps
INTERVAL_LABELS = [str(i) for i in range(MAX_INTERVAL + 1)] + [f">{MAX_INTERVAL}"]


def _normalised(counts: np.ndarray) -> np.ndarray:
    total = counts.sum()
    return counts / total if total > 0 else counts.astype(float)


def _duration_histogram(times: np.ndarray) -> np.ndarray:
    times = times[times > 0]
    nearest = np.abs(np.log(times[:, None]) - np.log(DURATION_CLASSES[None, :])).argmin(axis=1)
    return _normalised(np.bincount(nearest, minlength=len(DURATION_CLASSES)).astype(float))


def _pitches(piece: Piece) -> np.ndarray:
    return np.array([n.pitch for n in piece.notes], dtype=int)


def pitch_count_per_bar(piece: Piece) -> np.ndarray:
    """Mean number of distinct pitches per bar, over the bars up to the last note (empty bars count 0)."""
    bar_length = piece.progression.beats_per_bar
    n_bars = max(1, int(np.ceil(piece.end / bar_length - 1e-9)))
    per_bar: list[set[int]] = [set() for _ in range(n_bars)]
    for note in piece.notes:
        per_bar[min(int(note.start // bar_length), n_bars - 1)].add(note.pitch)
    return np.array([np.mean([len(p) for p in per_bar]) if piece.notes else 0.0])


def pitch_class_histogram(piece: Piece) -> np.ndarray:
    """Share of notes per pitch class C .. B: (12,)."""
    return _normalised(np.bincount(_pitches(piece) % 12, minlength=12).astype(float))


def pitch_range(piece: Piece) -> np.ndarray:
    """Highest minus lowest pitch, semitones."""
    pitches = _pitches(piece)
    return np.array([float(pitches.max() - pitches.min()) if len(pitches) else 0.0])


def mean_abs_interval(piece: Piece) -> np.ndarray:
    """Mean absolute interval between consecutive notes, semitones."""
    steps = np.abs(np.diff(_pitches(piece)))
    return np.array([float(steps.mean()) if len(steps) else 0.0])


def interval_histogram(piece: Piece) -> np.ndarray:
    """Share of consecutive-note absolute intervals 0 .. 12 semitones and larger: (14,)."""
    steps = np.minimum(np.abs(np.diff(_pitches(piece))), MAX_INTERVAL + 1)
    return _normalised(np.bincount(steps, minlength=MAX_INTERVAL + 2).astype(float))


def ioi_histogram(piece: Piece) -> np.ndarray:
    """Share of inter-onset intervals per duration class: (11,)."""
    return _duration_histogram(np.diff([n.start for n in piece.notes]))


def note_length_histogram(piece: Piece) -> np.ndarray:
    """Share of note lengths per duration class: (11,)."""
    return _duration_histogram(np.array([n.duration for n in piece.notes], dtype=float))


def rest_ratio(piece: Piece) -> np.ndarray:
    """Share of the time from 0 to the last note's end during which no note sounds."""
    if not piece.notes or piece.end <= 0:
        return np.array([1.0])
    sounding, covered_to = 0.0, 0.0
    for note in sorted(piece.notes, key=lambda n: n.start):
        lo = max(note.start, covered_to)
        if note.end > lo:
            sounding += note.end - lo
            covered_to = note.end
    return np.array([1.0 - sounding / piece.end])


FEATURES: dict[str, Callable[[Piece], np.ndarray]] = {
    "pitch_count_per_bar": pitch_count_per_bar,
    "pitch_class_histogram": pitch_class_histogram,
    "pitch_range": pitch_range,
    "mean_abs_interval": mean_abs_interval,
    "interval_histogram": interval_histogram,
    "ioi_histogram": ioi_histogram,
    "note_length_histogram": note_length_histogram,
    "rest_ratio": rest_ratio,
}
SCALAR_FEATURES = ("pitch_count_per_bar", "pitch_range", "mean_abs_interval", "rest_ratio")


def feature_matrix(pieces: Sequence[Piece], name: str) -> np.ndarray:
    """One feature for every piece: (n_pieces, feature size)."""
    return np.stack([FEATURES[name](piece) for piece in pieces]) if pieces else np.zeros((0, 1))


# ---------------------------------------------------------------- comparing sets (MGEval)


def intra_distances(features: np.ndarray) -> np.ndarray:
    """Euclidean distances between all pairs of different pieces of one set: (n (n - 1) / 2,)."""
    i, j = np.triu_indices(len(features), k=1)
    return np.linalg.norm(features[i] - features[j], axis=1)


def inter_distances(features: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Euclidean distances from every piece of one set to every piece of another: (n * m,)."""
    return np.linalg.norm(features[:, None, :] - reference[None, :, :], axis=2).ravel()


GRID_POINTS = 512


def _scott(samples: np.ndarray) -> float:
    """Scott's rule bandwidth for a Gaussian kernel (0 for a constant sample)."""
    return float(samples.std()) * len(samples) ** (-1 / 5)


def _density(samples: np.ndarray, grid: np.ndarray, bandwidth: float) -> np.ndarray:
    """Gaussian kernel density on an even grid: samples binned onto the grid, then smoothed (a convolution)."""
    step = grid[1] - grid[0]
    counts = np.bincount(np.rint((samples - grid[0]) / step).astype(int), minlength=len(grid))[: len(grid)]
    offsets = np.arange(-(len(grid) - 1), len(grid)) * step
    kernel = np.exp(-0.5 * (offsets / bandwidth) ** 2)
    density = np.convolve(counts, kernel)[len(grid) - 1 : 2 * len(grid) - 1]
    return density / (density.sum() * step)


def overlap_and_kl(p_samples: np.ndarray, q_samples: np.ndarray) -> tuple[float, float]:
    """Overlap area of the smoothed distributions of two samples (1: the same, 0: disjoint), and KL(p || q) in nats."""
    lo, hi = float(min(p_samples.min(), q_samples.min())), float(max(p_samples.max(), q_samples.max()))
    bw_p, bw_q = _scott(p_samples), _scott(q_samples)
    pad = 4 * max(bw_p, bw_q, (hi - lo) / 100, 1e-6 * max(1.0, abs(hi)))
    grid = np.linspace(lo - pad, hi + pad, GRID_POINTS)
    step = grid[1] - grid[0]
    # A kernel narrower than two grid steps would fall between grid points (and a constant sample has none).
    bw_p, bw_q = max(bw_p, 2 * step), max(bw_q, 2 * step)
    p, q = _density(p_samples, grid, bw_p), _density(q_samples, grid, bw_q)
    overlap = float(np.minimum(p, q).sum() * step)
    tiny = 1e-12 * max(p.max(), q.max())  # where q has no mass at all the divergence is large, not infinite
    kl = float(np.sum(p * np.log((p + tiny) / (q + tiny))) * step)
    return min(overlap, 1.0), max(kl, 0.0)


@dataclass
class SetComparison:
    """One feature of a set against a reference set: the MGEval distance distributions and their agreement."""

    intra_reference: np.ndarray  # distances inside the reference set
    intra: np.ndarray  # distances inside the compared set
    inter: np.ndarray  # distances from the compared set to the reference set
    overlap: float | None  # overlap area of intra_reference and inter (None: too few pieces)
    kl: float | None  # KL(intra_reference || inter), nats


def compare_sets(features: np.ndarray, reference: np.ndarray) -> SetComparison:
    """features (n, d) of the compared set, reference (m, d): does the set sit where the reference sits?

    The inter-set distances should look like the reference's own intra-set distances: a set drawn from
    the same distribution as the reference gives an overlap near 1 and a KL divergence near 0.
    """
    intra_reference, intra = intra_distances(reference), intra_distances(features)
    inter = inter_distances(features, reference)
    if len(intra_reference) < 2 or len(inter) < 2:
        return SetComparison(intra_reference, intra, inter, None, None)
    overlap, kl = overlap_and_kl(intra_reference, inter)
    return SetComparison(intra_reference, intra, inter, overlap, kl)


# ---------------------------------------------------------------- jazz measures


def _on_beat(time: float) -> bool:
    return abs(time - round(time)) < 1e-6


def jazz_shares(pieces: Sequence[Piece]) -> dict[str, float | None]:
    """Pooled over all notes of all pieces (None where no note qualifies):

    chord_tone_share: of the notes that start on a beat, the share whose pitch class is a tone of the
        chord sounding then;
    scale_share: of all notes, the share inside that chord's scale (chord tones included);
    approach_resolution_share: of the chromatic notes (outside the chord scale), the share followed by a
        note a half step away that is a tone of its own chord.
    """
    on_beat = chord_tones = notes = in_scale = chromatic = resolved = 0
    for piece in pieces:
        for note, nxt in zip(piece.notes, piece.notes[1:] + [None]):
            chord = piece.progression.chord_at(note.start)
            pc = note.pitch % 12
            notes += 1
            if _on_beat(note.start):
                on_beat += 1
                chord_tones += pc in chord.pitch_classes
            if pc in chord.scale:
                in_scale += 1
                continue
            chromatic += 1
            if nxt is not None and abs(nxt.pitch - note.pitch) == 1:
                resolved += nxt.pitch % 12 in piece.progression.chord_at(nxt.start).pitch_classes

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    return {
        "chord_tone_share": share(chord_tones, on_beat),
        "scale_share": share(in_scale, notes),
        "approach_resolution_share": share(resolved, chromatic),
    }
