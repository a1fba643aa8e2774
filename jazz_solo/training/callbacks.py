"""Lightning pieces every training run uses: atomic checkpoints, the run record, resumable randomness,
learning-rate and gradient-norm logging, and a sample solo for W&B at the end (the progress bar: progress.py)."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import Checkpoint, EarlyStopping, ModelCheckpoint
from pytorch_lightning.loggers import WandbLogger
from pytorch_lightning.plugins.io import TorchCheckpointIO

from jazz_solo import runs
from jazz_solo.atomic import atomic_file
from jazz_solo.training.module import logs_this_step

log = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class AtomicCheckpointIO(TorchCheckpointIO):
    """torch.save to a temporary file beside the target, then os.replace (see jazz_solo.atomic).

    Lightning's own transaction writes the temporary file in the system temp folder, and moving it across
    file systems is a copy: a kill in the middle would leave a truncated checkpoint under its final name.
    """

    def save_checkpoint(self, checkpoint: dict[str, Any], path, storage_options: Any = None) -> None:
        with atomic_file(path) as out:
            torch.save(checkpoint, out)


class Interrupted(BaseException):
    """Training stopped by SIGINT (Ctrl-C) or SIGTERM (what schedulers send before they kill).

    A BaseException, as KeyboardInterrupt is: Lightning tears the run down and re-raises it, and train.py
    records it and exits with 128 + the signal's number.
    """

    def __init__(self, signum: int, saved: Path | None = None, where: str = ""):
        super().__init__(f"interrupted by {signal.Signals(signum).name}" + (f" in {where}" if where else ""))
        self.signum, self.saved = signum, saved


class LastCheckpoint(Checkpoint):
    """<dirpath>/last.ckpt, where a killed or interrupted run resumes (`ckpt_path=last`): rewritten after an
    epoch once `every_s` seconds have passed since the previous write, when training ends, and when SIGINT
    (Ctrl-C) or SIGTERM stops it.

    Time, not epochs: a write costs a few ms, which is a lot next to the exercise's 10 ms epoch and nothing
    next to a real one; either way a kill loses at most `every_s` seconds of training. List it after the
    best-model ModelCheckpoint, so the state it saves knows that epoch's best.

    A signal stops training at the end of the current batch (a batch cut in the middle of its optimizer
    step could not be resumed): last.ckpt is saved there and Interrupted raised. A second signal stops at
    once, leaving the last.ckpt of before.
    """

    def __init__(self, dirpath: str | os.PathLike, every_s: float = 30.0):
        self.path = Path(dirpath) / "last.ckpt"
        self.every_s = every_s
        self._saved_at = time.monotonic()
        self._signum: int | None = None
        self._handlers: dict[int, Any] = {}

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._saved_at = time.monotonic()
        if threading.current_thread() is threading.main_thread():  # signal handlers live in the main thread
            self._handlers = {signum: signal.signal(signum, self._on_signal) for signum in STOP_SIGNALS}

    def _on_signal(self, signum: int, frame: Any) -> None:
        if self._signum is not None:
            raise Interrupted(signum)
        self._signum = signum
        log.warning("%s: stopping after this batch (again: at once)", signal.Signals(signum).name)

    def _stop_if_signalled(self, trainer: pl.Trainer) -> None:
        stop = self._signum is not None
        if trainer.world_size > 1:  # every process stops at the same batch (a save waits for them all)
            stop = trainer.strategy.reduce_boolean_decision(stop, all=False)
            self._signum = self._signum or (signal.SIGTERM if stop else None)
        if stop:
            self.save(trainer)
            done = trainer.fit_loop.epoch_loop.batch_progress.current.processed
            where = f"epoch {trainer.current_epoch + 1}, after batch {done} of {trainer.num_training_batches}"
            raise Interrupted(self._signum, self.path, where)

    def on_train_batch_end(self, trainer: pl.Trainer, *args: Any) -> None:
        self._stop_if_signalled(trainer)

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._stop_if_signalled(trainer)
        # Every process must take part in a save: rank 0's clock decides for all.
        if trainer.strategy.broadcast(time.monotonic() - self._saved_at >= self.every_s):
            self.save(trainer)

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self.save(trainer)
        self._restore_handlers()

    def on_exception(self, trainer: pl.Trainer, pl_module: pl.LightningModule, exception: BaseException) -> None:
        self._restore_handlers()

    def _restore_handlers(self) -> None:
        for signum, handler in self._handlers.items():
            signal.signal(signum, handler)
        self._handlers = {}

    def save(self, trainer: pl.Trainer) -> None:
        trainer.save_checkpoint(self.path, weights_only=False)  # the full state: resuming needs it
        self._saved_at = time.monotonic()


class BestCheckpoint(ModelCheckpoint):
    """ModelCheckpoint whose file names count epochs from 1, as the progress log and results.json do:
    `best-epoch002-...` is the model after the second epoch (Lightning's own `{epoch}` starts at 0)."""

    def format_checkpoint_name(self, metrics: dict[str, Any], *args: Any, **kwargs: Any) -> str:
        if "epoch" in metrics:
            metrics = {**metrics, "epoch": metrics["epoch"] + 1}
        return super().format_checkpoint_name(metrics, *args, **kwargs)


def monitored_checkpoint(trainer: pl.Trainer) -> ModelCheckpoint | None:
    """The checkpoint callback that keeps the best model (the first one with a monitor), if any.

    A ModelCheckpoint only: with callbacks.best_checkpoint=null the one left is LastCheckpoint, which keeps
    no best model."""
    models = [cb for cb in trainer.checkpoint_callbacks if isinstance(cb, ModelCheckpoint)]
    return next((cb for cb in models if cb.monitor), models[0] if models else None)


class ResumableRng(pl.Callback):
    """Saves torch's random state in each checkpoint and puts it back when a run resumes.

    Shuffling and dropout draw from it; without this a resumed run would replay the first epoch's
    draws and drift away from an uninterrupted run with the same seed.
    """

    def __init__(self) -> None:
        self._pending: dict | None = None

    def state_dict(self) -> dict[str, Any]:
        state = {"torch": torch.get_rng_state()}
        if torch.cuda.is_available():
            state["cuda"] = torch.cuda.get_rng_state_all()
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self._pending = state_dict

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        # Applied here, after Lightning restored everything else and ran its sanity check.
        if self._pending is not None:
            torch.set_rng_state(self._pending["torch"])
            if "cuda" in self._pending and torch.cuda.is_available():
                torch.cuda.set_rng_state_all(self._pending["cuda"])
            self._pending = None


class RunRecord(pl.Callback):
    """Keeps the val loss/accuracy of every epoch (numbered from 1) and the training wall time (both survive
    a resume), and writes <run>/results.json when fit ends (see jazz_solo/runs.py)."""

    def __init__(self, run_dir: str | os.PathLike, config: dict | None = None):
        self.path = Path(run_dir) / runs.RESULTS
        self.config = config or {}
        self.history: list[dict] = []
        self.elapsed_before = 0.0  # seconds of training in earlier sessions of this run
        self._start = time.perf_counter()

    def elapsed(self) -> float:
        return self.elapsed_before + time.perf_counter() - self._start

    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._start = time.perf_counter()

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.sanity_checking:
            return
        metrics = trainer.callback_metrics
        row = {"epoch": trainer.current_epoch + 1}  # counted from 1, as in the log and checkpoint names
        for key in ("val_loss", "val_acc"):
            row[key] = float(metrics[key]) if key in metrics else None
        if self.history and self.history[-1]["epoch"] == row["epoch"]:  # validated again in the same epoch
            self.history[-1] = row
        else:
            self.history.append(row)

    def state_dict(self) -> dict[str, Any]:
        return {"history": self.history, "elapsed_s": self.elapsed()}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.history = list(state_dict["history"])
        self.elapsed_before = float(state_dict["elapsed_s"])

    def on_fit_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if not trainer.is_global_zero:
            return
        best = monitored_checkpoint(trainer)
        summary = runs.summarise(self.history)
        stopper = next((cb for cb in trainer.callbacks if isinstance(cb, EarlyStopping) and cb.stopped_epoch), None)
        if stopper is not None:
            log.info(
                "early stopping after epoch %d of %s: %s has not improved for %d validations"
                " (best val_loss %.4g at epoch %s; callbacks.early_stopping=null trains every epoch)",
                stopper.stopped_epoch + 1,
                trainer.max_epochs,
                stopper.monitor,
                stopper.wait_count,
                summary["best_val_loss"],
                summary["best_epoch"],
            )
        results = {
            "status": "ok",
            **summary,
            "stopped_early": stopper is not None,
            "final_val_loss": self.history[-1]["val_loss"] if self.history else None,
            # how many windows the val loss is a mean over: it changes with data.Tx (see the sweep report)
            "val_windows": len(val_set) if (val_set := getattr(trainer.datamodule, "val_set", None)) else None,
            "epochs": trainer.current_epoch,
            "global_step": trainer.global_step,
            "wall_time_s": round(self.elapsed(), 3),
            "best_ckpt": (best.best_model_path or None) if best else None,
            "history": self.history,
            "config": self.config,
        }
        runs.write_json(self.path, results)


class OptimizerStats(pl.Callback):
    """Sends the learning rate and the gradient norm (before the step) to the loggers on the steps
    model.logs_this_step picks."""

    def on_before_optimizer_step(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, optimizer: torch.optim.Optimizer
    ) -> None:
        if not logs_this_step(trainer):
            return
        stats = {"lr": float(optimizer.param_groups[0]["lr"])}
        grads = [p.grad for p in pl_module.parameters() if p.grad is not None]
        if grads:
            stats["grad_norm"] = float(
                torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
            )
        for logger in trainer.loggers:
            logger.log_metrics(stats, step=trainer.global_step)


class SampleSolo(pl.Callback):
    """At the end of fit, when a W&B logger is on: one solo from the best checkpoint, as audio (WAV,
    pretty_midi's synthesiser) and a piano roll, saved in <run>/sample/ and logged to W&B."""

    def __init__(self, run_dir: str | os.PathLike, length: int = 64, temperature: float = 0.8, seed: int = 0):
        self.out = Path(run_dir) / "sample"
        self.length, self.temperature, self.seed = length, temperature, seed

    def on_fit_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        wandb_loggers = [lg for lg in trainer.loggers if isinstance(lg, WandbLogger)]
        best = monitored_checkpoint(trainer)
        path = best and (best.best_model_path or best.last_model_path)
        if not wandb_loggers or not trainer.is_global_zero or not path or not os.path.exists(path):
            return
        from jazz_solo.checkpoint import load_checkpoint
        from jazz_solo.config import SamplingConfig
        from jazz_solo.generation import solos_for
        from jazz_solo.music.audio import SAMPLE_RATE
        from jazz_solo.music.solo import write_solo

        sampling = SamplingConfig(length=self.length, strategy="sample", temperature=self.temperature, seed=self.seed)
        (solo,) = solos_for(load_checkpoint(path), sampling, 1)
        write_solo(solo, self.out / "solo.mid")
        wav = write_solo(solo, self.out / "solo.wav")
        png = write_solo(solo, self.out / "solo.png", f"sample solo from {Path(path).name}")
        caption = f"{Path(path).name}, T={self.temperature}, seed {self.seed}"
        for lg in wandb_loggers:
            lg.log_audio("sample/audio", [str(wav)], sample_rate=[SAMPLE_RATE], caption=[caption])
            lg.log_image("sample/piano_roll", [str(png)], caption=[caption])
        log.info("sample solo: %s", wav)
