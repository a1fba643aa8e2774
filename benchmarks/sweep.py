"""python -m benchmarks sweep [--epochs N] [--batches N] [--jobs N] [--json]

The 9-run n_a x Tx grid (`train.py -m experiment=sweep_na_tx`) at a CPU budget (a few epochs of a few
batches each, CSV logger), run twice in one go: trials one after another (Hydra's basic launcher, one
process) and several at once (Hydra's joblib launcher, --jobs worker processes). Every trial runs on one
torch thread both ways. Prints the wall times, their ratio and trials per minute, and whether both gave
the same per-trial results (they should: each trial has its own seed and folder). Figures are printed,
never asserted; on a shared machine they are noisy.
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

ROOT = Path(__file__).resolve().parents[1]
GRID = ["experiment=sweep_na_tx", "logger=csv"]


def launcher_args(jobs: int) -> list[str]:
    """Hydra overrides for `jobs` trials at once: the basic launcher for 1, joblib (processes) above."""
    return [] if jobs == 1 else ["hydra/launcher=joblib", f"hydra.launcher.n_jobs={jobs}"]


def run_sweep(folder: Path, budget: list[str], jobs: int, threads: int = 1, timeout: float = 1800) -> float:
    """Wall seconds of the grid in `folder` with `jobs` trials at once, each on `threads` torch threads."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "WANDB_MODE": "disabled", "HYDRA_FULL_ERROR": "0"}
    command = [sys.executable, "train.py", "-m", *GRID, *budget, *launcher_args(jobs), f"hydra.sweep.dir={folder}"]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"the sweep with {jobs} job(s) exited {done.returncode}: {done.stderr[-1500:]}")
    return seconds


def trial_results(folder: Path) -> list[tuple]:
    """(run, n_a, Tx, status, best_val_loss) of each trial, from the sweep's report."""
    with (folder / "report.csv").open() as report:
        return [(r["run"], r["n_a"], r["Tx"], r["status"], r["best_val_loss"]) for r in csv.DictReader(report)]


def records(budget: list[str], jobs: int, threads: int = 1) -> list[dict]:
    """One record for the trials one after another, one for `jobs` at once; `same_results` on the second."""
    found = []
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        for n in (1, jobs):
            seconds = run_sweep(Path(tmp) / f"jobs{n}", budget, n, threads)
            trials = len(trial_results(Path(tmp) / f"jobs{n}"))
            launcher = "basic" if n == 1 else "joblib"
            found.append({"launcher": launcher, "jobs": n, "trials": trials, "wall_s": seconds, "budget": budget})
            found[-1]["trials_per_min"] = 60 * trials / seconds
        found[-1]["same_results"] = trial_results(Path(tmp) / "jobs1") == trial_results(Path(tmp) / f"jobs{jobs}")
    found[-1]["speedup"] = found[0]["wall_s"] / found[-1]["wall_s"]
    return found


def table(found: list[dict]) -> str:
    lines = [
        f"The 9-run n_a x Tx grid (experiment=sweep_na_tx) with {' '.join(found[0]['budget'])}, one thread a trial:"
    ]
    lines.append(f"{'':34}{'wall s':>8}{'trials/min':>12}{'speed-up':>10}")
    for r in found:
        name = "one after another (basic)" if r["jobs"] == 1 else f"{r['jobs']} at once (joblib)"
        speedup = f"{r['speedup']:.2f}x" if "speedup" in r else ""
        lines.append(f"{name:34}{r['wall_s']:8.1f}{r['trials_per_min']:12.1f}{speedup:>10}")
    lines.append(f"same per-trial results both ways: {'yes' if found[-1]['same_results'] else 'NO'}")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks sweep", description=__doc__.splitlines()[2])
    parser.add_argument("--epochs", type=int, default=3, help="trainer.max_epochs of each trial")
    parser.add_argument("--batches", type=int, default=10, help="training batches an epoch (limit_train_batches)")
    parser.add_argument("--jobs", type=int, default=2, help="trials at once (default 2: the cores here)")
    parser.add_argument("--json", action="store_true", help="print JSON records instead of the table")
    args = parser.parse_args(argv)
    budget = [f"trainer.max_epochs={args.epochs}", f"+trainer.limit_train_batches={args.batches}"]
    found = records(budget, args.jobs)
    print(json.dumps(found, indent=1) if args.json else table(found))
