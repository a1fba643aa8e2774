"""python -m benchmarks gpu [--out DIR] [--skip SECTIONS]: the one prepared GPU check (`make gpu-check`).

A GPU is lent to this project only now and then, for minutes, so everything it should tell us runs in
one go (about 4 minutes on an H100), each section timed and recorded even when another fails:

- tests: the `gpu`-marked tests (pytest in a subprocess);
- sampler: tokens/s of the CUDA-graph loop (`fast`), the same torch loop launched op by op (`eager`) and
  the naive loop, greedy and sample, batch 1 to 65536, and the share of the GPU's limit each reaches;
- train: training tokens/s, Lightning's fit against a plain PyTorch loop on the same batches, fp32 and
  bf16-mixed, on the exercise's shape and on a corpus of WJazzD's size (random values: speed does not
  depend on them);
- sweep: the 9-run n_a x Tx grid (`train.py -m experiment=sweep_na_tx`) at `make sweep`'s budget on the
  one GPU, trials one after the other (Hydra's basic launcher) and three at once, forked from one
  process (`hydra/launcher=fork`) and in joblib's workers: wall time, trials per minute, speed-up
  (benchmarks/sweep.py);
- generate: the wall time of `generate.py device=cuda n=10000` (and of the same on the CPU).

It writes `gpu_check.json` (the records) and `gpu_check.md` (the tables) in --out. Without CUDA it says
so in one line and runs the same code paths on the CPU at a tiny size (CI smoke-tests it); exit 0.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import asdict
from pathlib import Path

import torch

from benchmarks.sampler import (
    FLOP_PER_TOKEN as STEP_FLOP,  # the recurrent matmul and the head
)
from benchmarks.sampler import (
    N_A,
    N_VALUES,
    bench_checkpoint,
    best_seconds,
    condition_records,
    sampler_records,
)
from benchmarks.sweep import records as sweep_records
from jazz_solo.net import SoloNet

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("tests", "sampler", "train", "sweep", "generate")
# The least memory traffic of one unfused step, per row, in bytes (float32): the recurrent addmm reads h
# and the input's table row and writes the gates; the cell reads the gates and c, writes h and c; the head
# reads h and writes the logits, which the pick reads again.
STEP_BYTES = 4 * (N_A + 4 * N_A + 4 * N_A + 4 * N_A + N_A + 2 * N_A + N_A + 2 * N_VALUES)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def device_limits(device: torch.device, tiny: bool) -> dict:
    """Measured here: fp32 matmul FLOP/s (TF32 off, as the sampler runs) and copy bandwidth (bytes read +
    written per second); the sampler's ceiling in tokens/s is the lower of what each allows."""
    size = 256 if tiny else 8192
    a, b = torch.randn(size, size, device=device), torch.randn(size, size, device=device)
    flops = 2 * size**3 / best_seconds(lambda: a @ b, device)
    src = torch.empty(2**18 if tiny else 2**28, device=device)  # 1 GiB on the GPU
    dst = torch.empty_like(src)
    bandwidth = 2 * src.numel() * 4 / best_seconds(lambda: dst.copy_(src), device)
    ceiling = min(flops / STEP_FLOP, bandwidth / STEP_BYTES)
    return {"matmul_fp32_tflops": flops / 1e12, "copy_gb_per_s": bandwidth / 1e9, "ceiling_tokens_per_s": ceiling}


def environment(device: torch.device) -> dict:
    found = {
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if device.type == "cuda" else None,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor() or "cpu",
        "cpu_count": os.cpu_count(),
    }
    if device.type == "cuda":
        found["gpu_memory_gib"] = round(torch.cuda.get_device_properties(device).total_memory / 2**30, 1)
        smi = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"], capture_output=True)
        found["driver"] = smi.stdout.decode().strip() or None
    return found


def run(command: list[str], timeout: float, env: dict | None = None) -> tuple[float, subprocess.CompletedProcess]:
    """Seconds and result of a project command in a fresh process (W&B off)."""
    env = {**os.environ, "WANDB_MODE": "disabled", "HYDRA_FULL_ERROR": "0", **(env or {})}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    return time.perf_counter() - start, done


def check(done: subprocess.CompletedProcess) -> None:
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(done.args[1:4])} ... exited {done.returncode}: {done.stderr[-1500:]}")


