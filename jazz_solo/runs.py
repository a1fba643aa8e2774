"""What a training run leaves in its folder for sweeps and reports (plain JSON; no torch, no Lightning).

    <run>/results.json   written when fit ends: best val loss, perplexity, accuracy, epochs, wall time,
                         checkpoint paths, the per-epoch val history and the resolved config
    <run>/error.json     written when the run fails or is interrupted (Ctrl-C, SIGTERM): the error, its
                         traceback and, when interrupted, the command that resumes it
    <run>/metrics.json   optional, written by other tools (e.g. evaluation): extra per-run numbers
    <run>/.hydra/        Hydra's record of the run, overrides.yaml included

A run folder with neither results.json nor error.json was killed or is still running.
Every file is written to a temporary name and renamed, so a crash never leaves half a file.

An output folder that generate.py or evaluate.py writes is theirs while they write (`own_folder`): a
lock file holds the writer's pid, and a second writer is refused in one line.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shlex
import shutil
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jazz_solo.atomic import write_text
from jazz_solo.errors import JazzSoloError

RESULTS = "results.json"
ERROR = "error.json"
METRICS = "metrics.json"
EVALUATION = Path("evaluation") / "metrics.json"  # where evaluate.py writes for a run's checkpoint
# evaluate.py's key musical figures, the ones a sweep report shows per run, each with its reference beside it:
# the held-out corpus's figure (the one to aim at) or, for the classifier, its real-vs-real control (chance)
MUSIC_KEYS = {
    "c2st_accuracy": "c2st_control_accuracy",
    "chord_tone_share": "heldout_chord_tone_share",
    "scale_share": "heldout_scale_share",
    "approach_resolution_share": "heldout_approach_resolution_share",
    "copied_8gram_share": "heldout_copied_8gram_share",
    "mean_overlap": "heldout_mean_overlap",
}
# evaluate.py's baselines (not the model's figures), under the names the report gives them
BASELINES = {"bigram_perplexity": "baseline_bigram_perplexity"}  # a bigram model of the training split

# What a run leaves in its folder, and a sweep beside its runs' folders: what overwrite=true clears
RUN_OUTPUTS = (".hydra", "checkpoints", RESULTS, ERROR, METRICS, "evaluation", "sample", "csv", "tensorboard", "wandb")
LOCK = ".jazz_solo.lock"  # in an output folder while a run writes into it: the run's pid
SWEEP_OUTPUTS = ("multirun.yaml", "report.md", "report.csv", "heatmap.png", "optimization_results.yaml", ".submitit")


def write_json(path: str | os.PathLike, obj: Any, allow_nan: bool = True) -> Path:
    """`obj` as indented JSON, written atomically; allow_nan=False refuses NaN and infinities (strict JSON)."""
    return write_text(path, json.dumps(obj, indent=2, allow_nan=allow_nan) + "\n")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _take_lock(lock: Path) -> bool:
    """Create `lock` holding this process's pid, unless it exists; whether it was created."""
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as file:
        file.write(f"{os.getpid()}\n")
    return True


