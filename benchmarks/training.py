"""python -m benchmarks train [--epochs N] [--threads N] [--repeat N] [--no-cold] [--wjazzd PATH] [--json]

Lightning's fit against a plain PyTorch loop, in one process, on the classic exercise's shape: m = 60
windows of Tx = 30 over 78 values, n_a = 64, one full batch per epoch, Adam (lr 0.01), 100 epochs. Both
sides do the same work: a training step every epoch, and a validation pass over 60 windows every 10th
epoch (as `experiment=exercise` runs it) or every epoch (the default trainer's cadence). Lightning runs
with the config train.py composes for `experiment=exercise` (trainer, checkpoint callbacks, W&B offline
logger, progress bar, and the callbacks every run gets); its data are the same tensors. Then the cold
wall time of `python train.py experiment=exercise` in a fresh process.

The full-corpus case (when WJazzD is at data/wjazzd, ../shared/data/wjazzd or --wjazzd; skipped otherwise):
the corpus's load time (read and encode, `experiment=wjazzd`'s data settings) with an empty cache and
from the cache, then training tokens per second on its windows (batch x Tx values a step), the plain loop
against Lightning's fit with the `experiment=wjazzd` config, a fixed number of steps each, no validation.

Figures are printed, never asserted; on a shared machine they are noisy.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any
from unittest import mock

import torch
from torch.nn import functional as F

ROOT = Path(__file__).resolve().parents[1]
M, TX, N_VALUES, N_A, LR = 60, 30, 78, 64, 0.01


def exercise_batch(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Random windows of the exercise's shape: x one-hot (M, TX, N_VALUES) float, y (M, TX) int64."""
    rows = torch.randint(0, N_VALUES, (M, TX + 1), generator=torch.Generator().manual_seed(seed))
    return F.one_hot(rows[:, :-1], N_VALUES).float(), rows[:, 1:]


