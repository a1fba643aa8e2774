"""jazz_solo: improvise jazz solos with an LSTM (PyTorch Lightning + Hydra).

The Python API (details in jazz_solo/api.py)::

    import jazz_solo

    model = jazz_solo.load("outputs/train/<run>")       # a run folder (its best checkpoint) or a .ckpt file
    solos = model.generate(n=4, chords="Dm7 G7 | Cmaj7", strategy="sample", seed=1, bars=8)
    solos[0].write_midi("solo.mid")                      # the solo over its comping
    solos[0].write("solo.png")                           # .png piano roll, .wav sound, .musicxml
    metrics = jazz_solo.evaluate("outputs/train/<run>", n=200)   # writes the report, returns the metrics

`import jazz_solo` alone imports nothing heavy: torch and the rest load on the first call.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["load", "evaluate", "Model", "Solo"]


def load(ckpt, device: str = "cpu"):
    """The model of a checkpoint written by train.py, or of a run folder (its best checkpoint): a
    `jazz_solo.Model`, whose `.generate(n=..., chords=..., strategy=..., seed=...)` returns `jazz_solo.Solo`s."""
    from jazz_solo.api import load

    return load(ckpt, device)


def evaluate(ckpt, n: int = 200, out=None, **options) -> dict:
    """Evaluate a checkpoint as evaluate.py does: write the report folder `out` (default: evaluation/ in its run
    folder) and return the metrics (metrics.json's content); options: the other evaluate.py settings."""
    from jazz_solo.api import evaluate

    return evaluate(ckpt, n, out, **options)


def __getattr__(name: str):
    """`jazz_solo.Model` and `jazz_solo.Solo`, imported when first asked for."""
    if name in ("Model", "Solo"):
        from jazz_solo import api

        return getattr(api, name)
    raise AttributeError(f"module 'jazz_solo' has no attribute {name!r}")
