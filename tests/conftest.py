"""Shared fixtures: tiny configs, one trained checkpoint per session, the classic corpus when present."""

from __future__ import annotations

import contextlib
import importlib
import io
import logging
import os
import runpy
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

# One thread: a second busy core slows 2-thread torch runs 10-100x (see the stack notes).
torch.set_num_threads(1)
os.environ.setdefault("WANDB_MODE", "disabled")


CLI_TESTS = Path(__file__).resolve().parent / "cli"


def pytest_collection_modifyitems(config, items):
    for item in items:  # everything in tests/cli is marked `cli`: `-m cli` selects the entry points' tests
        if CLI_TESTS in item.path.parents:
            item.add_marker(pytest.mark.cli)
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs CUDA")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


def shared_file(name: str) -> Path:
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    return path


def run_script(*args: str, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a project script in a fresh process (one thread, W&B off)."""
    env = {**os.environ, "WANDB_MODE": "disabled", "OMP_NUM_THREADS": "1", "HYDRA_FULL_ERROR": "0"}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def run_in_process(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """`run_script`'s twin in this process: `python train.py ...` (a script under ROOT) or `python -m MODULE ...`
    run as `__main__` with its stdout and stderr captured and its exit status returned, without paying a fresh
    interpreter's imports. For what a Python-level test checks (messages, exit status, files written); the
    subprocess tests in tests/cli keep one real run per entry point."""
    target, argv = (args[1], list(args[2:])) if args[0] == "-m" else (str(ROOT / args[0]), list(args[1:]))
    stdout, stderr = io.StringIO(), io.StringIO()
    saved_argv, saved_env, saved_cwd = sys.argv, dict(os.environ), os.getcwd()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    returncode = 0
    try:
        os.chdir(cwd)
        os.environ.update({"WANDB_MODE": "disabled", "HYDRA_FULL_ERROR": "0"})
        sys.argv = [target, *argv]
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                if args[0] == "-m":  # a module's main(argv), as its __main__ calls it
                    module = importlib.import_module(target)
                    if hasattr(module, "__path__"):  # a package: its __main__
                        module = importlib.import_module(f"{target}.__main__")
                    module.main(argv)
                else:  # a script: run as __main__, so Hydra finds conf/ beside it and its own argv handling runs
                    runpy.run_path(target, run_name="__main__")
            except SystemExit as exit:
                code = exit.code
                returncode = code if isinstance(code, int) else (0 if code is None else 1)
    finally:
        wandb = sys.modules.get("wandb")
        if wandb is not None and wandb.run is not None:  # a W&B run the script left open: its process's exit ends it
            wandb.finish()
        for handler in root.handlers[:]:  # Hydra's job logging: the run's log file and a stream into `stderr`
            if handler not in saved_handlers:
                root.removeHandler(handler)
                handler.close()
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        sys.argv = saved_argv
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
    return subprocess.CompletedProcess([sys.executable, *args], returncode, stdout.getvalue(), stderr.getvalue())


def wandb_record(save_dir: Path, timeout_s: float = 30.0) -> bytes:
    """The one offline W&B run's record under save_dir, once it is whole: W&B's own process may still be
    writing it after wandb.finish returns (seen here: 7 bytes, then 12 KB a moment later)."""
    (record,) = save_dir.glob("wandb/offline-run-*/run-*.wandb")  # binary until `wandb sync`; keys are plain
    data, deadline = b"", time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = record.read_bytes()
        if now == data and len(data) > 1000:
            return data
        data = now
    return data


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr[-2000:]
    for fragment in fragments:
        assert fragment in errors[0]


def tiny_train_config(tmp_path: Path, **data):
    from jazz_solo.config import DataConfig, ModelConfig, TrainConfig

    return TrainConfig(
        data=DataConfig(**{"Tx": 12, "batch_size": 32, "stride": 4, **data}),
        model=ModelConfig(n_a=16),
        trainer={
            "max_epochs": 2,
            "limit_train_batches": 4,
            "accelerator": "cpu",
            "enable_progress_bar": False,
            "enable_model_summary": False,
            "log_every_n_steps": 1,
        },
        callbacks={
            "model_checkpoint": {
                "_target_": "pytorch_lightning.callbacks.ModelCheckpoint",
                "dirpath": str(tmp_path / "checkpoints"),
                "monitor": "val_loss",
                "save_last": True,
            }
        },
        output_dir=str(tmp_path),
    )


@pytest.fixture(scope="session")
def trained_ckpt(tmp_path_factory) -> Path:
    """A checkpoint of a tiny model trained briefly on the embedded corpus."""
    from jazz_solo.training.fit import fit

    tmp = tmp_path_factory.mktemp("trained")
    best = fit(tiny_train_config(tmp))
    assert best is not None and best.exists()
    return best


def good_midi(path: Path, n_notes: int = 64, drums_only: bool = False) -> Path:
    """A solo over a piano comping track (or a drum part alone)."""
    import pretty_midi

    from jazz_solo.music.comping import write_midi

    pm = pretty_midi.PrettyMIDI(initial_tempo=120)
    solo = pretty_midi.Instrument(0 if drums_only else 26, is_drum=drums_only, name="Guitar")
    for i in range(n_notes):
        solo.notes.append(pretty_midi.Note(90, 60 + (i * 5) % 19, i * 0.25, i * 0.25 + 0.2))
    pm.instruments.append(solo)
    if not drums_only:
        piano = pretty_midi.Instrument(0, name="Piano")
        for bar in range(n_notes // 8 + 1):
            for pitch in (48, 52, 55, 59):
                piano.notes.append(pretty_midi.Note(60, pitch + (bar % 3) * 2, bar * 2.0, bar * 2.0 + 1.9))
        pm.instruments.append(piano)
    return write_midi(pm, path)


def bad_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, a fragment of the error message)."""
    import random

    import pretty_midi

    from jazz_solo.music.comping import write_midi

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.mid").write_bytes(b"")
    (folder / "random.mid").write_bytes(random.Random(0).randbytes(2000))
    whole = good_midi(folder / "whole.mid").read_bytes()
    (folder / "truncated.mid").write_bytes(whole[: len(whole) // 2])
    (folder / "text.mid").write_text("MThd is not what this file says\n" * 20)
    good_midi(folder / "drums.mid", drums_only=True)
    write_midi(pretty_midi.PrettyMIDI(), folder / "silent.mid")
    cases = {
        "zero-byte": ("empty.mid", "not a readable MIDI file"),
        "random bytes": ("random.mid", "not a readable MIDI file"),
        "truncated": ("truncated.mid", "not a readable MIDI file"),
        "text named .mid": ("text.mid", "not a readable MIDI file"),
        "drums only": ("drums.mid", "no pitched notes"),
        "no notes": ("silent.mid", "no pitched notes"),
    }
    (folder / "whole.mid").unlink()
    return {name: (folder / file, fragment) for name, (file, fragment) in cases.items()}


CASES = ["zero-byte", "random bytes", "truncated", "text named .mid", "drums only", "no notes"]


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    return bad_files(tmp_path_factory.mktemp("bad"))


WJAZZD_EXTRACT = ROOT / "tests" / "data" / "wjazzd"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh corpus cache folder for this test (JAZZ_SOLO_CACHE)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("JAZZ_SOLO_CACHE", str(folder))
    return folder


def wjazzd_db(folder: Path, path: Path) -> Path:
    """A wjazzd.db to the official schema (README of the shared data) holding a CSV folder's solos.

    Like the release, the beats table writes the chord and the metre only where they change.
    """
    import csv
    import sqlite3

    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE solo_info (melid INTEGER PRIMARY KEY, performer TEXT, title TEXT, instrument TEXT, style TEXT,
            avgtempo REAL, tempoclass TEXT, rhythmfeel TEXT, key TEXT, signature TEXT, chord_changes TEXT,
            chorus_count INTEGER);
        CREATE TABLE transcription_info (melid INTEGER, filename_sv TEXT);
        CREATE TABLE melody (eventid INTEGER PRIMARY KEY, melid INTEGER, onset REAL, pitch REAL, duration REAL,
            period INTEGER, division INTEGER, bar INTEGER, beat INTEGER, tatum INTEGER, subtatum INTEGER,
            num INTEGER, denom INTEGER, beatprops TEXT, beatdur REAL, tatumprops TEXT, loud_max REAL);
        CREATE TABLE beats (beatid INTEGER PRIMARY KEY, melid INTEGER, onset REAL, bar INTEGER, beat INTEGER,
            signature TEXT, chord TEXT, form TEXT, bass_pitch REAL, chorus_id INTEGER);
        """
    )
    with open(folder / "wjd_meta.csv", newline="", encoding="utf-8") as file:
        meta = list(csv.DictReader(file))
    for melid, row in enumerate(meta, 1):
        fields = ("performer", "title", "instrument", "style", "avgtempo", "tempoclass", "rhythmfeel", "key")
        values = [melid, *(row[f] for f in fields), row["signature"], row["chord_changes"], row["chorus_count"]]
        db.execute("INSERT INTO solo_info VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
        db.execute("INSERT INTO transcription_info VALUES (?, ?)", (melid, row["filename_sv"]))
        name = row["id"].removesuffix(".sv")
        with open(folder / "mcsv_melody" / f"{name}.csv", newline="", encoding="utf-8") as file:
            for n in csv.DictReader(file):
                db.execute(
                    "INSERT INTO melody (melid, onset, pitch, duration, bar, beat, beatdur) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (melid, n["onset"], n["pitch"], n["duration"], n["bar"], n["beat"], n["beat_duration"]),
                )
        with open(folder / "mcsv_beat" / f"{name}_beattrack.csv", newline="", encoding="utf-8") as file:
            chord = signature = None
            for b in csv.DictReader(file):
                new_chord = b["chord"] if b["chord"] != chord else ""
                new_signature = b["signature"].strip("'") if b["signature"] != signature else ""
                chord, signature = b["chord"], b["signature"]
                db.execute(
                    "INSERT INTO beats (melid, onset, bar, beat, signature, chord) VALUES (?, ?, ?, ?, ?, ?)",
                    (melid, b["onset"], b["bar"], b["beat"], new_signature, new_chord),
                )
    db.commit()
    db.close()
    return path
