"""Multiruns from the command line: grids, the n_a x Tx experiment, launchers and optuna, each ending in a report.

The launcher and optuna tests need the `sweep` extra (pip install -e ".[sweep]") and skip without it.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import signal
import subprocess
import sys
import time

import pytest
from hydra import compose, initialize_config_dir

from conftest import ROOT, run_script

TINY = ["data.stride=8", "trainer.max_epochs=1", "+trainer.limit_train_batches=2", "logger=csv"]


def needs(module: str):
    return pytest.mark.skipif(importlib.util.find_spec(module) is None, reason=f"needs {module} (the sweep extra)")


def report_rows(sweep) -> list[dict]:
    return list(csv.DictReader((sweep / "report.csv").open()))


def test_a_command_line_grid_gives_a_folder_per_run_and_a_report_even_when_one_fails(tmp_path):
    sweep = tmp_path / "sweep"
    result = run_script("train.py", "-m", "model.n_a=8,16", "data.Tx=10,999", *TINY, f"hydra.sweep.dir={sweep}")
    assert result.returncode == 3, result.stderr[-2000:]  # once the report is written: two runs failed
    assert f"2 of 4 runs failed (1, 3): see {sweep / 'report.md'}" in result.stderr
    rows = report_rows(sweep)
    assert [(r["n_a"], r["Tx"], r["status"]) for r in rows] == [
        ("8", "10", "ok"),
        ("8", "999", "failed"),
        ("16", "10", "ok"),
        ("16", "999", "failed"),
    ]
    for row in rows:
        run = sweep / row["run"]
        assert (run / ".hydra" / "overrides.yaml").exists() and (run / "train.log").exists()
        if row["status"] == "ok":
            assert (sweep / row["best_ckpt"]).exists() and (run / "checkpoints" / "last.ckpt").exists()
        else:
            assert "too short for data.Tx=999" in row["error"]
    assert (sweep / "heatmap.png").exists() and "run failed" in result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(sweep / "report.md")


def compose_train(*overrides: str):
    with initialize_config_dir(str(ROOT / "conf"), version_base="1.3"):
        return compose("train", list(overrides), return_hydra_config=True)


def test_the_sweep_experiment_is_the_n_a_by_tx_grid():
    cfg = compose_train("experiment=sweep_na_tx")
    assert dict(cfg.hydra.sweeper.params) == {"model.n_a": "32,64,128", "data.Tx": "15,30,60"}
    assert cfg.hydra.callbacks.report._target_ == "jazz_solo.training.sweep_callback.SweepReport"
    assert cfg.hydra.launcher._target_.endswith("ForkLauncher")  # trials at once, one per core


@needs("hydra_plugins.hydra_submitit_launcher")
def test_slurm_launcher_config_composes():
    launcher = compose_train("hydra/launcher=slurm").hydra.launcher
    assert launcher._target_.endswith("SlurmLauncher") and launcher.gpus_per_node == 1


@pytest.mark.slow
@needs("hydra_plugins.hydra_submitit_launcher")
def test_submitit_local_runs_a_sweep_in_subprocesses(tmp_path):
    sweep = tmp_path / "sweep"
    result = run_script(
        "train.py", "-m", "hydra/launcher=submitit_local", "model.n_a=8,16", *TINY, f"hydra.sweep.dir={sweep}"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert [r["status"] for r in report_rows(sweep)] == ["ok", "ok"]
    assert (sweep / ".submitit").is_dir()


@pytest.mark.slow
@needs("hydra_plugins.hydra_joblib_launcher")
def test_joblib_trials_at_once_match_the_trials_one_after_another_and_a_resumed_sweep_resumes(tmp_path):
    grid = ["-m", "model.n_a=8,16", "data.Tx=10,999", *TINY]
    joblib = ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]
    for name, launcher in (("basic", []), ("joblib", joblib)):
        result = run_script("train.py", *grid, *launcher, f"hydra.sweep.dir={tmp_path / name}")
        assert result.returncode == 3, result.stderr[-2000:]  # the Tx=999 runs failed
    same = ("run", "n_a", "Tx", "status", "best_val_loss", "epochs", "best_ckpt", "error")
    basic, at_once = ([{k: r[k] for k in same} for r in report_rows(tmp_path / name)] for name in ("basic", "joblib"))
    assert at_once == basic  # each trial its own folder, seed and results; the failed ones fail alone
    assert [r["status"] for r in basic] == ["ok", "failed", "ok", "failed"]
    for row in basic:
        assert (tmp_path / "joblib" / row["run"] / "train.log").read_text().strip()
    resumed = run_script(
        "train.py", *grid, *joblib, "trainer.max_epochs=2", "ckpt_path=last", f"hydra.sweep.dir={tmp_path / 'joblib'}"
    )
    assert resumed.returncode == 3, resumed.stderr[-2000:]
    assert [r["epochs"] for r in report_rows(tmp_path / "joblib") if r["status"] == "ok"] == ["2", "2"]


@needs("hydra_plugins.hydra_optuna_sweeper")
def test_optuna_minimises_the_val_loss_that_train_returns(tmp_path):
    from omegaconf import OmegaConf

    sweep = tmp_path / "sweep"
    args = ["hparams_search=optuna", "hydra.sweeper.n_trials=3", *TINY]
    result = run_script("train.py", *args, f"hydra.sweep.dir={sweep}")
    assert result.returncode == 0, result.stderr[-2000:]
    rows = report_rows(sweep)
    assert len(rows) == 3 and all(r["status"] == "ok" for r in rows)
    best = OmegaConf.load(sweep / "optimization_results.yaml")
    assert best.best_value == pytest.approx(min(float(r["best_val_loss"]) for r in rows))
    assert set(best.best_params) == {"model.n_a", "data.Tx", "model.lr", "model.dropout"}


def test_a_sweeps_stdout_is_its_results_only(tmp_path):
    """Each run's best checkpoint, then the report: Hydra's own lines go to stderr with the logs."""
    result = run_script(
        "train.py", "-m", "experiment=sweep_na_tx", "model.n_a=8,16", "data.Tx=10", "trainer.max_epochs=1",
        "+trainer.limit_train_batches=2", "logger=csv", f"hydra.sweep.dir={tmp_path / 'sweep'}",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and lines[-1].endswith("report.md") and all(line.endswith(".ckpt") for line in lines[:2])
    assert "Launching" in result.stderr


@pytest.mark.slow
def test_a_sweep_stopped_by_ctrl_c_with_the_default_launcher_writes_the_report_of_its_runs_so_far(tmp_path):
    sweep = tmp_path / "sweep"
    args = ["train.py", "-m", "model.n_a=8,16", "data.Tx=12", "data.stride=2", "data.batch_size=16"]
    args += ["trainer.max_epochs=50", "logger=csv", "callbacks.last_checkpoint.every_s=1e9", f"hydra.sweep.dir={sweep}"]
    env = {**os.environ, "WANDB_MODE": "disabled", "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 240
        while not (sweep / "0" / "checkpoints").is_dir() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # until trial 0 has written its epoch-1 checkpoint
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr[-2000:]
    assert stdout.splitlines()[-1] == str(sweep / "report.md")  # written as the process exits
    assert [(r["n_a"], r["status"]) for r in report_rows(sweep)] == [("8", "interrupted")]