def tests_section(device: torch.device, tiny: bool) -> list[dict]:
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").rglob("test_*.py") if "mark.gpu" in p.read_text())
    seconds, done = run(
        [sys.executable, "-m", "pytest", "-m", "gpu", "-q", "-rs", "-p", "no:cacheprovider", *files], 300
    )
    summary = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
    # pytest's exit 5 is "no test ran": every gpu test skipped, as it should be without CUDA
    ok = done.returncode == 0 or (done.returncode == 5 and device.type == "cpu")
    if not ok:
        print(done.stdout[-4000:], done.stderr[-2000:], file=sys.stderr)
    return [{"section": "tests", "files": files, "summary": summary, "passed": ok, "wall_s": seconds}]


def sampler_section(device: torch.device, tiny: bool) -> list[dict]:
    limits = device_limits(device, tiny)
    torch.manual_seed(0)
    net = SoloNet(N_VALUES, N_A).eval().to(device)
    batches = (1, 64) if tiny else (1, 64, 1024, 8192, 65536)
    impls = ("naive", "eager", "fast")
    found = [{"section": "sampler", "impl": "limits", **limits, "step_bytes": STEP_BYTES, "step_flop": STEP_FLOP}]
    for r in sampler_records(net, device, torch.get_num_threads(), impls, batches):
        share = r["tokens_per_s"] / limits["ceiling_tokens_per_s"]
        found.append({"section": "sampler", **r, "share_of_ceiling": share})
    # the chord-conditioned network's fast loop beside the same shape unconditioned (at batch 1 and 1024)
    return found + [{"section": "condition", **r} for r in condition_records(device, None, batches)]


def train_tokens_per_s(case: dict, device: torch.device, precision: str, lightning: bool) -> float:
    """Training tokens (targets) per second over `case["steps"]` batches after a warm-up of 5 batches."""
    import pytorch_lightning as pl
    from torch.nn import functional as F
    from torch.utils.data import DataLoader

    from jazz_solo.config import DataConfig, ModelConfig
    from jazz_solo.training.data import EpochBatches, WindowDataset
    from jazz_solo.training.module import JazzSoloModule

    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)  # its device lines and tips, once per fit
    warnings.filterwarnings("ignore", ".*(does not have many workers|no `val_dataloader`|Tensor Cores).*")
    n_values, tx, batch, steps = case["n_values"], case["Tx"], case["batch"], case["steps"]
    g = torch.Generator().manual_seed(0)
    windows = torch.randint(0, n_values, (batch * (steps + 5), tx + 1), generator=g).to(device)
    dataset = WindowDataset(windows)
    loader = DataLoader(dataset, batch_size=None, sampler=EpochBatches(len(dataset), batch, shuffle=False))
    vocab = [str(i) for i in range(n_values)]
    model = JazzSoloModule(asdict(ModelConfig(n_a=case["n_a"])), asdict(DataConfig(Tx=tx)), vocab, [1] * n_values, {})
    model.net.lookup = case["input"] == "lookup"
    model.to(device)
    targets = batch * tx * steps
    if lightning:

        class Clock(pl.Callback):  # the timed batches: from the 6th on
            def on_train_batch_start(self, trainer, module, batch, index):
                if index == 5:
                    sync(device)
                    self.start = time.perf_counter()

            def on_train_end(self, trainer, module):
                sync(device)
                self.seconds = time.perf_counter() - self.start

        clock = Clock()
        accelerator = "gpu" if device.type == "cuda" else "cpu"
        trainer = pl.Trainer(
            accelerator=accelerator, devices=1, precision=precision, max_epochs=1, limit_val_batches=0,
            logger=False, enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
            callbacks=[clock], num_sanity_val_steps=0,
        )  # fmt: skip
        trainer.fit(model, train_dataloaders=loader)
        return targets / clock.seconds
    optimizer = model.configure_optimizers()
    dtype = torch.bfloat16 if precision == "bf16-mixed" else None
    for index, (x, y, *features) in enumerate(loader):
        if index == 5:
            sync(device)
            start = time.perf_counter()
        with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
            logits = model(x, *features)
            loss = F.cross_entropy(logits.reshape(-1, n_values).float(), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    sync(device)
    return targets / (time.perf_counter() - start)


def train_section(device: torch.device, tiny: bool) -> list[dict]:
    cases = [  # the exercise: 60 windows of Tx 30 over 78 values, one full batch a step
        {"case": "exercise", "n_values": 78, "n_a": 64, "Tx": 30, "batch": 60, "steps": 20 if tiny else 200},
        # WJazzD's size: ~200 k values, a 1,024-value vocabulary (98 % of its notes), stride-1 windows
        {"case": "wjazzd-size", "n_values": 1024, "n_a": 128, "Tx": 30, "batch": 32 if tiny else 512},
    ]
    cases[1]["steps"] = 4 if tiny else 200_000 // cases[1]["batch"]  # an epoch
    # the network's own choice of input projection (a row lookup above 4 n_a values), and the one-hot product
    cases = [{**c, "input": "lookup" if c["n_values"] > 4 * c["n_a"] else "one-hot"} for c in cases]
    cases.append({**cases[1], "input": "one-hot"})
    found = []
    for case in cases:
        # bf16 LSTMs are a GPU path: oneDNN has no bf16 LSTM kernel for most CPUs
        both = device.type == "cuda" and case is not cases[-1]
        for precision in ("32-true", "bf16-mixed") if both else ("32-true",):
            rates = {
                impl: train_tokens_per_s(case, device, precision, impl == "lightning")
                for impl in ("plain", "lightning")
            }
            ratio = rates["plain"] / rates["lightning"]
            found.append({"section": "train", **case, "precision": precision, **rates, "plain_over_lightning": ratio})
    return found


def sweep_section(device: torch.device, tiny: bool) -> list[dict]:
    """The 9-run n_a x Tx grid at `make sweep`'s budget, trials one after another and three at once (fork, joblib)."""
    budget = ["trainer.max_epochs=8", "+trainer.limit_train_batches=40", "trainer=gpu"]
    if tiny:
        budget = ["trainer.max_epochs=1", "+trainer.limit_train_batches=2", "+trainer.limit_val_batches=2"]
    return [{"section": "sweep", **r} for r in sweep_records(budget, 2 if tiny else 3, ["fork", "joblib"])]


def generate_section(device: torch.device, tiny: bool) -> list[dict]:
    n = 20 if tiny else 10_000
    found = []
    with tempfile.TemporaryDirectory(prefix="gpu_check_generate_") as tmp:
        ckpt = bench_checkpoint(Path(tmp) / "bench.ckpt")
        for where in dict.fromkeys([device.type, "cpu"]):
            command = [sys.executable, "generate.py", f"ckpt={ckpt}", f"n={n}", f"device={where}", "strategy=sample"]
            seconds, done = run([*command, f"out={tmp}/{where}", "overwrite=true"], 600)
            check(done)
            found.append({"section": "generate", "device": where, "n": n, "wall_s": seconds})
    return found


def rate(x: float) -> str:
    return f"{x / 1e9:.2f} G" if x >= 1e9 else f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x / 1e3:.1f} k"


