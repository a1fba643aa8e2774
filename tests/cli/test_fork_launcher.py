"""hydra/launcher=fork: a sweep's trials several at once, forked from train.py's process."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time

import pytest
from hydra import compose, initialize_config_dir

from conftest import ROOT, run_in_process, run_script
from jazz_solo import runs

TINY = ["data.stride=8", "trainer.max_epochs=1", "+trainer.limit_train_batches=2", "logger=csv"]
FORK = ["hydra/launcher=fork", "hydra.launcher.n_jobs=2"]
# A Hydra callback that kills trial #1's process as its job starts: a trial that dies, not one that raises.
KILLER = """
import os, signal
from hydra.experimental.callback import Callback

class KillTrialOne(Callback):
    def on_job_start(self, config, **kwargs):
        if config.hydra.job.num == 1:
            os.kill(os.getpid(), signal.SIGKILL)
"""


def report_rows(sweep) -> list[dict]:
    return list(csv.DictReader((sweep / "report.csv").open()))


def test_the_fork_launcher_config_composes_with_one_trial_per_core_by_default():
    from hydra_plugins.jazz_solo_launcher import ForkLauncher

    with initialize_config_dir(str(ROOT / "conf"), version_base="1.3"):
        launcher = compose("train", ["hydra/launcher=fork"], return_hydra_config=True).hydra.launcher
    assert launcher._target_ == "hydra_plugins.jazz_solo_launcher.ForkLauncher" and launcher.n_jobs == 0
    assert ForkLauncher(n_jobs=0, threads=1).n_jobs == len(os.sched_getaffinity(0))
    assert ForkLauncher(n_jobs=3, threads=2).n_jobs == 3
    with pytest.raises(ValueError, match="hydra.launcher.threads must be a whole number >= 1, got 0"):
        ForkLauncher(threads=0)


@pytest.mark.parametrize("value", ["-1", "two", "1.5"])
def test_a_bad_number_of_trials_at_once_is_one_line_naming_the_setting(value):
    result = run_in_process("train.py", "-m", "model.n_a=8", "hydra/launcher=fork", f"hydra.launcher.n_jobs={value}")
    assert result.returncode == 2
    shown = repr(float(value)) if value == "1.5" else value if value == "-1" else repr(value)
    assert result.stderr.strip() == f"error: config: hydra.launcher.n_jobs must be a whole number >= 0, got {shown}"


@pytest.mark.slow
def test_forked_trials_match_the_trials_one_after_another_and_a_resumed_sweep_resumes(tmp_path):
    grid = ["-m", "model.n_a=8,16", "data.Tx=10,999", *TINY]
    basic = run_script("train.py", *grid, f"hydra.sweep.dir={tmp_path / 'basic'}")
    assert basic.returncode == 3, basic.stderr[-2000:]  # the Tx=999 runs failed
    forked = run_script("train.py", *grid, *FORK, f"hydra.sweep.dir={tmp_path / 'fork'}")
    assert forked.returncode == 3, forked.stderr[-2000:]

    same = ("run", "n_a", "Tx", "status", "best_val_loss", "epochs", "best_ckpt", "error")
    rows = {name: [{k: r[k] for k in same} for r in report_rows(tmp_path / name)] for name in ("basic", "fork")}
    assert rows["fork"] == rows["basic"]  # each trial its own folder, seed and results; the failed ones fail alone
    assert [r["status"] for r in rows["fork"]] == ["ok", "failed", "ok", "failed"]
    for row in rows["fork"]:  # each trial's log, and what it printed in its own file
        run = tmp_path / "fork" / row["run"]
        assert (run / "train.log").read_text().strip() and (run / "console.log").exists()
    # stdout as with the trials in one process: each run's best checkpoint, then the report
    assert forked.stdout.splitlines() == basic.stdout.replace("/basic/", "/fork/").splitlines()
    assert forked.stderr.count(": started") == 4 and forked.stderr.count(" done in ") == 2
    assert forked.stderr.count(" failed after ") == 2 and "too short for data.Tx=999" in forked.stderr
    assert "#1 model.n_a=8 data.Tx=999: started" in forked.stderr  # what varies, not what all share
    assert "2 at once" in forked.stderr

    resumed = run_script(
        "train.py", *grid, *FORK, "trainer.max_epochs=2", "ckpt_path=last", f"hydra.sweep.dir={tmp_path / 'fork'}"
    )
    assert resumed.returncode == 3, resumed.stderr[-2000:]
    assert [r["epochs"] for r in report_rows(tmp_path / "fork") if r["status"] == "ok"] == ["2", "2"]


@pytest.mark.slow
def test_a_trial_whose_process_dies_is_recorded_and_the_others_finish(tmp_path):
    (tmp_path / "killer.py").write_text(KILLER)
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    sweep = tmp_path / "sweep"
    args = ["train.py", "-m", "model.n_a=8,12,16", *TINY, *FORK, "+hydra.callbacks.kill._target_=killer.KillTrialOne"]
    result = subprocess.run(
        [sys.executable, *args, f"hydra.sweep.dir={sweep}"],
        cwd=ROOT,
        env={**env, "WANDB_MODE": "disabled", "OMP_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 3, result.stderr[-2000:]  # once the report is written
    assert "1 of 3 runs failed (1): see" in result.stderr
    rows = report_rows(sweep)
    assert [(r["n_a"], r["status"]) for r in rows] == [("8", "ok"), ("12", "failed"), ("16", "ok")]
    assert "the trial's process killed by SIGKILL" in rows[1]["error"]
    assert "#1 killed by SIGKILL" in result.stderr


def start_long_sweep(sweep, n_a: str) -> subprocess.Popen:
    """A sweep long enough to interrupt (hundreds of batches an epoch), returned once trials 0 and 1 train."""
    args = ["train.py", "-m", f"model.n_a={n_a}", "data.Tx=12", "data.stride=2", "data.batch_size=16"]
    args += ["trainer.max_epochs=50", "logger=csv", "callbacks.last_checkpoint.every_s=1e9", *FORK]
    env = {**os.environ, "WANDB_MODE": "disabled", "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        [sys.executable, *args, f"hydra.sweep.dir={sweep}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    training = [sweep / trial / "checkpoints" for trial in ("0", "1")]  # each has written its epoch-1 checkpoint
    deadline = time.monotonic() + 240
    while not all(path.is_dir() for path in training) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if not all(path.is_dir() for path in training):
        proc.kill()  # its trials then get SIGTERM (they ask for it when their launcher dies)
        pytest.fail(f"trials 0 and 1 should be training by now: {proc.communicate()[1][-2000:]}")
    return proc


@pytest.mark.slow
def test_ctrl_c_stops_the_running_trials_after_their_batch_and_says_how_to_resume(tmp_path):
    sweep = tmp_path / "sweep"
    proc = start_long_sweep(sweep, "8,16,24")
    try:
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr[-2000:]
    (line,) = [line for line in stderr.splitlines() if line.startswith("sweep stopped by SIGINT")]
    resume = line.split("; resume: ")[1].split()
    assert resume[:2] == ["python", "train.py"] and resume[-2:] == [f"name={sweep.name}", "ckpt_path=last"]
    for trial in ("0", "1"):  # stopped once, as a lone run is: last.ckpt saved, the stop recorded
        error = runs.read_json(sweep / trial / runs.ERROR)
        assert error["status"] == "interrupted" and error["signal"] == signal.SIGINT
        assert (sweep / trial / "checkpoints" / "last.ckpt").exists()
    assert not (sweep / "2").exists()  # no trial starts after the signal
    # the report of the runs so far, its path last on stdout as when a sweep ends
    assert stdout.splitlines()[-1] == str(sweep / "report.md")
    assert [(r["n_a"], r["status"]) for r in report_rows(sweep)] == [("8", "interrupted"), ("16", "interrupted")]


@pytest.mark.slow
def test_trials_stop_and_save_when_their_launcher_is_killed(tmp_path):
    sweep = tmp_path / "sweep"
    proc = start_long_sweep(sweep, "8,16")
    proc.kill()  # SIGKILL: the launcher cannot pass anything on
    proc.communicate()
    errors = [sweep / trial / runs.ERROR for trial in ("0", "1")]
    deadline = time.monotonic() + 120
    while not all(path.exists() for path in errors) and time.monotonic() < deadline:
        time.sleep(0.1)
    for trial, error in zip(("0", "1"), errors):  # each got SIGTERM from the kernel, saved and stopped
        record = runs.read_json(error)
        assert record["status"] == "interrupted" and record["signal"] == signal.SIGTERM
        assert (sweep / trial / "checkpoints" / "last.ckpt").exists()
