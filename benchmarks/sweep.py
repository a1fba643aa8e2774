"""python -m benchmarks sweep [--epochs N] [--batches N] [--jobs N] [--launchers L,...] [--json]

The 9-run n_a x Tx grid (`train.py -m experiment=sweep_na_tx`) at a CPU budget (a few epochs of a few
batches each, CSV logger), run in one go with each launcher: trials one after another (Hydra's basic
launcher, one process), then --jobs at once forked from one process (`hydra/launcher=fork`, ours) and in
joblib's worker processes (`hydra/launcher=joblib`). Every trial runs on one torch thread. Prints the wall
times, their ratio to one after another, trials per minute, and whether every launcher gave the same
per-trial results (it should: each trial has its own seed and folder). Figures are printed, never
asserted; on a shared machine they are noisy.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jazz_solo.training.sweep_callback import RUNS_FAILED  # a sweep that wrote its report, some runs failed

ROOT = Path(__file__).resolve().parents[1]
GRID = ["experiment=sweep_na_tx", "logger=csv"]


LAUNCHERS = ("basic", "fork", "joblib")


def launcher_args(launcher: str, jobs: int) -> list[str]:
    """Hydra overrides for `launcher` running `jobs` trials at once (basic: always one)."""
    return [f"hydra/launcher={launcher}"] + ([] if launcher == "basic" else [f"hydra.launcher.n_jobs={jobs}"])


def run_sweep(
    folder: Path, budget: list[str], launcher: str, jobs: int, threads: int = 1, timeout: float = 1800
) -> float:
    """Wall seconds of the grid in `folder` with `launcher`, `jobs` trials at once, `threads` torch threads each."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "WANDB_MODE": "disabled", "HYDRA_FULL_ERROR": "0"}
    command = [sys.executable, "train.py", "-m", *GRID, *budget, *launcher_args(launcher, jobs)]
    command.append(f"hydra.sweep.dir={folder}")
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - start
    if done.returncode != 0 and not (done.returncode == RUNS_FAILED and (folder / "report.csv").exists()):
        raise RuntimeError(f"the sweep with {launcher} exited {done.returncode}: {done.stderr[-1500:]}")
    return seconds


def trial_results(folder: Path) -> list[tuple]:
    """(run, n_a, Tx, status, best_val_loss) of each trial, from the sweep's report."""
    with (folder / "report.csv").open() as report:
        return [(r["run"], r["n_a"], r["Tx"], r["status"], r["best_val_loss"]) for r in csv.DictReader(report)]


def records(budget: list[str], jobs: int, launchers: list[str], threads: int = 1) -> list[dict]:
    """One record a launcher (the basic one first, the others' speed-up against it), with `same_results`."""
    found = []
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        for launcher in ["basic", *(name for name in launchers if name != "basic")]:
            n = 1 if launcher == "basic" else jobs
            seconds = run_sweep(Path(tmp) / launcher, budget, launcher, n, threads)
            results = trial_results(Path(tmp) / launcher)
            found.append({"launcher": launcher, "jobs": n, "trials": len(results), "wall_s": seconds, "budget": budget})
            found[-1] |= {"trials_per_min": 60 * len(results) / seconds, "speedup": found[0]["wall_s"] / seconds}
            found[-1]["same_results"] = results == trial_results(Path(tmp) / "basic")
    return found


def table(found: list[dict]) -> str:
    lines = [
        f"The 9-run n_a x Tx grid (experiment=sweep_na_tx) with {' '.join(found[0]['budget'])}, one thread a trial:"
    ]
    lines.append(f"{'':38}{'wall s':>8}{'trials/min':>12}{'speed-up':>10}{'same results':>14}")
    for r in found:
        name = "one after another (basic)" if r["launcher"] == "basic" else f"{r['jobs']} at once ({r['launcher']})"
        same = "yes" if r["same_results"] else "NO"
        lines.append(f"{name:38}{r['wall_s']:8.1f}{r['trials_per_min']:12.1f}{r['speedup']:9.2f}x{same:>14}")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks sweep", description=__doc__.splitlines()[2])
    parser.add_argument("--epochs", type=int, default=3, help="trainer.max_epochs of each trial")
    parser.add_argument("--batches", type=int, default=10, help="training batches an epoch (limit_train_batches)")
    parser.add_argument("--jobs", type=int, default=2, help="trials at once (default 2: the cores here)")
    parser.add_argument("--launchers", default=",".join(LAUNCHERS), help="which, besides basic (default: all)")
    parser.add_argument("--json", action="store_true", help="print JSON records instead of the table")
    args = parser.parse_args(argv)
    budget = [f"trainer.max_epochs={args.epochs}", f"+trainer.limit_train_batches={args.batches}"]
    found = records(budget, args.jobs, args.launchers.split(","))
    print(json.dumps(found, indent=1) if args.json else table(found))