def markdown(env: dict, records: list[dict]) -> str:
    """The records as tables, one per section."""
    lines = [f"# GPU check: {env['device']}", ""]
    lines += [", ".join(f"{k} {v}" for k, v in env.items() if v is not None), ""]
    by = {s: [r for r in records if r["section"] == s] for s in SECTIONS + ("condition", "error")}
    for r in by["error"]:
        lines.append(f"- **{r['failed']} failed**: `{r['error']}`")
    for r in by["tests"]:
        lines += [
            "## gpu tests",
            "",
            f"`pytest -m gpu {' '.join(r['files'])}`: {r['summary']} ({r['wall_s']:.0f} s)",
            "",
        ]
    if by["sampler"]:
        limits = by["sampler"][0]
        lines += ["## Sampler (50 steps, n_values 78, n_a 64; tokens/s, best of >= 3 runs)", ""]
        lines += [
            f"Ceiling {rate(limits['ceiling_tokens_per_s'])} tokens/s: the lower of fp32 matmul "
            f"{limits['matmul_fp32_tflops']:.1f} TFLOP/s / {STEP_FLOP} FLOP a token and copy bandwidth "
            f"{limits['copy_gb_per_s']:.0f} GB/s / {STEP_BYTES} bytes a token (an unfused step's least traffic).",
            "",
            "| strategy | batch | naive | eager | fast (CUDA graph on CUDA) | fast / naive | fast, share of ceiling |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        rows = [r for r in by["sampler"] if r["impl"] != "limits"]
        for strategy in ("greedy", "sample"):
            for batch in sorted({r["batch"] for r in rows}):
                got = {r["impl"]: r for r in rows if r["strategy"] == strategy and r["batch"] == batch}
                if len(got) < 3:
                    continue
                speedup = got["fast"]["tokens_per_s"] / got["naive"]["tokens_per_s"]
                cells = [rate(got[k]["tokens_per_s"]) for k in ("naive", "eager", "fast")]
                share = f"{100 * got['fast']['share_of_ceiling']:.1f} %"
                lines.append(f"| {strategy} | {batch} | {' | '.join(cells)} | {speedup:.1f}x | {share} |")
        lines.append("")
    if by["condition"]:
        lines += ["Chord-conditioned (`model.condition=chords`) against the same network unconditioned, fast loop:", ""]
        lines += ["| strategy | batch | none | chords | chords / none |", "|---|---:|---:|---:|---:|"]
        for strategy in ("greedy", "sample"):
            for batch in sorted({r["batch"] for r in by["condition"]}):
                got = {r["condition"]: r["tokens_per_s"] for r in by["condition"]
                       if r["strategy"] == strategy and r["batch"] == batch}  # fmt: skip
                if len(got) == 2:
                    none, chords = got["none"], got["chords"]
                    lines.append(f"| {strategy} | {batch} | {rate(none)} | {rate(chords)} | {chords / none:.2f} |")
        lines.append("")
    if by["train"]:
        lines += ["## Training (tokens = targets per second; timed after 5 warm-up batches)", ""]
        lines += [
            "| case | n_values | n_a | Tx | batch | steps | precision | plain loop | Lightning | plain / Lightning |"
        ]
        lines += ["|---|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
        for r in by["train"]:
            cells = [r.get(k, "") for k in ("case", "input", "n_values", "n_a", "Tx", "batch", "steps", "precision")]
            lines.append(f"| {' | '.join(map(str, cells))} | {rate(r['plain'])} | {rate(r['lightning'])} | "
                         f"{r['plain_over_lightning']:.2f} |")  # fmt: skip
        lines.append("")
    if by["sweep"]:
        lines += [
            f"## Sweep: the 9-run n_a x Tx grid (experiment=sweep_na_tx), {' '.join(by['sweep'][0]['budget'])}",
            "",
        ]
        lines += [
            "| launcher | trials at once | trials | wall time | trials/min | speed-up |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for r in by["sweep"]:
            cells = [r["launcher"], r["jobs"], r["trials"], f"{r['wall_s']:.1f} s", f"{r['trials_per_min']:.1f}"]
            lines.append(f"| {' | '.join(map(str, cells))} | {r['speedup']:.2f}x |")
        same = all(r["same_results"] for r in by["sweep"])
        lines += ["", f"Same per-trial results with every launcher: {'yes' if same else 'no'}.", ""]
    if by["generate"]:
        lines += ["## generate.py strategy=sample (MIDI files written)", ""]
        lines += ["| device | n | wall time |", "|---|---:|---:|"]
        lines += [f"| {r['device']} | {r['n']} | {r['wall_s']:.1f} s |" for r in by["generate"]]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks gpu", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="outputs/gpu_check", help="folder for gpu_check.json and gpu_check.md")
    parser.add_argument("--skip", default="", help=f"sections to leave out, comma-separated ({', '.join(SECTIONS)})")
    args = parser.parse_args(argv)
    skip = {s for s in args.skip.split(",") if s}
    if skip - set(SECTIONS):
        sys.exit(f"error: --skip: unknown section(s) {', '.join(sorted(skip - set(SECTIONS)))}")
    tiny = not torch.cuda.is_available()
    device = torch.device("cpu" if tiny else "cuda")
    if tiny:
        print("gpu check: no CUDA here; running the same code paths on the CPU at a tiny size", flush=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    env = environment(device)
    records: list[dict] = []
    for section in SECTIONS:
        if section in skip:
            continue
        start = time.perf_counter()
        try:
            records += globals()[f"{section}_section"](device, tiny)
        except Exception as err:  # one failing section must not cost the others their figures
            traceback.print_exc()
            records.append({"section": "error", "failed": section, "error": f"{type(err).__name__}: {err}"[:2000]})
        print(f"gpu check: {section} done in {time.perf_counter() - start:.0f} s", flush=True)
        # written after every section: a run cut off by its time limit still leaves what it measured
        (out / "gpu_check.json").write_text(json.dumps({"environment": env, "records": records}, indent=1))
        (out / "gpu_check.md").write_text(markdown(env, records))
    print((out / "gpu_check.md").read_text())
    if any(r["section"] == "error" or r.get("passed") is False for r in records):
        sys.exit(1)
