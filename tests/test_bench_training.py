"""The training benchmark runs end to end and prints its records (figures are never asserted)."""

from __future__ import annotations

import json

from jazz_solo.bench.training import main


def test_training_benchmark_prints_a_record_per_timing(capsys):
    main(["--epochs", "3", "--repeat", "1", "--no-cold", "--json"])
    records = json.loads(capsys.readouterr().out)
    assert [(r["impl"], r["val_every"]) for r in records] == [
        ("plain", 10),
        ("lightning_epochs", 10),
        ("lightning_fit", 10),
        ("lightning_build_trainer", 10),
        ("plain", 1),
        ("lightning_epochs", 1),
        ("lightning_fit", 1),
    ]
    assert all(r["seconds"] > 0 and r["epochs"] == 3 for r in records)