def plain_loop(train: tuple, val: tuple, epochs: int, val_every: int) -> float:
    """Seconds for `epochs` epochs of the textbook loop (the same model class, loss and accuracy),
    validating after every `val_every`-th epoch."""
    from jazz_solo.net import SoloNet

    torch.manual_seed(0)
    net = SoloNet(N_VALUES, N_A)
    optimizer = torch.optim.Adam(net.parameters(), lr=LR)
    (x, y), (xv, yv) = train, val
    start = time.perf_counter()
    for epoch in range(epochs):
        net.train()
        logits = net(x)[0]
        loss = F.cross_entropy(logits.reshape(-1, N_VALUES), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss.item()  # what a loop prints or keeps per epoch
        if (epoch + 1) % val_every:
            continue
        net.eval()
        with torch.no_grad():
            logits = net(xv)[0]
            val_loss = F.cross_entropy(logits.reshape(-1, N_VALUES), yv.reshape(-1))
            val_acc = (logits.argmax(-1) == yv).float().mean()
        float(val_loss), float(val_acc)
    return time.perf_counter() - start


def project_config(out: Path, epochs: int, val_every: int):
    """The training config of `train.py experiment=exercise`, output in `out`."""
    from hydra import compose, initialize_config_dir

    from jazz_solo.cli import load
    from jazz_solo.config import TrainConfig

    with initialize_config_dir(str(ROOT / "conf"), version_base="1.3"):
        overrides = [f"trainer.max_epochs={epochs}", f"trainer.check_val_every_n_epoch={val_every}"]
        composed = compose("train", ["experiment=exercise", f"output_dir={out}", "name=bench", *overrides])
    return load(TrainConfig, composed)


def lightning_fit(
    train: tuple,
    val: tuple,
    epochs: int,
    val_every: int,
    change: Callable[[Any], None] | None = None,
    drop: tuple[type, ...] = (),
    watch: Callable[[Any, Any], None] | None = None,
) -> dict[str, float]:
    """Seconds for: building the Trainer (loggers start here), the whole fit, and its epochs alone (wall
    and CPU time).

    `change(cfg)` edits the config before the Trainer is built, and callbacks of the `drop` types are taken
    out of it after: benchmarks/hooks.py turns features off with them. `watch(trainer, module)` is called
    just before the fit (benchmarks/hooks.py times each callback's hooks with it)."""
    import pytorch_lightning as pl
    from torch.utils.data import DataLoader, TensorDataset

    from jazz_solo.config import DataConfig
    from jazz_solo.corpus.embedded import default_backing
    from jazz_solo.training.data import JazzDataModule
    from jazz_solo.training.fit import build_trainer
    from jazz_solo.training.module import JazzSoloModule

    class EpochClock(pl.Callback):  # wall time, and this process's CPU time (other processes' load aside)
        def on_train_start(self, trainer, pl_module):
            self.start, self.cpu_start = time.perf_counter(), time.process_time()

        def on_train_end(self, trainer, pl_module):
            self.seconds, self.cpu = time.perf_counter() - self.start, time.process_time() - self.cpu_start

    # Real values of the embedded corpus as the vocabulary, so the W&B sample solo can be rendered.
    corpus = JazzDataModule(DataConfig())
    corpus.setup()
    with tempfile.TemporaryDirectory(prefix="bench_train_") as out:
        cfg = project_config(Path(out), epochs, val_every)
        if change:
            change(cfg)
        torch.manual_seed(0)
        model = JazzSoloModule(
            model=asdict(cfg.model) | {"n_a": N_A, "lr": LR},
            data=asdict(cfg.data) | {"Tx": TX, "batch_size": M},
            vocab=corpus.vocab[:N_VALUES],
            value_counts=[1] * N_VALUES,
            backing=default_backing(0).to_dict(),
        )
        # batch_size=None: each loader yields the one full batch as it is, like the plain loop's tensors.
        loaders = [DataLoader(TensorDataset(*(t[None] for t in data)), batch_size=None) for data in (train, val)]
        start = time.perf_counter()
        trainer = build_trainer(cfg)
        trainer.callbacks[:] = [cb for cb in trainer.callbacks if not isinstance(cb, drop)]
        built = time.perf_counter()
        clock = EpochClock()
        trainer.callbacks.insert(0, clock)
        if watch:
            watch(trainer, model)
        trainer.fit(model, *loaders)
        end = time.perf_counter()
        if trainer.loggers:
            import wandb

            wandb.finish()
    return {"build_s": built - start, "fit_s": end - built, "epochs_s": clock.seconds, "epochs_cpu_s": clock.cpu}


def find_wjazzd(given: str | None) -> Path | None:
    from jazz_solo.corpus.wjazzd import is_wjazzd

    places = [Path(given)] if given else [ROOT / "data" / "wjazzd", ROOT.parent / "shared" / "data" / "wjazzd"]
    return next((place for place in places if is_wjazzd(place)), None)


def wjazzd_config(path: Path, out: Path, steps: int):
    """`train.py experiment=wjazzd` (as it was: below) on `path`: one epoch of `steps` steps, no validation."""
    from hydra import compose, initialize_config_dir

    from jazz_solo.cli import load
    from jazz_solo.config import TrainConfig

    overrides = [f"data.path={path}", f"output_dir={out}", "name=bench", "trainer.max_epochs=1"]
    overrides += [f"+trainer.limit_train_batches={steps}", "+trainer.limit_val_batches=0", "logger=none"]
    overrides += ["~callbacks.early_stopping"]  # it watches val_loss, which a run with no validation lacks
    # the shape this case has timed since it was written (the grammar, unconditioned, the keys as played,
    # n_a 128 over windows of 64, a plain network), so its figures stay comparable and its plain loop
    # trains the same network; the experiment itself has moved on (conf/experiment/wjazzd.yaml)
    overrides += ["data.tokenizer=grammar", "data.transpose=0", "model.condition=none", "model.n_a=128"]
    overrides += ["data.Tx=64", "data.stride=32", "data.val_stride=64", "model.dropout=0.2"]
    overrides += ["model.shared=false", "model.weight_drop=0", "model.schedule=constant"]
    with initialize_config_dir(str(ROOT / "conf"), version_base="1.3"):
        return load(TrainConfig, compose("train", ["experiment=wjazzd", *overrides]))


def wjazzd_case(path: Path, steps: int, repeat: int) -> list[dict]:
    """Records: load_cold / load_cached (seconds), plain / lightning (training tokens per second)."""
    import pytorch_lightning as pl

    from jazz_solo.corpus.encoding import encode_values
    from jazz_solo.net import SoloNet
    from jazz_solo.training.data import JazzDataModule
    from jazz_solo.training.fit import build_trainer
    from jazz_solo.training.module import JazzSoloModule

    records = []
    with tempfile.TemporaryDirectory(prefix="bench_wjazzd_") as out:
        cfg = wjazzd_config(path, Path(out), steps)
        with mock.patch.dict(os.environ, JAZZ_SOLO_CACHE=str(Path(out) / "cache")):  # an empty cache first
            for impl in ("load_cold", "load_cached"):
                start = time.perf_counter()
                corpus = encode_values(cfg.data)
                records.append({"impl": impl, "seconds": time.perf_counter() - start, "pieces": len(corpus.names)})
            data = JazzDataModule(cfg.data)
            data.setup()
        batches = [batch for _, batch in zip(range(steps), data.train_dataloader())]
        tokens = sum(y.numel() for _, y in batches)
        model = cfg.model

        def plain() -> float:
            torch.manual_seed(0)
            net = SoloNet(data.n_values, model.n_a, model.cell, model.dropout)
            optimizer = torch.optim.Adam(net.parameters(), lr=model.lr)
            start = time.perf_counter()
            for x, y in batches:
                logits = net(x)[0]
                loss = F.cross_entropy(logits.reshape(-1, data.n_values), y.reshape(-1))
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                loss.item()
            return time.perf_counter() - start

        class Clock(pl.Callback):
            def on_train_epoch_start(self, trainer, pl_module):
                self.start = time.perf_counter()

            def on_train_epoch_end(self, trainer, pl_module):
                self.seconds = time.perf_counter() - self.start

        def lightning() -> float:
            torch.manual_seed(0)
            module = JazzSoloModule(asdict(cfg.model), **data.describe())
            trainer, clock = build_trainer(cfg), Clock()
            trainer.callbacks.insert(0, clock)
            trainer.fit(module, datamodule=data)
            return clock.seconds

        plain()  # warm-up
        for impl, run in (("plain", plain), ("lightning", lightning)):
            seconds = min(run() for _ in range(repeat))
            records.append({"impl": impl, "seconds": seconds, "tokens_per_s": tokens / seconds, "steps": steps})
    shape = {"n_values": data.n_values, "n_a": model.n_a, "Tx": cfg.data.Tx, "batch_size": cfg.data.batch_size}
    return [{"case": "wjazzd"} | record | shape for record in records]


def cold_train_seconds(threads: int) -> float:
    """Wall time of a fresh `python train.py experiment=exercise` (default logger: W&B offline)."""
    with tempfile.TemporaryDirectory(prefix="bench_train_cold_") as out:
        env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
        command = [sys.executable, "train.py", "experiment=exercise", f"hydra.run.dir={out}"]
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"error: train.py failed:\n{done.stderr[-2000:]}")
    return seconds


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks train", description=__doc__.splitlines()[2])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1: the machine is shared)")
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs of each; the fastest counts")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold `python train.py` timing")
    parser.add_argument("--wjazzd", help="the WJazzD folder or .db (default: data/wjazzd or ../shared/data/wjazzd)")
    parser.add_argument("--no-wjazzd", action="store_true", help="skip the full-corpus case")
    parser.add_argument("--steps", type=int, default=20, help="WJazzD case: training steps timed per run")
    parser.add_argument("--json", action="store_true", help="print JSON records instead of the table")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    train, val = exercise_batch(0), exercise_batch(1)
    plain_loop(train, val, 3, 1)  # warm-up: the first Adam of a process costs about a second
    records = []
    with contextlib.redirect_stdout(sys.stderr):  # Lightning's progress bar and summaries: stdout is for results
        for val_every in (10, 1):
            plain, fits = [], []
            for _ in range(args.repeat):
                plain.append(plain_loop(train, val, args.epochs, val_every))
                fits.append(lightning_fit(train, val, args.epochs, val_every))
            best_plain = min(plain)
            best_fit = min(fits, key=lambda f: f["epochs_s"])
            timings = {"plain": best_plain, "lightning_epochs": best_fit["epochs_s"]}
            timings["lightning_fit"] = best_fit["fit_s"]
            if val_every == 10:
                timings["lightning_build_trainer"] = best_fit["build_s"]
            for impl, seconds in timings.items():
                records.append(
                    {"impl": impl, "seconds": seconds, "epochs": args.epochs, "val_every": val_every}
                    | {"threads": args.threads, "ratio": seconds / best_plain}
                )
    if not args.no_cold:
        cold = cold_train_seconds(args.threads)
        cold_record = {"impl": "train_py_cold", "seconds": cold, "epochs": 100, "val_every": 10}
        records.append(cold_record | {"threads": args.threads})

    wjazzd = None if args.no_wjazzd else find_wjazzd(args.wjazzd)
    if wjazzd is not None:
        with contextlib.redirect_stdout(sys.stderr):
            records += wjazzd_case(wjazzd, args.steps, args.repeat)
    if args.json:
        print(json.dumps(records, indent=1))
        return
    print(
        f"Training, {args.epochs} epochs of {M} x {TX} x {N_VALUES} (n_a {N_A}, one full batch per epoch), "
        f"{args.threads} torch thread(s), fastest of {args.repeat}:"
    )
    print(f"{'':58}{'seconds':>9}{'ms/epoch':>10}{'vs plain':>10}")
    labels = {
        "plain": "plain PyTorch loop",
        "lightning_epochs": "Lightning fit, its epochs",
        "lightning_fit": "Lightning fit, whole (+ sanity check, sample)",
        "lightning_build_trainer": "building the Trainer (W&B starts here)",
    }
    for record in records:
        if record.get("case") == "wjazzd":
            continue
        if record["impl"] == "train_py_cold":
            print(f"cold `python train.py experiment=exercise`: {record['seconds']:.1f} s (target <= 12 s)")
            continue
        if record["impl"] == "plain":
            cadence = "every 10th epoch, as experiment=exercise" if record["val_every"] == 10 else "every epoch"
            print(f"validation {cadence} (target for Lightning's epochs: <= 1.1x):")
        label = "  " + labels[record["impl"]]
        per_epoch = f"{1000 * record['seconds'] / args.epochs:.2f}"
        if record["impl"] == "lightning_build_trainer":
            per_epoch = ""
        print(f"{label:58}{record['seconds']:9.3f}{per_epoch:>10}{record['ratio']:9.2f}x")
    full = [record for record in records if record.get("case") == "wjazzd"]
    if not full:
        print("WJazzD: not found (data/wjazzd, ../shared/data/wjazzd or --wjazzd): full-corpus case skipped")
        return
    first = full[-1]
    print(
        f"WJazzD, experiment=wjazzd ({full[0]['pieces']} solos, {first['n_values']} values, n_a {first['n_a']}, "
        f"batch {first['batch_size']} x Tx {first['Tx']}):"
    )
    for record in full:
        if record["impl"].startswith("load"):
            print(f"  load {record['impl'][5:]:<12}{record['seconds']:8.2f} s")
        else:
            print(f"  training, {record['impl']:<10}{record['tokens_per_s']:8.0f} tokens/s ({record['steps']} steps)")
