"""What runs log: resolved config, losses, learning rate, gradient norm; a sample solo for W&B."""

from __future__ import annotations

import csv
import io
import logging
import sys
import wave

import pytest
import yaml

from conftest import tiny_train_config, wandb_record
from jazz_solo.training.fit import fit


def test_csv_logger_gets_the_resolved_config_losses_lr_and_gradient_norm(tmp_path):
    cfg = tiny_train_config(tmp_path)
    cfg.trainer["log_every_n_steps"] = 2
    cfg.logger = {"csv": {"_target_": "pytorch_lightning.loggers.CSVLogger", "save_dir": str(tmp_path), "name": "csv"}}
    fit(cfg)
    rows = list(csv.DictReader((tmp_path / "csv" / "version_0" / "metrics.csv").open()))
    for key in ("train_loss", "train_acc", "val_loss", "val_acc", "lr", "grad_norm"):
        assert [r for r in rows if r[key]], key
    assert {float(r["lr"]) for r in rows if r["lr"]} == {cfg.model.lr}
    assert [int(r["step"]) for r in rows if r["grad_norm"]] == [0, 2, 4, 6]  # every log_every_n_steps
    hparams = yaml.safe_load((tmp_path / "csv" / "version_0" / "hparams.yaml").read_text())
    assert hparams["model"]["n_a"] == 16 and hparams["data"]["Tx"] == 12 and "vocab" not in hparams


def test_wandb_run_gets_a_sample_solo_as_audio_and_piano_roll(tmp_path, monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    cfg = tiny_train_config(tmp_path)
    cfg.logger = {
        "wandb": {
            "_target_": "jazz_solo.training.wandb_logger.BurstWandbLogger",
            "offline": True,
            "save_dir": str(tmp_path),
        }
    }
    fit(cfg)
    with wave.open(str(tmp_path / "sample" / "solo.wav")) as wav:
        assert wav.getnframes() > wav.getframerate()  # over a second of sound
    assert (tmp_path / "sample" / "solo.png").stat().st_size > 0
    (run,) = (tmp_path / "wandb").glob("offline-run-*")
    assert list(run.glob("files/media/audio/sample/*.wav")) and list(run.glob("files/media/images/sample/*.png"))
    record = wandb_record(tmp_path)  # offline: config and history are inside this file until `wandb sync`
    assert b'"n_a":16' in record and b"grad_norm" in record


def test_a_failed_fit_closes_its_wandb_run_so_a_sweeps_next_trial_starts_its_own(tmp_path, monkeypatch):
    import wandb

    from jazz_solo.training.module import JazzSoloModule

    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")

    def fails(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(JazzSoloModule, "training_step", fails)
    cfg = tiny_train_config(tmp_path)
    cfg.logger = {
        "wandb": {
            "_target_": "jazz_solo.training.wandb_logger.BurstWandbLogger",
            "offline": True,
            "save_dir": str(tmp_path),
        }
    }
    with pytest.raises(RuntimeError, match="boom"):
        fit(cfg)
    assert wandb.run is None and list((tmp_path / "wandb").glob("offline-run-*"))


def test_tensorboard_logger_writes_events(tmp_path):
    pytest.importorskip("tensorboard", reason="logger=tensorboard needs the tensorboard extra")
    cfg = tiny_train_config(tmp_path)
    cfg.logger = {"tb": {"_target_": "pytorch_lightning.loggers.TensorBoardLogger", "save_dir": str(tmp_path)}}
    fit(cfg)
    assert list((tmp_path / "lightning_logs").glob("version_0/events.out.tfevents.*"))


def test_progress_bar_in_a_terminal_counts_every_training_batch_of_the_run(tmp_path, monkeypatch):
    terminal = io.StringIO()
    terminal.isatty = lambda: True
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr("jazz_solo.training.progress.terminal_width", lambda: 100)  # a StringIO has no size to ask
    cfg = tiny_train_config(tmp_path)
    del cfg.trainer["enable_progress_bar"]
    cfg.trainer["max_epochs"] = 3
    fit(cfg)
    shown = terminal.getvalue()
    assert "epoch 3/3" in shown and "12/12" in shown  # 3 epochs x limit_train_batches=4, one bar
    assert "val_loss=" in shown and "val_acc=" in shown


def test_progress_elsewhere_is_a_log_line_per_validation(tmp_path, caplog, capsys):
    cfg = tiny_train_config(tmp_path)
    del cfg.trainer["enable_progress_bar"]
    cfg.trainer["max_epochs"] = 3
    with caplog.at_level(logging.INFO, logger="jazz_solo.training.progress"):
        fit(cfg)
    lines = [r.getMessage() for r in caplog.records if r.name == "jazz_solo.training.progress"]
    assert [line.split(":")[0] for line in lines] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    assert all("val_loss=" in line and "val_acc=" in line for line in lines)
    assert "batch/s" not in capsys.readouterr().err  # no bar drawn into a log


def test_a_configured_progress_bar_replaces_ours_and_none_when_disabled(tmp_path):
    from pytorch_lightning.callbacks import TQDMProgressBar

    from jazz_solo.training.fit import build_trainer
    from jazz_solo.training.progress import RunProgressBar

    assert RunProgressBar().is_enabled  # LightningModule.print reads it
    cfg = tiny_train_config(tmp_path)
    assert build_trainer(cfg).progress_bar_callback is None  # enable_progress_bar: false
    del cfg.trainer["enable_progress_bar"]
    assert isinstance(build_trainer(cfg).progress_bar_callback, RunProgressBar)
    cfg.callbacks["bar"] = {"_target_": "pytorch_lightning.callbacks.TQDMProgressBar", "refresh_rate": 5}
    assert type(build_trainer(cfg).progress_bar_callback) is TQDMProgressBar
