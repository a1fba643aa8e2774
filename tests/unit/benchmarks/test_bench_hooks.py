"""The per-feature cost table runs end to end: a record for the plain loop, Lightning with everything on,
each feature off in turn, none of ours with validation on, and everything off (figures are never asserted)."""

from __future__ import annotations

import json

from benchmarks.hooks import FEATURES, main


def test_the_hooks_benchmark_times_each_feature_turned_off(capsys):
    main(["--epochs", "2", "--repeat", "1", "--json"])
    records = json.loads(capsys.readouterr().out)
    variants = [r["variant"] for r in records]
    floor = ["none of ours, validation on", "all off (Lightning's own loop)"]
    assert variants == ["plain PyTorch loop", "all on", *FEATURES, *floor]
    assert all(r["epochs_s"] > 0 and r["fit_s"] > 0 and r["val_every"] == 1 for r in records)
