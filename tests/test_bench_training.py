"""The training benchmark runs end to end and prints its records (figures are never asserted)."""

from __future__ import annotations

import json

from jazz_solo.bench.training import main


def test_training_benchmark_prints_a_record_per_timing(capsys):
    main(["--epochs", "3", "--repeat", "1", "--no-cold", "--json"])
    records = json.loads(capsys.readouterr().out)
    assert [r["impl"] for r in records] == ["plain", "lightning_epochs", "lightning_fit", "lightning_build_trainer"]
    assert all(r["seconds"] > 0 and r["epochs"] == 3 for r in records)
