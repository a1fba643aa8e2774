"""A one-line progress bar for a whole fit, in a terminal; a log line per validation elsewhere."""

from __future__ import annotations

import logging
import math
import os
import sys
from typing import Any

import pytorch_lightning as pl
from pytorch_lightning.callbacks import ProgressBar

log = logging.getLogger(__name__)


def terminal_width() -> int:
    """Columns of the terminal on stderr; 0 when stderr is no terminal or one that reports no size (a pty
    of `script` without `stty`), where a bar would draw nothing."""
    if not sys.stderr.isatty():
        return 0
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except OSError:
        return 0


class RunProgressBar(ProgressBar):
    """In a terminal, one tqdm bar on stderr for the whole fit: training batches over all epochs (so its
    ETA is the run's), the epoch in its label and the latest validation metrics after it. Elsewhere (a
    log file, a cluster job's output, a terminal of no size) a log line per validation instead.

    Lightning's TQDMProgressBar redraws on every batch and opens a new bar for every validation: about
    2 ms an epoch, a fifth of the exercise's 10 ms epoch. This one draws at most 10 times a second.
    """

    def __init__(self) -> None:
        super().__init__()
        self._enabled = True
        self.bar = None

    @property
    def is_enabled(self) -> bool:  # LightningModule.print asks
        return self._enabled

    def disable(self) -> None:
        self._enabled = False

    def enable(self) -> None:
        self._enabled = True

    def epochs(self, trainer: pl.Trainer) -> str:
        shown = f"epoch {trainer.current_epoch + 1}"
        return shown + (f"/{trainer.max_epochs}" if trainer.max_epochs and trainer.max_epochs > 0 else "")

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if not self._enabled or terminal_width() == 0:
            return
        from tqdm import tqdm

        per_epoch = trainer.num_training_batches
        total = per_epoch * trainer.max_epochs if trainer.max_epochs and trainer.max_epochs > 0 else math.inf
        if trainer.max_steps and trainer.max_steps > 0:
            total = min(total, trainer.max_steps * trainer.accumulate_grad_batches)
        done = trainer.fit_loop.epoch_loop.batch_progress.total.completed  # > 0 when resuming
        self.bar = tqdm(
            total=None if math.isinf(total) else int(total),
            initial=int(min(done, total)),
            file=sys.stderr,
            dynamic_ncols=True,
            unit="batch",
            mininterval=0.1,
        )

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self.bar is not None:
            self.bar.set_description(self.epochs(trainer), refresh=False)

    def on_train_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, *args: Any) -> None:
        if self.bar is not None:
            self.bar.update()

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if not self._enabled or trainer.sanity_checking:
            return
        shown = {k: v for k, v in trainer.progress_bar_metrics.items() if isinstance(v, (int, float))}
        if self.bar is not None:
            self.bar.set_postfix(shown, refresh=False)
        else:
            log.info("%s: %s", self.epochs(trainer), " ".join(f"{k}={v:.4g}" for k, v in shown.items()))

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        # closed after the last epoch's validation and before Lightning logs why fit stopped, whose line
        # would otherwise land on the bar's
        epochs_done = trainer.max_epochs is not None and 0 < trainer.max_epochs <= trainer.current_epoch + 1
        steps_done = 0 < trainer.max_steps <= trainer.global_step
        if epochs_done or steps_done or trainer.should_stop:
            self.on_train_end(trainer, pl_module)

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def on_exception(self, trainer: pl.Trainer, pl_module: pl.LightningModule, exception: BaseException) -> None:
        self.on_train_end(trainer, pl_module)

    def print(self, *args: Any, **kwargs: Any) -> None:
        if self.bar is not None:
            self.bar.write(kwargs.get("sep", " ").join(map(str, args)), file=sys.stderr)
        else:
            print(*args, **kwargs)
