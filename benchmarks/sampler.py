"""python -m benchmarks [sampler] [--threads 1,2] [--no-compile] [--no-numba] [--no-cold] [--json]

The sampler's throughput in one process: the fast loop (`impl="fast"`, on CUDA a replayed CUDA graph)
against the naive loop (the network's nn.LSTM called one step at a time), at batch 1, 64, 1024 and
8192, 50 generated steps, n_values = 78, n_a = 64, `greedy` and `sample` (temperature 0.8), log-probs
included; the fast loop through torch.compile at batch 1; at batch 1 and 64 with 1 thread, the numba kernel
(`impl="numba"`, which `fast` runs for a few LSTM rows on CPU) against the torch loop (`impl="eager"`),
with numba's first call (its import, and its JIT or the JIT's cache on disk); and this machine's roofline: the addmm
throughput of the step's two matmuls ((B, 64) x (64, 256) and (B, 64) x (64, 78)), turned into tokens/s
at 42.8 kFLOP a token. The chord-conditioned sampler (model.condition=chords: 68 features a step, each
row's time on a 3-bar progression) at batch 1 and 1024, greedy and sample, beside the same network
shape unconditioned (`impl="fast"`: on CPU the numba kernel at batch 1, the torch loop at 1024; records
with condition chords and none). Then the cold wall time of `python generate.py ckpt=... n=1` in a fresh process,
on a checkpoint of that shape built in a temporary folder.

Each figure is the best of several runs (at least 3, at least 0.3 s in all); figures are printed,
never asserted, and on a shared machine they are noisy. By default the CPU is measured with 1 thread
and with torch's default count, the latter only when the load average leaves those cores free.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import torch

from jazz_solo.conditioning import CONDITION_FEATURES, durations, progression_features
from jazz_solo.net import SoloNet
from jazz_solo.sampling import sampler
from jazz_solo.sampling.sampler import Condition, sample

ROOT = Path(__file__).resolve().parents[1]
N_VALUES, N_A, STEPS = 78, 64, 50
BATCHES = (1, 64, 1024, 8192)
CONDITIONED_BATCHES = (1, 1024)
BACKING = "Dm7 G7 | Cmaj7 | Cmaj7"
FLOP_PER_TOKEN = 2 * N_A * (4 * N_A + N_VALUES)  # the recurrent matmul and the head


def best_seconds(run, device: torch.device, min_total: float = 0.3, min_runs: int = 3) -> float:
    """The fastest of several runs of `run()` after one warm-up run (which also captures CUDA graphs)."""

    def timed() -> float:
        start = time.perf_counter()
        run()
        if device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - start

    timed()
    times = [timed()]
    while len(times) < min_runs or (sum(times) < min_total and len(times) < 100):
        times.append(timed())
    return min(times)


def sampler_records(net: SoloNet, device: torch.device, threads: int, impls: tuple[str, ...], batches) -> list[dict]:
    records = []
    for strategy in ("greedy", "sample"):
        for batch in batches:
            primer = torch.zeros(batch, 1, dtype=torch.long, device=device)
            for impl in impls:

                def run(impl=impl, primer=primer, strategy=strategy):
                    gen = torch.Generator(device=device).manual_seed(0)
                    sample(net, primer, STEPS + 1, strategy, temperature=0.8, generator=gen, impl=impl)

                seconds = best_seconds(run, device)
                records.append(record(impl, strategy, batch, batch * STEPS / seconds, device, threads))
    return records


def condition_records(device: torch.device, threads: int | None, batches) -> list[dict]:
    """The fast loop of a chord-conditioned network over BACKING (its features, the vocabulary's durations),
    and of the same network's shape unconditioned."""
    from jazz_solo.music.chords import Progression

    features = progression_features(Progression.parse(BACKING), CONDITION_FEATURES["chords"]).to(device)
    lengths = durations(bench_vocab())
    records = []
    for strategy in ("greedy", "sample"):
        for batch in [b for b in batches if b in CONDITIONED_BATCHES]:
            primer = torch.zeros(batch, 1, dtype=torch.long, device=device)
            for condition in ("none", "chords"):
                torch.manual_seed(0)
                net = SoloNet(N_VALUES, N_A, n_features=CONDITION_FEATURES[condition]).eval().to(device)
                given = Condition.one_loop(features, batch, lengths) if condition == "chords" else None

                def run(net=net, primer=primer, strategy=strategy, given=given):
                    gen = torch.Generator(device=device).manual_seed(0)
                    sample(net, primer, STEPS + 1, strategy, temperature=0.8, generator=gen, condition=given)

                rate = batch * STEPS / best_seconds(run, device)
                records.append(record("fast", strategy, batch, rate, device, threads, condition=condition))
    return records


def numba_records(net: SoloNet, threads: int, batches, import_s: float) -> list[dict]:
    """The numba kernel next to the torch loop it replaces at small batch; its first call in the process
    (JIT, or loading the JIT's cache from disk) and numba's import (import_s) are reported apart."""
    records = []
    for strategy in ("greedy", "sample"):
        for batch in [b for b in batches if b in (1, 64)]:
            primer = torch.zeros(batch, 1, dtype=torch.long)
            for impl in ("eager", "numba"):

                def run(impl=impl, primer=primer, strategy=strategy):
                    gen = torch.Generator().manual_seed(0)
                    sample(net, primer, STEPS + 1, strategy, temperature=0.8, generator=gen, impl=impl)

                start = time.perf_counter()
                run()
                first = {"first_call_s": time.perf_counter() - start, "import_s": import_s} if impl == "numba" else {}
                rate = batch * STEPS / best_seconds(run, torch.device("cpu"))
                records.append(record(impl, strategy, batch, rate, torch.device("cpu"), threads, **first))
    return records


def compiled_records(net: SoloNet, threads: int) -> list[dict]:
    """torch.compile of the fast loop at batch 1, where eager's per-op cost (~1-2 us) dominates."""
    primer = torch.zeros(1, 1, dtype=torch.long)

    def run():
        sample(net, primer, STEPS + 1, "greedy", impl="compiled")

    start = time.perf_counter()
    run()  # compiles (cached on disk by torch for later processes)
    compile_s = time.perf_counter() - start
    seconds = best_seconds(run, torch.device("cpu"))
    return [record("compiled", "greedy", 1, STEPS / seconds, torch.device("cpu"), threads, compile_s=compile_s)]


def roofline_records(device: torch.device, threads: int, batches) -> list[dict]:
    """What the step's matmuls alone allow: FLOP/s of addmm on its two shapes, as tokens/s."""
    records = []
    for batch in batches:
        h = torch.randn(batch, N_A, device=device)
        gates, w = torch.empty(batch, 4 * N_A, device=device), torch.randn(N_A, 4 * N_A, device=device)
        logits, w_head = torch.empty(batch, N_VALUES, device=device), torch.randn(N_A, N_VALUES, device=device)
        b_head = torch.randn(N_VALUES, device=device)

        def run(h=h, gates=gates, w=w, logits=logits, w_head=w_head, b_head=b_head):
            for _ in range(STEPS):
                gates.addmm_(h, w)
                torch.addmm(b_head, h, w_head, out=logits)

        seconds = best_seconds(run, device, min_total=0.5, min_runs=5)  # a ceiling: worth more tries
        flops = batch * STEPS * FLOP_PER_TOKEN / seconds
        records.append(record("roofline", "matmul", batch, flops / FLOP_PER_TOKEN, device, threads, gflops=flops / 1e9))
    return records


def record(impl: str, strategy: str, batch: int, tokens_per_s: float | None, device, threads, **extra) -> dict:
    found = {"impl": impl, "strategy": strategy, "batch": batch, "steps": STEPS, "tokens_per_s": tokens_per_s}
    return found | {"device": device.type, "threads": threads} | extra


def bench_vocab() -> list[str]:
    """The benchmark's 78 values: pitch-tokenizer values, a rest or C4..B4, 6 lengths."""
    import pretty_midi

    names = ["R"] + [pretty_midi.note_number_to_name(p) for p in range(60, 72)]
    lengths = ("0.250", "0.333", "0.500", "0.667", "1.000", "2.000")
    return sorted(f"{name},{d}" for name in names for d in lengths)  # 13 x 6 = 78 values


def bench_checkpoint(path: Path) -> Path:
    """A checkpoint as train.py writes it (random weights), of the benchmark's shape, without training."""
    from jazz_solo.config import DataConfig, ModelConfig
    from jazz_solo.music.chords import Progression

    vocab = bench_vocab()
    torch.manual_seed(0)
    net = SoloNet(N_VALUES, N_A)
    hparams = {
        "model": asdict(ModelConfig(n_a=N_A)),
        "data": asdict(DataConfig(tokenizer="pitch")),
        "vocab": vocab,
        "value_counts": [1] * N_VALUES,
        "backing": Progression.parse(BACKING).to_dict(),
    }
    state = {f"net.{k}": v for k, v in net.state_dict().items()}
    torch.save({"hyper_parameters": hparams, "state_dict": state}, path)
    return path


def cold_generate_record(runs: int = 3) -> dict:
    """Wall time of `python generate.py ckpt=... n=1` in fresh processes (median of `runs`)."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = bench_checkpoint(Path(tmp) / "bench.ckpt")
        command = [sys.executable, "generate.py", f"ckpt={ckpt}", "n=1", f"out={tmp}/solos", "overwrite=true"]
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    extra = {"wall_s": statistics.median(times), "wall_s_min": min(times), "wall_s_max": max(times)}
    return record("generate.py cold", "greedy", 1, None, torch.device("cpu"), None, **extra)


def table_line(r: dict, records: list[dict]) -> str:
    if r["impl"] == "generate.py cold":
        spread = f"{r['wall_s_min']:.2f}-{r['wall_s_max']:.2f} s"
        return f"cold start: python generate.py ckpt=... n=1: {r['wall_s']:.2f} s (median of 3; {spread})"
    same = {k: r[k] for k in ("strategy", "batch", "device", "threads")}
    naive = [x for x in records if x["impl"] == "naive" and all(x[k] == v for k, v in same.items())]
    roof = [x for x in records if x["impl"] == "roofline" and all(x[k] == r[k] for k in ("batch", "device", "threads"))]
    notes = []
    if r.get("condition"):
        naive = []  # compared with the same loop unconditioned instead
        plain = [x for x in records if x.get("condition") == "none" and all(x[k] == v for k, v in same.items())]
        if plain and r["condition"] != "none":
            notes.append(f"{r['tokens_per_s'] / plain[0]['tokens_per_s']:.2f}x unconditioned")
    if naive and r["impl"] != "naive":
        notes.append(f"{r['tokens_per_s'] / naive[0]['tokens_per_s']:.1f}x naive")
    if roof and r["impl"] != "roofline":
        notes.append(f"{100 * r['tokens_per_s'] / roof[0]['tokens_per_s']:.0f}% of roofline")
    if "gflops" in r:
        notes.append(f"addmm {r['gflops']:.0f} GFLOP/s")
    if "compile_s" in r:
        notes.append(f"first call (compiling) {r['compile_s']:.1f} s")
    if "first_call_s" in r:
        notes.append(f"first call {r['first_call_s']:.3f} s (import numba {r['import_s']:.2f} s)")
    eager = [x for x in records if x["impl"] == "eager" and all(x[k] == v for k, v in same.items())]
    if eager and r["impl"] == "numba":
        notes.append(f"{r['tokens_per_s'] / eager[0]['tokens_per_s']:.1f}x eager")
    rate = r["tokens_per_s"]
    rate_text = f"{rate / 1e6:.2f} M" if rate >= 1e6 else f"{rate / 1e3:.1f} k"
    where = f"{r['device']}/{r['threads']}t" if r["device"] == "cpu" else r["device"]
    impl = r["impl"] + ("+" + r["condition"] if r.get("condition") else "")
    return f"{where:>8} {impl:>11} {r['strategy']:>7} {r['batch']:>6} {rate_text:>9}  {', '.join(notes)}"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks sampler",
        description="The sampler's tokens/s (fast and naive loops), the matmul roofline, generate.py's cold start.",
    )
    parser.add_argument("--threads", default=None, help="CPU thread counts, e.g. 1,2 (default: 1, and all when idle)")
    parser.add_argument("--batches", default=",".join(map(str, BATCHES)), help="batch sizes, e.g. 1,1024")
    parser.add_argument("--no-compile", action="store_true", help="skip torch.compile at batch 1 (~30 s cold)")
    parser.add_argument("--no-numba", action="store_true", help="skip the numba kernel against the torch loop")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold start of generate.py")
    parser.add_argument("--json", action="store_true", help="print a JSON list of records instead of a table")
    args = parser.parse_args(argv)
    default_threads = torch.get_num_threads()
    threads = [int(t) for t in args.threads.split(",")] if args.threads else sorted({1, default_threads})
    batches = [int(b) for b in args.batches.split(",")]
    load = os.getloadavg()[0]
    if not args.threads and len(threads) > 1 and load > default_threads - 0.5:
        # another job holds a core: multi-thread runs then slow 10-100x and say nothing about the sampler
        threads = [1]
        print(f"skipping {default_threads} threads: load average {load:.1f} (force with --threads)", file=sys.stderr)

    def emit(new: list[dict]) -> None:
        records.extend(new)
        if not args.json:
            for r in new:
                print(table_line(r, records), flush=True)

    records: list[dict] = []
    if not args.json:
        print(
            f"sampler: torch {torch.__version__}, {torch.get_num_threads()} threads by default, "
            f"n_values {N_VALUES}, n_a {N_A}, {STEPS} steps; best of >= 3 runs; tokens/s"
        )
        print(f"{'device':>8} {'impl':>11} {'strategy':>7} {'batch':>6} {'tokens/s':>9}")
    torch.manual_seed(0)
    net = SoloNet(N_VALUES, N_A).eval()
    cpu = torch.device("cpu")
    for count in threads:
        torch.set_num_threads(count)
        emit(roofline_records(cpu, count, batches))
        if count == 1 and not args.no_numba:
            start = time.perf_counter()
            if sampler.numba_kernel() is not None:  # imports numba: timed alone
                emit(numba_records(net, count, batches, import_s=time.perf_counter() - start))
        emit(sampler_records(net, cpu, count, ("naive", "fast"), batches))
        emit(condition_records(cpu, count, batches))
        if count == 1 and not args.no_compile and 1 in batches:
            emit(compiled_records(net, count))
    torch.set_num_threads(default_threads)
    if torch.cuda.is_available():
        cuda = torch.device("cuda")
        if not args.json:
            print(f"cuda: {torch.cuda.get_device_name(cuda)}")
        gpu_net = SoloNet(N_VALUES, N_A).eval().to(cuda)
        emit(roofline_records(cuda, None, batches))
        emit(sampler_records(gpu_net, cuda, None, ("naive", "fast"), batches))
        emit(condition_records(cuda, None, batches))
    if not args.no_cold:
        emit([cold_generate_record()])
    if args.json:
        print(json.dumps(records, indent=1))
