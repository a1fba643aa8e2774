"""Lightning's W&B logger, its metric rows sent in bursts."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from lightning_fabric.utilities.rank_zero import rank_zero_only
from pytorch_lightning.loggers import WandbLogger


class BurstWandbLogger(WandbLogger):
    """WandbLogger whose metric rows wait in a list and go to W&B together: every `flush_every_s` seconds,
    before anything else uses the W&B run (an image, the config), when the fit ends, however it ends
    (Lightning calls finalize then, after an error or an interrupt too), and before fit.close_wandb finishes
    the run. Rows keep their order, their trainer/global_step and the time they were logged, so the run W&B
    records is the same.

    Why: every wandb.log wakes W&B's own thread in this process, which then takes Python's lock between the
    torch calls of the next steps. One call an epoch made the exercise's 15 ms epochs about 3 ms slower
    (`python -m benchmarks hooks`); a burst pays that once. With W&B online, its charts lag by at most
    `flush_every_s`; a process killed outright (SIGKILL) loses the rows of that last stretch from W&B only
    (train.log and the CSV logger have their own).
    """

    def __init__(self, *args: Any, flush_every_s: float = 10.0, **kwargs: Any) -> None:
        if isinstance(flush_every_s, bool) or not isinstance(flush_every_s, (int, float)) or not flush_every_s >= 0:
            raise ValueError(f"flush_every_s must be a number of seconds >= 0, not {flush_every_s!r}")
        super().__init__(*args, **kwargs)
        self.flush_every_s = flush_every_s
        self._rows: list[tuple[dict[str, float], int | None, float]] = []  # metrics, step, time logged
        self._flushed_at = time.monotonic()
        self._sending = False

    @property
    def experiment(self) -> Any:
        if self._rows and not self._sending:  # what comes next (an image, the config) lands after the rows
            self.flush()
        return super().experiment

    @rank_zero_only
    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        self._rows.append((dict(metrics), step, time.time()))
        if time.monotonic() - self._flushed_at >= self.flush_every_s:
            self.flush()

    def flush(self) -> None:
        """Send the waiting rows to W&B, oldest first. Each leaves the list as it is sent: an error or a
        signal in the middle (a second Ctrl-C) loses at most that row, and the next flush sends the rest."""
        self._flushed_at = time.monotonic()
        self._sending = True  # _send reads self.experiment, which must not flush again
        try:
            while self._rows:
                self._send(*self._rows.pop(0))
        finally:
            self._sending = False

    def _send(self, metrics: dict[str, float], step: int | None, logged_at: float) -> None:
        """One row as WandbLogger.log_metrics sends it (names prefixed, the step as trainer/global_step), plus
        W&B's own _timestamp key: W&B stamps a row with the time it is sent unless it has its own."""
        if self._prefix:
            metrics = {f"{self._prefix}{self.LOGGER_JOIN_CHAR}{name}": value for name, value in metrics.items()}
        row = {**metrics, "_timestamp": logged_at}
        if step is not None and not self._wandb_init.get("sync_tensorboard"):
            row["trainer/global_step"] = step
        self.experiment.log(row)

    def finalize(self, status: str) -> None:
        self.flush()
        super().finalize(status)
