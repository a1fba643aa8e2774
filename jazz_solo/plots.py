"""Pictures to look at: piano rolls of a solo over its comping, histograms of sets (matplotlib, headless)."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first
import numpy as np  # noqa: E402
import pretty_midi  # noqa: E402

from jazz_solo.atomic import atomic_file  # noqa: E402


def save_figure(fig, path: str | os.PathLike) -> Path:
    """Save a figure as PNG atomically and close it."""
    try:
        with atomic_file(path) as out:
            fig.savefig(out, format="png", dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return Path(path)


def piano_roll_figure(pm: pretty_midi.PrettyMIDI, title: str = ""):
    """Notes as bars (time in seconds, MIDI pitch): the first instrument (the solo) on top in colour."""
    fig, ax = plt.subplots(figsize=(12, 4))
    for index, inst in enumerate(pm.instruments):
        colour, alpha = ("tab:red", 0.9) if index == 0 else ("tab:gray", 0.35)
        for note in inst.notes:
            ax.broken_barh([(note.start, note.end - note.start)], (note.pitch - 0.4, 0.8), color=colour, alpha=alpha)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("MIDI pitch")
    ax.set_title(title or "piano roll (red: solo, grey: comping)")
    ax.grid(axis="y", alpha=0.2)
    return fig


def save_piano_roll(pm: pretty_midi.PrettyMIDI, path: str | os.PathLike, title: str = "") -> Path:
    return save_figure(piano_roll_figure(pm, title), path)


def histograms_figure(series: dict[str, np.ndarray], labels: list[str], title: str, xlabel: str):
    """Histograms of several sets side by side: series maps a set's name to its shares, one per label."""
    fig, ax = plt.subplots(figsize=(10, 3.5))
    width = 0.8 / max(1, len(series))
    positions = np.arange(len(labels))
    for k, (name, shares) in enumerate(series.items()):
        ax.bar(positions + (k - (len(series) - 1) / 2) * width, shares, width, label=name)
    ax.set_xticks(positions, labels)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("share")
    ax.set_title(title)
    ax.legend()
    return fig


def distances_figure(panels: dict[str, dict[str, np.ndarray]], title: str = ""):
    """One panel per feature: the distribution of each named array of distances (density histograms)."""
    columns = 4
    rows = -(-len(panels) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4 * columns, 3 * rows), squeeze=False)
    for ax, (feature, curves) in zip(axes.flat, panels.items()):
        for name, distances in curves.items():
            if len(distances):
                ax.hist(distances, bins=40, density=True, histtype="step", linewidth=1.5, label=name)
        ax.set_title(feature, fontsize=10)
        ax.set_xlabel("distance")
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
