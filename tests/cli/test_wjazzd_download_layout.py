"""The folder `download wjazzd` writes (CSV folders alone, no wjd_meta.csv) works in every path."""

from __future__ import annotations

import json
import shutil

from conftest import WJAZZD_EXTRACT, run_script


def test_download_then_inspect_and_train_on_what_it_wrote(tmp_path, monkeypatch):
    monkeypatch.setenv("JAZZ_SOLO_CACHE", str(tmp_path / "cache"))
    source = tmp_path / "mirror"  # the extract as the pinned repository serves it: no metadata table
    shutil.copytree(WJAZZD_EXTRACT, source, ignore=shutil.ignore_patterns("wjd_meta.csv", "README.md"))
    manifest = tmp_path / "manifest.sha256"
    shutil.copy(WJAZZD_EXTRACT / "SHA256SUMS", manifest)
    dest = tmp_path / "wjazzd"
    # the shipped manifest names all 912 files: fetch the extract's through the same code with its own manifest
    code = (
        "import sys; from pathlib import Path; from jazz_solo.corpus.download import download_csv; "
        "print(download_csv(sys.argv[1], sys.argv[2], Path(sys.argv[3])))"
    )
    result = run_script("-c", code, str(dest), source.as_uri(), str(manifest))
    assert result.returncode == 0, result.stderr[-2000:]
    assert not (dest / "wjd_meta.csv").exists() and len(list((dest / "mcsv_melody").iterdir())) == 6

    result = run_script("-m", "jazz_solo.corpus", "inspect", str(dest), "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout)["pieces"] == 6

    run = tmp_path / "run"
    args = [f"data.path={dest}", "data.lengths=legato", "model.n_a=8", "trainer.max_epochs=1"]
    args += ["+trainer.limit_train_batches=1", "+trainer.limit_val_batches=1", "logger=none", f"hydra.run.dir={run}"]
    result = run_script("train.py", *args, "data.chordless=true")
    assert result.returncode == 0, result.stderr[-2000:]
    assert (run / "checkpoints").is_dir()
