"""A solo as a picture: a piano roll over its chords that reads like a lead sheet (matplotlib, headless)."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first
import numpy as np  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from jazz_solo.atomic import atomic_file  # noqa: E402
from jazz_solo.music.chords import Progression  # noqa: E402
from jazz_solo.music.notation import key_fifths, name  # noqa: E402
from jazz_solo.music.score import Note  # noqa: E402

BLACK_KEYS = (1, 3, 6, 8, 10)  # pitch classes
BARS_PER_ROW = 8  # a piano roll's bars per row (system)
CHORD_STYLE = {"fontsize": 9, "fontweight": "bold", "va": "bottom", "ha": "left"}  # chord symbols over the roll
SEMITONE = 0.11  # inches a pitch row takes: room for its name at LABEL_SIZE points
LABEL_SIZE = 6.5


def save_figure(fig, path: str | os.PathLike) -> Path:
    """Save a figure as PNG atomically and close it."""
    try:
        with atomic_file(path) as out:
            fig.savefig(out, format="png", dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return Path(path)


def piano_roll_figure(notes: list[Note], progression: Progression, title: str = "", end: float = 0.0):
    """A solo as a piano roll that reads like a lead sheet: systems of up to BARS_PER_ROW bars, bar lines
    and numbers, a line at each beat, chord symbols over their spans (the progression looped to the
    solo's length), every pitch named up the side in the accidentals of the row's changes (sharps under
    F#m7b5 B7 Em7, flats under Bb7 Eb7).

    Times are in quarter notes; the bars are the progression's (`beats_per_bar` quarter notes each). The
    roll lasts to the end of the bar of the last note or of `end` (a solo may end in a rest), whichever is later.
    """
    bar = progression.beats_per_bar
    bars = max(1, int(-(-max(end, max((n.end for n in notes), default=bar)) // bar)))
    rows = -(-bars // BARS_PER_ROW)
    per_row = -(-bars // rows)  # rows as even as they can be: 10 bars are 5 + 5, not 8 + 2
    low, high = (min(n.pitch for n in notes) - 2, max(n.pitch for n in notes) + 2) if notes else (58, 74)
    row_height = 1.2 + SEMITONE * (high - low)
    fig, axes = plt.subplots(rows, 1, figsize=(3.0 + 1.6 * per_row, 0.8 + row_height * rows))
    axes = np.atleast_1d(axes)
    spans = progression.looped(bars * bar)
    for row, ax in enumerate(axes):
        first = row * per_row
        start, stop = first * bar, min(bars, first + per_row) * bar
        for pitch in range(low, high + 1):  # the black keys' rows shaded, as on a keyboard
            if pitch % 12 in BLACK_KEYS:
                ax.axhspan(pitch - 0.5, pitch + 0.5, color="0.93", zorder=0)
        for n in notes:
            if n.end > start and n.start < stop:
                box = Rectangle((n.start, n.pitch - 0.4), n.duration, 0.8, color="tab:red", alpha=0.85, zorder=3)
                ax.add_patch(box)
        ax.set_xlim(start, start + per_row * bar)  # the last row too, then cut to its bars (below)
        ax.set_ylim(low - 0.5, high + 0.5)

        # bar lines with their numbers, a lighter line at each beat
        bar_lines = range(start, stop + 1, bar)
        ax.set_xticks(list(bar_lines), [str(t // bar + 1) for t in bar_lines[:-1]] + [""])
        ax.tick_params(axis="x", length=0, labelsize=8)
        for t in range(start, stop + 1):
            strong = t % bar == 0
            ax.axvline(t, color="0.3" if strong else "0.82", linewidth=1.1 if strong else 0.6, zorder=1)

        # every pitch named up the side, with the accidentals of the key this row's chords imply
        fifths = key_fifths(Progression([s for s in spans if start <= s.start < stop], progression.tempo, bar))
        ax.set_yticks(range(low, high + 1), [name(p, None, fifths) for p in range(low, high + 1)], fontsize=LABEL_SIZE)
        ax.tick_params(axis="y", length=0)

        # chord symbols over their spans, just above the row
        for span in spans:
            if start <= span.start < stop:
                ax.text(span.start + 0.08, 1.01, span.chord.symbol, transform=ax.get_xaxis_transform(), **CHORD_STYLE)
        ax.spines["top"].set_visible(False)
    axes[-1].set_xlabel(f"bar ({bar}/4 at {progression.tempo:g} bpm; light lines: beats)")
    fig.suptitle(" - ".join(filter(None, [progression.title, title])) or "solo", fontsize=10)  # the tune first
    fig.tight_layout(h_pad=2.0)
    last = axes[-1].get_position()  # a shorter last row ends where its last bar does: no empty bar after the solo
    shown_bars = bars - (rows - 1) * per_row
    axes[-1].set_position([last.x0, last.y0, last.width * shown_bars / per_row, last.height])
    axes[-1].set_xlim((rows - 1) * per_row * bar, bars * bar)
    return fig


def save_piano_roll(
    notes: list[Note], progression: Progression, path: str | os.PathLike, title: str = "", end: float = 0.0
) -> Path:
    return save_figure(piano_roll_figure(notes, progression, title, end), path)
