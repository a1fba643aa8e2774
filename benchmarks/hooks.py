"""python -m benchmarks hooks [--epochs N] [--repeat N] [--val-every N] [--json]

What each feature of a training run costs per epoch: Lightning's fit on the exercise's shape (as
`python -m benchmarks train` runs it, validation every epoch by default, early stopping on with a patience
that never stops), timed whole and with one feature turned off at a time. A feature's cost is the time it
saves when off; "all off" is Lightning's own loop with nothing of ours, beside the plain PyTorch loop.
Runs alternate and the fastest of --repeat counts. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import torch
from pytorch_lightning.callbacks import EarlyStopping, ModelCheckpoint

from benchmarks.training import exercise_batch, lightning_fit, plain_loop
from jazz_solo.training.callbacks import LastCheckpoint, OptimizerStats, RunRecord, SampleSolo

NEVER_STOPS = {"_target_": "pytorch_lightning.callbacks.EarlyStopping", "monitor": "val_loss", "patience": 10**9}


def no_progress_bar(cfg: Any) -> None:
    cfg.trainer["enable_progress_bar"] = False


def no_loggers(cfg: Any) -> None:
    cfg.logger = {}


def never_validate(cfg: Any) -> None:
    cfg.trainer["check_val_every_n_epoch"] = cfg.trainer["max_epochs"] + 1


def lightning_only(cfg: Any) -> None:
    no_progress_bar(cfg), no_loggers(cfg)


def bare(cfg: Any) -> None:
    lightning_only(cfg), never_validate(cfg)


# feature -> (config change, callback types taken out)
FEATURES: dict[str, tuple[Callable[[Any], None] | None, tuple[type, ...]]] = {
    "progress bar": (no_progress_bar, ()),
    "run record (results.json)": (None, (RunRecord,)),
    "best checkpoint": (None, (ModelCheckpoint,)),
    "last.ckpt + interrupt handling": (None, (LastCheckpoint,)),
    "early stopping": (None, (EarlyStopping,)),
    "lr / grad-norm logging": (None, (OptimizerStats,)),
    "sample solo (at fit end)": (None, (SampleSolo,)),
    "loggers (W&B offline)": (no_loggers, ()),
    "validation": (never_validate, ()),
}
EVERYTHING = (RunRecord, ModelCheckpoint, LastCheckpoint, EarlyStopping, OptimizerStats, SampleSolo)


# hooks called once a fit, not every epoch: left out of the per-epoch times
ONCE_A_FIT = {"setup", "teardown", "on_fit_start", "on_fit_end", "on_train_start", "on_train_end", "on_exception"}
ONCE_A_FIT |= {"on_sanity_check_start", "on_sanity_check_end"}


class HookTimer:
    """Times what runs inside each callback's hooks (and the module's on_validation_epoch_end, which hands
    the validation metrics to the callbacks and loggers) during a fit's epochs: a direct measure, where
    the table's costs are differences of noisy totals."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def __call__(self, trainer: Any, module: Any) -> None:
        for callback in trainer.callbacks:
            if type(callback).__name__ == "EpochClock":  # the bench's own
                continue
            for name in dir(type(callback)):
                if (name.startswith("on_") or name == "state_dict") and name not in ONCE_A_FIT:
                    setattr(callback, name, self._timed(type(callback).__name__, getattr(callback, name)))
        name = "module: validation metrics out"
        module.on_validation_epoch_end = self._timed(name, module.on_validation_epoch_end)

    def _timed(self, name: str, hook: Callable) -> Callable:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return hook(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.process_time() - start

        return timed


def with_early_stopping(change: Callable[[Any], None] | None) -> Callable[[Any], None]:
    """The exercise turns early stopping off; the table measures it on, as every other run has it."""

    def changed(cfg: Any) -> None:
        cfg.callbacks["early_stopping"] = dict(NEVER_STOPS)
        if change:
            change(cfg)

    return changed


def records(epochs: int, val_every: int, repeat: int) -> list[dict]:
    """One record a variant: seconds of its epochs and of the whole fit, fastest of `repeat`."""
    train, val = exercise_batch(0), exercise_batch(1)
    plain_loop(train, val, 3, 1)  # warm-up: the first Adam of a process costs about a second
    variants = {"all on": (None, ()), **FEATURES}
    # the floor: Lightning's own training and validation loops, with nothing of ours but the module
    variants["none of ours, validation on"] = (lightning_only, EVERYTHING)
    variants["all off (Lightning's own loop)"] = (bare, EVERYTHING)
    best: dict[str, dict] = {}
    rounds: dict[str, list[float]] = {}  # each round's epoch seconds, for the rounds' own ratios
    plain, plain_cpu = [], []
    hook_cpu: dict[str, float] = {}
    with contextlib.redirect_stdout(sys.stderr):  # Lightning's and W&B's lines: stdout is for results
        for turn in range(repeat):
            cpu_start = time.process_time()
            plain.append(plain_loop(train, val, epochs, val_every))
            plain_cpu.append(time.process_time() - cpu_start)
            # each round in another order: a fit runs slower just after some others (a W&B run still
            # flushing), which would otherwise weigh on the same variants every round
            names = list(variants)[turn % len(variants) :] + list(variants)[: turn % len(variants)]
            for name in names:
                change, drop = variants[name]
                fit = lightning_fit(train, val, epochs, val_every, with_early_stopping(change), drop)
                rounds.setdefault(name, []).append(fit["epochs_s"])
                fastest = best.setdefault(name, fit)
                for key in ("epochs_s", "epochs_cpu_s", "fit_s"):  # each the fastest of its own
                    fastest[key] = min(fastest[key], fit[key])
            # a fit of its own: the timer's wrappers would slow the "all on" fits the table compares
            timer = HookTimer()
            lightning_fit(train, val, epochs, val_every, with_early_stopping(None), (), timer)
            for hook, seconds in timer.seconds.items():  # each the least of its rounds
                hook_cpu[hook] = min(hook_cpu.get(hook, seconds), seconds)
    found = [{"variant": "plain PyTorch loop", "epochs_s": min(plain), "epochs_cpu_s": min(plain_cpu)}]
    found[0]["fit_s"] = found[0]["epochs_s"]
    found += [
        {"variant": name} | {key: best[name][key] for key in ("epochs_s", "epochs_cpu_s", "fit_s")} for name in variants
    ]
    for r in found[1:]:  # the median of the rounds' ratios: a slow stretch of the VM weighs on both sides alike
        r["median_round_ratio"] = statistics.median(x / p for x, p in zip(rounds[r["variant"]], plain))
    found += [{"variant": f"inside {hook}", "hooks_cpu_s": seconds} for hook, seconds in sorted(hook_cpu.items())]
    return [r | {"epochs": epochs, "val_every": val_every, "threads": torch.get_num_threads()} for r in found]


def table(found: list[dict]) -> str:
    plain, full = found[0], found[1]
    epochs = plain["epochs"]
    lines = [
        f"Per-feature cost, Lightning fit on the exercise's shape, {epochs} epochs, validation every "
        f"{plain['val_every']} epoch(s), {plain['threads']} thread(s); cost = the time saved when turned off,",
        "per epoch in wall time and in this process's CPU time (steadier when other processes load the machine):",
        f"{'':36}{'wall ms':>9}{'cost':>8}{'CPU ms':>9}{'cost':>8}{'whole fit s':>13}{'cost':>8}",
    ]
    inside = [r for r in found if "hooks_cpu_s" in r]
    found = [r for r in found if "hooks_cpu_s" not in r]
    for r in found:
        cells = [f"{1000 * r[key] / epochs:9.2f}" for key in ("epochs_s", "epochs_cpu_s")]
        costs = [f"{1000 * (full[key] - r[key]) / epochs:+8.2f}" for key in ("epochs_s", "epochs_cpu_s")]
        costs.append(f"{full['fit_s'] - r['fit_s']:+8.2f}")
        if r is plain or r is full:
            costs = [" " * 8] * 3
        lines.append(f"{r['variant']:36}{cells[0]}{costs[0]}{cells[1]}{costs[1]}{r['fit_s']:13.2f}{costs[2]}")
    wall, cpu = (full[key] / plain[key] for key in ("epochs_s", "epochs_cpu_s"))
    lines.append(
        f"Lightning's epochs, all on: {wall:.2f}x the plain loop in wall time, {cpu:.2f}x in CPU time (target <= 1.1x);"
        f" the median of the rounds' own ratios: {full['median_round_ratio']:.2f}x"
    )
    lines.append("CPU time inside each callback's hooks during the epochs, all on (least of the rounds), per epoch:")
    lines += [f"  {r['variant'][len('inside ') :]:34}{1000 * r['hooks_cpu_s'] / epochs:9.3f} ms" for r in inside]
    floor = next(r for r in found if r["variant"] == "none of ours, validation on")
    lines.append(
        f"Lightning's own loops with none of our features: {floor['epochs_s'] / plain['epochs_s']:.2f}x in wall time,"
        f" {floor['epochs_cpu_s'] / plain['epochs_cpu_s']:.2f}x in CPU time;"
        f" the median of the rounds' own ratios: {floor['median_round_ratio']:.2f}x"
    )
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks hooks", description=__doc__.splitlines()[2])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--val-every", type=int, default=1, help="validate every N epochs (default: every epoch)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1: the machine is shared)")
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs of each; the fastest counts")
    parser.add_argument("--json", action="store_true", help="print JSON records instead of the table")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    found = records(args.epochs, args.val_every, args.repeat)
    print(json.dumps(found, indent=1) if args.json else table(found))
