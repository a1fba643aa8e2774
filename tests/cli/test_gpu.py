"""CUDA end to end (skipped without CUDA; `make gpu-check` runs these on a lent GPU), and the GPU check's
own smoke test on the CPU."""

from __future__ import annotations

import json
import math

import pytest

from conftest import run_script

TINY = ["logger=none", "trainer.max_epochs=2", "+trainer.limit_train_batches=4", "data.Tx=12", "model.n_a=16"]


def manifest(folder) -> list[dict]:
    return json.loads((folder / "manifest.json").read_text())["solos"]


@pytest.mark.gpu
def test_train_on_the_gpu_then_generate_on_the_gpu_and_the_cpu(tmp_path):
    trained = run_script("train.py", "trainer=gpu", *TINY, f"hydra.run.dir={tmp_path / 'run'}")
    assert trained.returncode == 0, trained.stderr[-2000:]
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert results["best_val_loss"] < 10
    for device in ("cuda", "cpu"):
        made = run_script(
            "generate.py", f"ckpt={tmp_path / 'run'}", "n=8", f"device={device}", f"out={tmp_path / device}"
        )
        assert made.returncode == 0, made.stderr[-2000:]
    on_gpu, on_cpu = manifest(tmp_path / "cuda"), manifest(tmp_path / "cpu")
    assert len(on_gpu) == len(on_cpu) == 8
    # greedy from the same weights: the same solos up to float rounding, so log-probabilities agree closely
    for a, b in zip(on_gpu, on_cpu):
        assert a["log_prob"] == pytest.approx(b["log_prob"], rel=0.05)


@pytest.mark.gpu
def test_bf16_mixed_training_on_the_gpu_learns(tmp_path):
    trained = run_script("train.py", "trainer=gpu", "+trainer.precision=bf16-mixed", *TINY, f"hydra.run.dir={tmp_path}")
    assert trained.returncode == 0, trained.stderr[-2000:]
    losses = [h["val_loss"] for h in json.loads((tmp_path / "results.json").read_text())["history"]]
    assert all(math.isfinite(x) for x in losses) and losses[-1] < losses[0]


@pytest.mark.slow
def test_gpu_check_runs_its_code_paths_on_the_cpu(tmp_path):
    done = run_script("-m", "benchmarks", "gpu", f"--out={tmp_path}", timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert done.stdout.startswith("gpu check: no CUDA here")
    records = json.loads((tmp_path / "gpu_check.json").read_text())["records"]
    assert {r["section"] for r in records} == {"tests", "sampler", "condition", "train", "sweep", "generate"}
    sampler = [r for r in records if r["section"] == "sampler" and r["impl"] != "limits"]
    assert {r["impl"] for r in sampler} == {"naive", "eager", "fast"} and all(r["tokens_per_s"] > 0 for r in sampler)
    train = [r for r in records if r["section"] == "train"]
    assert {r["case"] for r in train} == {"exercise", "wjazzd-size"} and all(r["lightning"] > 0 for r in train)
    table = (tmp_path / "gpu_check.md").read_text()
    assert "## Sampler" in table and "Chord-conditioned" in table and "## Training" in table
    assert "| joblib | 2 | 9 |" in table and "| fork | 2 | 9 |" in table and "| basic | 1 | 9 |" in table
