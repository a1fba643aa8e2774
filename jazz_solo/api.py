"""The Python API that `import jazz_solo` offers: load a checkpoint, improvise solos, write, render, evaluate.

    import jazz_solo

    model = jazz_solo.load("outputs/train/<run>")
    (solo,) = model.generate(chords="Dm7 G7 | Cmaj7", strategy="sample", seed=3, bars=8)
    solo.write_midi("solo.mid")
    solo.render("solo.png")

What `generate.py` and `evaluate.py` do, without files of settings: the same checks, the same solos
from the same settings and seeds. Imports neither Lightning nor wandb.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from jazz_solo.checkpoint import Checkpoint, load_checkpoint, resolve_checkpoint
from jazz_solo.config import GenerateConfig
from jazz_solo.generation import backing_for, solos_for, write_solo
from jazz_solo.music.chords import Progression
from jazz_solo.music.score import Note


@dataclass
class Solo:
    """An improvised solo over its progression.

    values: the model's values, the first (the primer) drawn from the corpus's value frequencies;
    notes: the values realised as notes over the progression (times in quarter notes);
    log_prob: the log-probability of the values after the first under the model;
    seed: its seed (`generate(seed=<it>, n=1)` with the same settings makes it again);
    end: when its values end, quarter notes (a solo may end in a rest).
    """

    values: list[str]
    notes: list[Note]
    log_prob: float
    seed: int
    end: float
    progression: Progression

    def write_midi(self, path: str | os.PathLike) -> Path:
        """The solo over its comping as a MIDI file, byte for byte what generate.py writes."""
        return self.render(Path(path).with_suffix(".mid"))

    def render(self, path: str | os.PathLike, title: str = "") -> Path:
        """Write the solo as `path`'s suffix says: .png (a piano roll in bars with the chord symbols), .wav (the
        solo over its comping, as sound), .musicxml (a lead sheet) or .mid; return the path."""
        return write_solo(
            self, self.progression, Path(path), title or f"seed {self.seed}, log-prob {self.log_prob:.1f}"
        )


class Model:
    """A trained checkpoint, ready to improvise (see `jazz_solo.load`)."""

    def __init__(self, path: Path, checkpoint: Checkpoint, device: str):
        self.path, self.checkpoint, self.device = path, checkpoint, device

    @property
    def progression(self) -> Progression:
        """The progression the checkpoint plays over unless told otherwise (its training piece's chords)."""
        return backing_for(self.checkpoint)

    def generate(
        self,
        n: int = 1,
        chords: str | None = None,
        strategy: str = "greedy",
        seed: int = 0,
        *,
        length: int = 64,
        bars: int | None = None,
        choruses: int | None = None,
        temperature: float = 1.0,
        top_k: int = 10,
        top_p: float = 0.9,
        beam_width: int = 4,
        tempo: float | None = None,
    ) -> list[Solo]:
        """n solos, as `generate.py` with these settings makes them (see `generate.py --help`).

        chords: a progression such as "Dm7 G7 | Cmaj7" (bars split by `|`), or a .mid file's chords; None:
        the checkpoint's. strategy: greedy, sample, top_k, top_p or beam. Solo i has seed `seed + i`.
        length: values per solo; bars or choruses: the solos' length in time instead (cut there; the
        progression repeats as needed). A bad setting raises JazzSoloError saying which.
        """
        cfg = GenerateConfig(
            ckpt=str(self.path), n=n, length=length, bars=bars, choruses=choruses, strategy=strategy,
            temperature=temperature, top_k=top_k, top_p=top_p, beam_width=beam_width, seed=seed, chords=chords,
            tempo=tempo, device=self.device,
        )  # fmt: skip
        progression = backing_for(self.checkpoint, chords, tempo)
        solos = solos_for(self.checkpoint, progression, cfg)
        return [Solo(s.values, s.notes, s.log_prob, s.seed, s.end, progression) for s in solos]


def load(ckpt: str | os.PathLike, device: str = "cpu") -> Model:
    """The model of a checkpoint written by train.py, or of a run folder (its best checkpoint)."""
    path = resolve_checkpoint(ckpt)
    return Model(path, load_checkpoint(path, device), device)


def evaluate(ckpt: str | os.PathLike, n: int = 200, out: str | os.PathLike | None = None, **options) -> dict:
    """Evaluate a checkpoint (or run folder) as `evaluate.py` does: write the report folder `out` (default:
    evaluation/ in its run folder) and return metrics.json's content. options: the other evaluate.py
    settings (strategy, temperature, seed, segment_bars, overwrite, audio, ...; `evaluate.py --help`)."""
    from jazz_solo.evaluation.evaluate import evaluate_checkpoint  # imports the training corpus's reader

    return evaluate_checkpoint(ckpt, n=n, out=None if out is None else str(out), **options)
