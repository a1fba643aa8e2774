"""The Python API that `import jazz_solo` offers: load a checkpoint, improvise solos, write, render, evaluate.

    import jazz_solo

    model = jazz_solo.load("outputs/train/<run>")   # or a shipped model: jazz_solo.load("pretrained:wjazzd")
    (solo,) = model.generate(chords="Dm7 G7 | Cmaj7", strategy="sample", seed=3, bars=8)
    solo.write_midi("solo.mid")
    solo.write("solo.png")   # .png, .wav, .musicxml or .mid, as the suffix says

What `generate.py` and `evaluate.py` do, without files of settings: the same checks, the same solos
from the same settings and seeds. Imports neither Lightning nor wandb.
"""

from __future__ import annotations

import os
from pathlib import Path

from jazz_solo.checkpoint import Checkpoint, load_checkpoint, resolve_checkpoint
from jazz_solo.config import GenerateConfig
from jazz_solo.generation import progression_for, solos_for
from jazz_solo.music.chords import Progression
from jazz_solo.music.solo import Solo


class Model:
    """A trained checkpoint, ready to improvise (see `jazz_solo.load`)."""

    def __init__(self, path: Path, checkpoint: Checkpoint, device: str):
        self.path, self.checkpoint, self.device = path, checkpoint, device

    @property
    def progression(self) -> Progression:
        """The progression the checkpoint plays over unless told otherwise (its training piece's chords)."""
        return progression_for(self.checkpoint)

    def generate(
        self, n: int = 1, chords: str | None = None, strategy: str = "greedy", seed: int = 0, **sampling
    ) -> list[Solo]:
        """n solos, as `generate.py` with these settings makes them (see `generate.py --help`).

        chords: a progression such as "Dm7 G7 | Cmaj7" (bars split by `|`), or a .mid file's chords; None:
        the checkpoint's. strategy: greedy, sample, top_k, top_p or beam. Solo i has seed `seed + i`.
        sampling: the other fields of config.SamplingConfig, by keyword: length (values per solo), or bars
        or choruses (the solos' length in time instead: cut there, the progression repeating as needed);
        temperature, top_k, top_p, beam_width, tempo, realise, grid. A bad setting raises JazzSoloError saying which.
        """
        cfg = GenerateConfig(
            ckpt=str(self.path), n=n, chords=chords, strategy=strategy, seed=seed, device=self.device, **sampling
        )
        return solos_for(self.checkpoint, cfg, n, self.device)


def load(ckpt: str | os.PathLike, device: str = "cpu") -> Model:
    """The model of a checkpoint written by train.py, of a run folder (its best checkpoint), or a model shipped
    with the package: "pretrained:NAME" (jazz_solo.pretrained.available() lists them)."""
    return Model(resolve_checkpoint(ckpt), load_checkpoint(ckpt, device), device)


def evaluate(ckpt: str | os.PathLike, n: int = 200, out: str | os.PathLike | None = None, **options) -> dict:
    """Evaluate a checkpoint (or run folder) as `evaluate.py` does: write the report folder `out` (default:
    evaluation/ in its run folder) and return metrics.json's content. options: the other evaluate.py
    settings (strategy, temperature, seed, segment_bars, overwrite, audio, ...; `evaluate.py --help`)."""
    from jazz_solo.evaluation.evaluate import evaluate_checkpoint  # imports the training corpus's reader

    return evaluate_checkpoint(ckpt, n=n, out=None if out is None else str(out), **options)
