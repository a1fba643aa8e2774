"""The sampler benchmark runs and reports what it promises (figures are never asserted)."""

from __future__ import annotations

import json

from benchmarks import sampler as bench
from jazz_solo.checkpoint import load_checkpoint
from jazz_solo.config import GenerateConfig
from jazz_solo.generation import generate


def test_json_records_name_impl_strategy_batch_steps_and_rate(capsys):
    bench.main(["--threads", "1", "--batches", "1,8", "--no-compile", "--no-cold", "--json"])
    records = json.loads(capsys.readouterr().out)
    keys = {"impl", "strategy", "batch", "steps", "tokens_per_s"}
    assert all(keys <= set(r) and r["tokens_per_s"] > 0 and r["steps"] == 50 for r in records)
    found = {(r["impl"], r["strategy"], r["batch"]) for r in records}
    for batch in (1, 8):
        assert {("roofline", "matmul", batch), ("fast", "greedy", batch), ("naive", "sample", batch)} <= found


def test_the_table_compares_fast_with_naive(capsys):
    bench.main(["--threads", "1", "--batches", "4", "--no-compile", "--no-cold"])
    lines = capsys.readouterr().out.splitlines()
    assert "threads by default" in lines[0]
    assert any(" fast " in line and "x naive" in line and "% of roofline" in line for line in lines)


def test_the_bench_checkpoint_generates(tmp_path):
    ckpt = bench.bench_checkpoint(tmp_path / "bench.ckpt")
    assert len(load_checkpoint(ckpt).vocab) == bench.N_VALUES
    (path,) = generate(GenerateConfig(ckpt=str(ckpt), length=20, out=str(tmp_path / "solos")))
    assert path.stat().st_size > 100


def test_conditioned_rows_sit_beside_the_same_loop_unconditioned(capsys):
    bench.main(["--threads", "1", "--batches", "1", "--no-compile", "--no-cold", "--no-numba"])
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    for strategy in ("greedy", "sample"):
        assert any(row[1:4] == ["fast+none", strategy, "1"] for row in rows)
        assert any(row[1:4] == ["fast+chords", strategy, "1"] and "unconditioned," in row for row in rows)
