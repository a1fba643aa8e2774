"""Runs that survive a kill: SIGKILL a real training process mid-epoch, resume it with ckpt_path=last."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from conftest import ROOT, assert_one_line_error, run_in_process, run_script
from jazz_solo import runs

# About 150 small batches per epoch: a kill lands inside an epoch, not between two.
ARGS = [
    "train.py",
    "model.n_a=16",
    "model.dropout=0.2",
    "data.Tx=12",
    "data.stride=2",
    "data.batch_size=16",
    "trainer.max_epochs=5",
    "+trainer.enable_progress_bar=false",
    "logger=csv",
    "callbacks.last_checkpoint.every_s=0",  # last.ckpt after every epoch
    "seed=7",
]


def val_losses(run_dir) -> list[float]:
    return [h["val_loss"] for h in runs.read_json(run_dir / runs.RESULTS)["history"]]


@pytest.mark.slow
def test_a_run_killed_mid_epoch_resumes_to_the_val_loss_of_an_uninterrupted_run(tmp_path):
    killed = tmp_path / "killed"
    last = killed / "checkpoints" / "last.ckpt"
    env = {**os.environ, "WANDB_MODE": "disabled", "OMP_NUM_THREADS": "1"}
    with open(tmp_path / "killed.err", "w") as err:
        proc = subprocess.Popen(
            [sys.executable, *ARGS, f"hydra.run.dir={killed}"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err
        )
        deadline = time.monotonic() + 240
        while not last.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.15)  # into the next epoch
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, (tmp_path / "killed.err").read_text()[-2000:]
    killed_at = torch.load(last, weights_only=True)["epoch"]
    assert killed_at < 4 and not (killed / runs.RESULTS).exists()  # it was stopped while training

    resumed = run_script(*ARGS, f"hydra.run.dir={killed}", "ckpt_path=last")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"resuming from {last}" in resumed.stderr
    whole = run_script(*ARGS, f"hydra.run.dir={tmp_path / 'whole'}")
    assert whole.returncode == 0, whole.stderr[-2000:]

    print(f"\nkilled after epoch {killed_at}; val loss per epoch, resumed: {val_losses(killed)}")
    print(f"uninterrupted:                        {val_losses(tmp_path / 'whole')}")
    assert len(val_losses(killed)) == 5
    assert val_losses(killed) == val_losses(tmp_path / "whole")


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("whole")
    whole = run_script(*ARGS, f"hydra.run.dir={run_dir}")
    assert whole.returncode == 0, whole.stderr[-2000:]
    return val_losses(run_dir)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_ctrl_c_or_sigterm_saves_last_ckpt_says_how_to_resume_and_the_resumed_run_matches(
    tmp_path, signum, uninterrupted
):
    run_dir = tmp_path / "run"
    last = run_dir / "checkpoints" / "last.ckpt"
    env = {**os.environ, "WANDB_MODE": "disabled", "OMP_NUM_THREADS": "1"}
    args = [a for a in ARGS if not a.startswith("callbacks.last_checkpoint")]  # last.ckpt only at the signal
    proc = subprocess.Popen(
        [sys.executable, *args, "callbacks.last_checkpoint.every_s=1e9", f"hydra.run.dir={run_dir}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 240
    while not (run_dir / "checkpoints").is_dir() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # the best checkpoint of epoch 1 is written: training is under way
    time.sleep(0.15)  # into the next epoch
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signum, stderr[-2000:]
    assert "Traceback" not in stderr
    (line,) = [line for line in stderr.splitlines() if line.startswith(f"interrupted by {signum.name}")]
    assert f"saved {last}" in line
    error = runs.read_json(run_dir / runs.ERROR)
    assert error["status"] == "interrupted" and error["signal"] == signum
    assert runs.read_run(run_dir)["status"] == "interrupted" and not (run_dir / runs.RESULTS).exists()
    ckpt = torch.load(last, weights_only=False)
    stopped_in = ckpt["epoch"]
    batches_done = ckpt["loops"]["fit_loop"]["epoch_loop.batch_progress"]["current"]["completed"]
    assert stopped_in < 4 and 0 < batches_done  # mid-epoch: the resume must skip the batches already done

    resume = line.split("; resume: ")[1].split()
    assert resume[:2] == ["python", "train.py"] and resume[-1] == "ckpt_path=last"
    resumed = run_script("train.py", *resume[2:])
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"resuming from {last}" in resumed.stderr and not (run_dir / runs.ERROR).exists()
    print(f"\n{signum.name} in epoch {stopped_in + 1} after {batches_done} batches; resumed: {val_losses(run_dir)}")
    print(f"uninterrupted: {uninterrupted}")
    assert val_losses(run_dir) == uninterrupted


def test_a_reused_run_name_is_refused_unless_resumed_or_overwritten(tmp_path):
    run_dir = tmp_path / "run"
    args = [
        "train.py",
        "model.n_a=8",
        "data.stride=16",
        "trainer.max_epochs=1",
        "logger=csv",
        f"hydra.run.dir={run_dir}",
    ]
    first = run_in_process(*args)
    assert first.returncode == 0, first.stderr[-2000:]
    again = run_in_process(*args)
    assert_one_line_error(again, str(run_dir), "ckpt_path=last", "overwrite=true")
    assert again.returncode == 2
    overwritten = run_in_process(*args, "overwrite=true")
    assert overwritten.returncode == 0, overwritten.stderr[-2000:]
    assert len(list((run_dir / "checkpoints").glob("best-*.ckpt"))) == 1  # no -v1 beside the first run's
    assert [p.name for p in (run_dir / "csv").iterdir()] == ["version_0"]


def test_a_run_that_failed_before_its_first_checkpoint_leaves_its_name_free(tmp_path):
    run_dir = tmp_path / "run"
    args = ["train.py", "model.n_a=8", "data.stride=16", "logger=csv", f"hydra.run.dir={run_dir}"]
    refused = run_in_process(*args, "trainer.max_epochs=-3")  # Lightning's own check, after the folder is made
    assert_one_line_error(refused, "max_epochs")
    assert (run_dir / runs.ERROR).exists() and not (run_dir / "checkpoints").exists()
    fixed = run_in_process(*args, "trainer.max_epochs=1")  # the same name, the value corrected: no overwrite=true
    assert fixed.returncode == 0, fixed.stderr[-2000:]
    assert (run_dir / runs.RESULTS).exists() and not (run_dir / runs.ERROR).exists()


def test_the_same_command_again_after_early_stopping_trains_no_more(tmp_path):
    run_dir = tmp_path / "run"
    args = ["train.py", "model.n_a=8", "data.stride=16", "logger=csv", f"hydra.run.dir={run_dir}", "ckpt_path=last"]
    stopping = ["trainer.max_epochs=30", "callbacks.early_stopping.patience=1", "callbacks.early_stopping.min_delta=10"]
    first = run_in_process(*args, *stopping)
    assert first.returncode == 0, first.stderr[-2000:]
    results = runs.read_json(run_dir / runs.RESULTS)
    assert results["stopped_early"] and results["epochs"] == 2
    again = run_in_process(*args, *stopping)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "stopped early after epoch 2: nothing to resume" in again.stderr
    assert again.stdout.strip().splitlines()[-1] == results["best_ckpt"]
    assert runs.read_json(run_dir / runs.RESULTS) == results  # not trained, not rewritten


def test_an_epoch_done_again_after_a_resume_rewrites_its_best_checkpoint_rather_than_adding_a_v1(tmp_path):
    """A kill between an epoch's best checkpoint and its last.ckpt: the resumed run does that epoch again."""
    run_dir, checkpoints = tmp_path / "run", tmp_path / "run" / "checkpoints"
    args = ["train.py", "model.n_a=8", "data.stride=16", "logger=csv", f"hydra.run.dir={run_dir}", "seed=3"]
    assert run_in_process(*args, "trainer.max_epochs=1").returncode == 0
    after_one = (checkpoints / "last.ckpt").read_bytes()
    assert run_in_process(*args, "trainer.max_epochs=2", "ckpt_path=last").returncode == 0
    (best,) = checkpoints.glob("best-*.ckpt")
    (checkpoints / "last.ckpt").write_bytes(after_one)  # as if killed before last.ckpt was rewritten
    again = run_in_process(*args, "trainer.max_epochs=2", "ckpt_path=last")
    assert again.returncode == 0, again.stderr[-2000:]
    assert sorted(p.name for p in checkpoints.glob("best-*.ckpt")) == [best.name]  # the same epoch, the same name
    assert runs.read_json(run_dir / runs.RESULTS)["best_ckpt"] == str(best)
