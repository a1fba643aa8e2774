"""What train.py prints: the lines that help, none of the libraries' noise."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest

from conftest import ROOT, run_script

NOISE = (
    "The anonymous setting has no effect",  # wandb, from Lightning's WandbLogger
    "GPU available: False",
    "TPU available: False",
    "| Name | Type",  # Lightning's model summary table
    "exists and is not empty",  # the checkpoint folder of a resumed run
    "smaller than the logging interval",  # a small corpus
    "Restoring states from the checkpoint",
    "Warning",
)


@pytest.mark.slow
def test_a_run_and_its_resume_print_no_library_noise(tmp_path):
    args = ["train.py", "logger=wandb", "data.stride=200", "model.n_a=16", f"hydra.run.dir={tmp_path}"]
    first = run_script(*args, "trainer.max_epochs=1")
    resumed = run_script(*args, "trainer.max_epochs=2", "ckpt_path=last")
    for result in (first, resumed):
        assert result.returncode == 0, result.stderr[-2000:]
        assert not [line for line in result.stderr.splitlines() if any(noise in line for noise in NOISE)]
        assert "model: lstm, n_a=16, " in result.stderr and "33 train / 498 val windows" in result.stderr
    assert f"resuming from {tmp_path / 'checkpoints' / 'last.ckpt'}" in resumed.stderr


@pytest.mark.slow
@pytest.mark.parametrize("columns", [0, 100])
def test_a_terminal_of_no_size_gets_the_epoch_lines_and_a_sized_one_the_bar(columns, tmp_path):
    """`script` without `stty` gives a pty that reports 0 x 0: a bar there would draw nothing."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24 if columns else 0, columns, 0, 0))
    env = {**os.environ, "WANDB_MODE": "disabled", "OMP_NUM_THREADS": "1"}
    args = ["train.py", "logger=none", "data.stride=50", "model.n_a=8", "trainer.max_epochs=2"]
    proc = subprocess.Popen(
        [sys.executable, *args, f"hydra.run.dir={tmp_path}"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=slave
    )
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the pty
            break
        if not chunk:
            break
        shown += chunk
    proc.wait(timeout=240)
    os.close(master)
    text = shown.decode(errors="replace")
    assert proc.returncode == 0, text[-2000:]
    epoch_lines = [line for line in text.splitlines() if "[INFO] - epoch 2/2: val_loss=" in line]
    if columns:
        assert not epoch_lines and "epoch 2/2" in text and "batch/s" in text  # the bar, drawn in place
    else:
        assert len(epoch_lines) == 1


@pytest.mark.slow
def test_offline_wandb_says_where_its_run_is_in_one_line(tmp_path):
    env = {**os.environ, "WANDB_MODE": "offline", "OMP_NUM_THREADS": "1", "HYDRA_FULL_ERROR": "0"}
    args = ["train.py", "logger=wandb", "data.stride=200", "model.n_a=8", "trainer.max_epochs=1"]
    result = subprocess.run(
        [sys.executable, *args, f"hydra.run.dir={tmp_path}"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert not [line for line in result.stderr.splitlines() if line.startswith("wandb:")]  # its banner and summary
    assert f"W&B run: {tmp_path / 'wandb' / 'offline-run-'}" in result.stderr
