"""The training benchmark runs end to end and prints its records (figures are never asserted)."""

from __future__ import annotations

import json

from benchmarks.training import main
from conftest import WJAZZD_EXTRACT


def test_training_benchmark_prints_a_record_per_timing(capsys):
    main(["--epochs", "3", "--repeat", "1", "--no-cold", "--no-wjazzd", "--json"])
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


def test_the_full_corpus_case_times_loading_and_training_on_wjazzd(capsys):
    main(["--epochs", "1", "--repeat", "1", "--no-cold", "--wjazzd", str(WJAZZD_EXTRACT), "--steps", "2", "--json"])
    records = [r for r in json.loads(capsys.readouterr().out) if r.get("case") == "wjazzd"]
    assert [r["impl"] for r in records] == ["load_cold", "load_cached", "plain", "lightning"]
    assert records[0]["pieces"] == 4 and all(r["seconds"] > 0 for r in records)  # data=wjazzd: 4/4 solos
    assert all(r["tokens_per_s"] > 0 and r["steps"] >= 1 and r["n_values"] >= 1 for r in records[2:])
