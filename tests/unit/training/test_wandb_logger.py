"""The W&B logger sends its metric rows in bursts, and W&B records the same run as with Lightning's own."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from conftest import tiny_train_config, wandb_record
from jazz_solo.training import wandb_logger
from jazz_solo.training.fit import close_wandb, fit
from jazz_solo.training.wandb_logger import BurstWandbLogger


class FakeRun:
    """What the logger hands rows to: wandb's Run.log, and another use of the run."""

    id = "fake"

    def __init__(self, fails_at: int | None = None) -> None:
        self.calls: list = []
        self.fails_at = fails_at  # the call that raises, once

    def log(self, row: dict) -> None:
        if self.fails_at is not None and len(self.calls) + 1 == self.fails_at:
            self.fails_at = None
            raise KeyboardInterrupt  # a second Ctrl-C in the middle of a burst
        self.calls.append(row)

    def log_image(self, name: str) -> None:
        self.calls.append(name)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """The logger's clocks: monotonic seconds from 0, and the wall time 1000 s later."""
    clock = Clock()
    monkeypatch.setattr(wandb_logger, "time", SimpleNamespace(monotonic=clock, time=lambda: 1000 + clock.now))
    return clock


def row(step: int, logged_at: float, **metrics: float) -> dict:
    """A row as W&B gets it: the metrics, the step, and the wall time it was logged at."""
    return {**metrics, "_timestamp": 1000 + logged_at, "trainer/global_step": step}


def logger_with_fake_run(tmp_path, flush_every_s: float) -> tuple[BurstWandbLogger, FakeRun]:
    logger = BurstWandbLogger(offline=True, save_dir=str(tmp_path), flush_every_s=flush_every_s)
    logger._experiment = run = FakeRun()  # an open run: the logger starts none of its own
    return logger, run


def test_rows_wait_until_flush_every_s_has_passed_then_go_in_order_with_their_steps_and_times(tmp_path, clock):
    logger, run = logger_with_fake_run(tmp_path, flush_every_s=10)
    logger.log_metrics({"train_loss": 3.0}, step=0)
    clock.now = 9.9
    logger.log_metrics({"val_loss": 2.5, "val_acc": 0.25}, step=4)
    assert run.calls == []
    clock.now = 10.0
    logger.log_metrics({"train_loss": 2.0}, step=8)
    assert run.calls == [
        row(0, 0.0, train_loss=3.0),
        row(4, 9.9, val_loss=2.5, val_acc=0.25),  # sent at 10 s, stamped with when it was logged
        row(8, 10.0, train_loss=2.0),
    ]
    clock.now = 15.0  # the clock restarts at each burst
    logger.log_metrics({"train_loss": 1.0}, step=12)
    assert len(run.calls) == 3


def test_another_use_of_the_run_comes_after_the_rows_logged_before_it(tmp_path, clock):
    logger, run = logger_with_fake_run(tmp_path, flush_every_s=10)
    logger.log_metrics({"val_loss": 2.5}, step=4)
    logger.experiment.log_image("sample/solo")
    assert run.calls == [row(4, 0.0, val_loss=2.5), "sample/solo"]


def test_a_prefix_names_the_metrics_as_lightnings_logger_does_and_leaves_wandbs_own_keys(tmp_path, clock):
    logger = BurstWandbLogger(offline=True, save_dir=str(tmp_path), flush_every_s=0, prefix="fold1")
    logger._experiment = run = FakeRun()
    logger.log_metrics({"val_loss": 2.5}, step=4)
    assert run.calls == [{"fold1-val_loss": 2.5, "_timestamp": 1000.0, "trainer/global_step": 4}]


def test_an_interrupt_in_the_middle_of_a_burst_loses_at_most_the_row_being_sent(tmp_path, clock):
    logger, run = logger_with_fake_run(tmp_path, flush_every_s=10)
    run.fails_at = 2
    for step in range(4):
        logger.log_metrics({"train_loss": float(step)}, step=step)
    with pytest.raises(KeyboardInterrupt):
        logger.flush()
    assert run.calls == [row(0, 0.0, train_loss=0.0)]
    logger.finalize("failed")
    assert run.calls == [row(step, 0.0, train_loss=float(step)) for step in (0, 2, 3)]


def test_closing_the_wandb_run_sends_the_rows_first_even_when_finalize_was_skipped(tmp_path, clock, monkeypatch):
    import wandb

    logger, run = logger_with_fake_run(tmp_path, flush_every_s=10)
    logger.log_metrics({"val_loss": 2.5}, step=4)
    monkeypatch.setattr(wandb, "finish", lambda exit_code: run.calls.append(f"finish {exit_code}"))
    close_wandb(SimpleNamespace(loggers=[logger], is_global_zero=True), 1)
    assert run.calls == [row(4, 0.0, val_loss=2.5), "finish 1"]


@pytest.mark.parametrize("status", ["success", "failed", "finished"])
def test_the_end_of_a_fit_sends_the_waiting_rows_however_it_ended(tmp_path, clock, status):
    logger, run = logger_with_fake_run(tmp_path, flush_every_s=10)
    logger.log_metrics({"val_loss": 2.5}, step=4)
    logger.finalize(status)  # Lightning: success; after an error or an interrupt: failed; SLURM's requeue: finished
    assert run.calls == [row(4, 0.0, val_loss=2.5)]


def test_a_fit_records_the_same_history_as_with_lightnings_own_logger(tmp_path, monkeypatch):
    """Each offline run's record holds every row: as many of each metric as Lightning's logger writes."""
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    counts = []
    for target in ("pytorch_lightning.loggers.WandbLogger", "jazz_solo.training.wandb_logger.BurstWandbLogger"):
        out = tmp_path / target.rsplit(".", 1)[1]
        cfg = tiny_train_config(out)
        cfg.logger = {"wandb": {"_target_": target, "offline": True, "save_dir": str(out)}}
        fit(cfg)
        data = wandb_record(out)
        counts.append({key: data.count(key) for key in (b"train_loss", b"val_loss", b"grad_norm", b"global_step")})
    assert counts[0] == counts[1] and counts[1][b"val_loss"] >= 2  # a row for each of the 2 epochs at least


@pytest.mark.parametrize("bad", [-1, "soon", None, True])
def test_a_bad_flush_every_s_is_one_line_naming_it(tmp_path, bad):
    with pytest.raises(ValueError, match="flush_every_s must be a number of seconds >= 0"):
        BurstWandbLogger(offline=True, save_dir=str(tmp_path), flush_every_s=bad)