@contextmanager
def own_folder(folder: str | os.PathLike) -> Iterator[Path]:
    """Hold `folder` (made if missing) for this process while it writes: another writer holding it is one
    JazzSoloError; a lock left by a dead process is taken over. On entry, the temporary files a killed
    writer left (atomic.py's `.<name>.<random>.tmp`) are removed. A folder made here that is still empty
    on leaving (the run refused its settings) is removed again: a failed run leaves nothing."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise JazzSoloError(f"{folder}: exists and is not a folder")
    made = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    lock = folder / LOCK
    if not _take_lock(lock):
        text = lock.read_text(errors="replace").strip() if lock.is_file() else ""
        holder = int(text) if text.isdecimal() else None
        if holder is not None and holder != os.getpid() and _alive(holder):
            raise JazzSoloError(
                f"{folder}: another run (pid {holder}) is writing into it; wait for it, choose another out=, "
                f"or if no run is, remove {lock}"
            )
        lock.unlink(missing_ok=True)  # its writer is gone
        if not _take_lock(lock):  # another run took it over first
            raise JazzSoloError(f"{folder}: another run is writing into it; wait for it or choose another out=")
    try:
        for leftover in folder.rglob(".*.tmp"):
            leftover.unlink(missing_ok=True)
        yield folder
    finally:
        lock.unlink(missing_ok=True)
        if made and not any(folder.iterdir()):
            folder.rmdir()


def summarise(history: list[dict]) -> dict:
    """Best epoch of a val history [{epoch, val_loss, val_acc}, ...] -> the headline numbers (epochs from 1)."""
    scored = [h for h in history if h.get("val_loss") is not None and math.isfinite(h["val_loss"])]
    if not scored:
        return {"best_val_loss": None, "val_perplexity": None, "val_acc": None, "best_epoch": None}
    best = min(scored, key=lambda h: h["val_loss"])
    return {
        "best_val_loss": best["val_loss"],
        "val_perplexity": math.exp(best["val_loss"]),  # per value, from the mean cross-entropy in nats
        "val_acc": best.get("val_acc"),
        "best_epoch": best["epoch"],
    }


def claim_folder(folder: Path, sweep: bool, resuming: bool, overwrite: bool) -> None:
    """Make sure a new run (or sweep) does not train into the folder of an earlier one with the same name,
    which would mix their checkpoints (Lightning's `-v1` files), logs and results: refuse, unless it
    resumes that run (ckpt_path) or overwrite=true clears what the earlier one left."""
    if not folder.is_dir() or resuming:
        return
    if sweep:
        earlier = [p for p in folder.iterdir() if p.is_dir() and (p / ".hydra").is_dir()] + [
            folder / name for name in SWEEP_OUTPUTS if (folder / name).exists()
        ]
    else:
        earlier = [folder / name for name in (*RUN_OUTPUTS, "train.log") if (folder / name).exists()]
        # a run that stopped before its first checkpoint (a value Lightning refused, too little data) left
        # nothing worth keeping: its name can be used again at once
        checkpoints = folder / "checkpoints"
        overwrite = overwrite or not (checkpoints.is_dir() and any(checkpoints.iterdir()))
    if earlier and not overwrite:
        raise JazzSoloError(
            f"{folder}: holds an earlier {'sweep' if sweep else 'run'} of this name (resume it with ckpt_path=last, "
            "start it again with overwrite=true, or choose another name=)"
        )
    for path in earlier:
        shutil.rmtree(path) if path.is_dir() else path.unlink()


def file_record(path: str | os.PathLike) -> dict:
    """A file's absolute path and sha256: which checkpoint made a solo or an evaluation, even if renamed."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return {"file": str(Path(path).resolve()), "sha256": digest.hexdigest()}


def record_error(run_dir: str | os.PathLike, err: BaseException, status: str = "failed", **extra: Any) -> Path:
    """<run>/error.json: status ("failed", or "interrupted" by a signal), the error's first line, any
    `extra` fields (e.g. the command that resumes an interrupted run) and the traceback."""
    first = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return write_json(
        Path(run_dir) / ERROR,
        {
            "status": status,
            "error": f"{type(err).__name__}: {first}" if first else type(err).__name__,
            **extra,
            "traceback": "".join(traceback.format_exception(type(err), err, err.__traceback__)),
        },
    )


RUN_CONTROLS = ("name", "ckpt_path", "overwrite")  # which folder a run writes and how it starts: not its settings


def is_setting(override: str) -> bool:
    """Whether a command-line override sets the run up (model.n_a=64), rather than naming or resuming it."""
    return override.split("=")[0].lstrip("+~") not in RUN_CONTROLS


def resume_command(argv: list[str], name: str, fresh: bool = False) -> str:
    """The command that resumes run (or sweep) folder `name`: train.py with the other arguments of `argv`
    as typed, then name=<name> and ckpt_path=last; or, fresh, overwrite=true, which starts it again."""
    kept = [arg for arg in argv if is_setting(arg)]
    return shlex.join(["python", "train.py", *kept, f"name={name}", "overwrite=true" if fresh else "ckpt_path=last"])


def read_json(path: Path) -> dict | None:
    """A JSON object from `path`, or None if it is missing or unreadable."""
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return obj if isinstance(obj, dict) else None


def read_overrides(run_dir: Path) -> list[str]:
    """The command-line overrides Hydra recorded for this run ([] when there is no record)."""
    path = run_dir / ".hydra" / "overrides.yaml"
    if not path.exists():
        return []
    from omegaconf import OmegaConf

    return [str(o) for o in OmegaConf.load(path)]


def flat_numbers(obj: Any, prefix: str = "") -> dict[str, float]:
    """The numeric leaves of nested dicts, keyed 'a.b.c' (lists, strings and booleans are left out)."""
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            out.update(flat_numbers(value, f"{prefix}{key}."))
        return out
    if isinstance(obj, (int, float)) and not isinstance(obj, bool):
        return {prefix[:-1]: float(obj)}
    return {}


def read_run(run_dir: str | os.PathLike) -> dict:
    """Everything a report needs about one run folder.

    Keys: run_dir, status ("ok", "failed", "interrupted" or "incomplete"), overrides, error, the fields of
    results.json (best_val_loss, val_perplexity, val_acc, val_windows, epochs, wall_time_s, best_ckpt, ...)
    and `extra`: the numbers of metrics.json, flattened (the place other tools' metrics join the report),
    plus evaluate.py's MUSIC_KEYS (and their references) and BASELINES when evaluation/metrics.json is there.
    """
    run_dir = Path(run_dir)
    run: dict[str, Any] = {"run_dir": str(run_dir), "overrides": read_overrides(run_dir), "error": None}
    results, error = read_json(run_dir / RESULTS), read_json(run_dir / ERROR)
    if results is not None:
        run.update(results, status="ok")
    elif error is not None:
        run.update(status=error.get("status", "failed"), error=error.get("error", "unknown error"))
    else:
        run.update(status="incomplete", error="no result: killed, or still running")
    run["extra"] = flat_numbers(read_json(run_dir / METRICS) or {})
    evaluation = read_json(run_dir / EVALUATION) or {}
    shown = [*MUSIC_KEYS, *MUSIC_KEYS.values()]
    run["extra"].update({key: evaluation[key] for key in shown if evaluation.get(key) is not None})
    run["extra"].update({name: evaluation[key] for key, name in BASELINES.items() if evaluation.get(key) is not None})
    return run


def listed_files(manifest: Path, section: str, keys: tuple[str, ...]) -> set[str]:
    """The file names an earlier manifest lists under `section`, in each entry's `keys` (none when it is missing
    or unreadable): generate.py's stale solos and renders."""
    entries = (read_json(manifest) or {}).get(section)
    try:
        names = {e[key] for e in entries for key in keys if key in e}
    except TypeError:
        return set()
    return {name for name in names if isinstance(name, str) and Path(name).name == name}  # names in the folder only
