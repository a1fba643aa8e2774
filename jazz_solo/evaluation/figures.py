"""The evaluation's figures: histograms of sets side by side, distributions of distances (matplotlib, headless)."""

from __future__ import annotations

import numpy as np

from jazz_solo.music.pianoroll import plt


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
