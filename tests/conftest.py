"""Shared fixtures: tiny configs, one trained checkpoint per session, the classic corpus when present."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

# One thread: a second busy core slows 2-thread torch runs 10-100x (see the stack notes).
torch.set_num_threads(1)
os.environ.setdefault("WANDB_MODE", "disabled")


def pytest_collection_modifyitems(config, items):
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


WJAZZD_EXTRACT = ROOT / "tests" / "data" / "wjazzd"


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
