"""Runs that survive a kill: SIGKILL a real training process mid-epoch, resume it with ckpt_path=last."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from conftest import ROOT, run_script
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
