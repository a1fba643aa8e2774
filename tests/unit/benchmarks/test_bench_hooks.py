"""The per-feature cost table runs end to end: a record for the plain loop, Lightning with everything on,
each feature off in turn, none of ours with validation on, everything off, and the time inside each callback's
hooks (figures are never asserted)."""

from __future__ import annotations

import json

from benchmarks.hooks import FEATURES, main


def test_the_hooks_benchmark_times_each_feature_turned_off(capsys):
    main(["--epochs", "2", "--repeat", "1", "--json"])
    records = json.loads(capsys.readouterr().out)
    fits = [r for r in records if "epochs_s" in r]
    floor = ["none of ours, validation on", "all off (Lightning's own loop)"]
    assert [r["variant"] for r in fits] == ["plain PyTorch loop", "all on", *FEATURES, *floor]
    assert all(r["epochs_s"] > 0 and r["fit_s"] > 0 and r["val_every"] == 1 for r in fits)
    # one round: each variant's own ratio to the plain loop is the ratio of their times
    plain = fits[0]["epochs_s"]
    assert all(r["median_round_ratio"] == r["epochs_s"] / plain for r in fits[1:])
    # and the time inside each of our callbacks' hooks, measured directly in the fits with all on
    inside = {r["variant"]: r["hooks_cpu_s"] for r in records if "hooks_cpu_s" in r}
    assert {"inside BestCheckpoint", "inside RunRecord", "inside module: validation metrics out"} <= set(inside)
    assert "inside EpochClock" not in inside and all(seconds > 0 for seconds in inside.values())
