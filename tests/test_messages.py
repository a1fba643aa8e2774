"""What train.py prints: the lines that help, none of the libraries' noise."""

from __future__ import annotations

import pytest

from conftest import run_script

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
