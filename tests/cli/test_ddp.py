"""Distributed data parallel on two CPU processes (gloo), through train.py and Lightning's launcher."""

from __future__ import annotations

import pytest

from conftest import run_script
from jazz_solo import runs
from jazz_solo.checkpoint import load_checkpoint
from jazz_solo.config import DataConfig
from jazz_solo.training.data import JazzDataModule


@pytest.mark.slow
def test_ddp_with_two_cpu_processes_trains_and_writes_a_loadable_checkpoint(tmp_path):
    data = ["data.Tx=12", "data.stride=8"]
    result = run_script(
        "train.py",
        "trainer=ddp",
        "trainer.accelerator=cpu",
        "trainer.devices=2",
        "trainer.max_epochs=2",
        "model.n_a=16",
        *data,
        "logger=csv",
        "+trainer.enable_progress_bar=false",
        f"hydra.run.dir={tmp_path}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    printed = [line for line in result.stdout.splitlines() if line.endswith(".ckpt")]
    assert len(printed) == 1  # rank 0 alone prints the checkpoint
    ckpt = load_checkpoint(printed[0])
    single = JazzDataModule(DataConfig(Tx=12, stride=8))
    single.setup()
    assert ckpt.vocab == single.vocab  # the same vocabulary as a one-process run
    assert "distributed_backend=gloo" in result.stderr and "Starting with 2 processes" in result.stderr
    results = runs.read_json(tmp_path / runs.RESULTS)
    assert results["epochs"] == 2 and results["best_ckpt"] == printed[0]
