"""A pretrained model as a user and its maintainer use it: `python -m jazz_solo.pretrained export RUN NAME`,
then `generate.py ckpt=pretrained:NAME` and `evaluate.py ckpt=pretrained:NAME` from the command line (the
folder is JAZZ_SOLO_PRETRAINED's, so the package's own stays untouched)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import assert_one_line_error, run_in_process, run_script
from jazz_solo.pretrained import FOLDER_VARIABLE


@pytest.fixture
def shipped(tmp_path, monkeypatch, trained_ckpt) -> Path:
    """pretrained:tiny, exported by the maintainer's command into this test's folder."""
    monkeypatch.setenv(FOLDER_VARIABLE, str(tmp_path / "pretrained"))
    result = run_in_process("-m", "jazz_solo.pretrained", "export", str(trained_ckpt.parent.parent), "tiny")
    assert result.returncode == 0, result.stderr[-2000:]
    model, card = result.stdout.splitlines()
    assert re.fullmatch(rf"{re.escape(str(tmp_path / 'pretrained' / 'tiny.pt'))}: \d+\.\d\d MiB", model)
    assert card.startswith(str(tmp_path / "pretrained" / "tiny.md"))
    return tmp_path / "pretrained" / "tiny.pt"


def test_generate_py_plays_a_pretrained_model_named_on_the_command_line(shipped, tmp_path):
    result = run_script("generate.py", "ckpt=pretrained:tiny", f"out={tmp_path / 'solos'}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == [str(tmp_path / "solos" / "solo_000.mid")]
    manifest = json.loads((tmp_path / "solos" / "manifest.json").read_text())
    assert manifest["settings"]["ckpt"] == "pretrained:tiny"  # a string, as typed (Hydra reads `a:b` as one)


def test_evaluate_py_takes_a_pretrained_model(shipped, tmp_path):
    out = tmp_path / "eval"
    result = run_in_process("evaluate.py", "ckpt=pretrained:tiny", "n=2", "length=16", "audio=false", f"out={out}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads((out / "metrics.json").read_text())["ckpt"] == str(shipped)


def test_an_unknown_name_is_one_line_listing_the_names(shipped, tmp_path):
    result = run_in_process("generate.py", "ckpt=pretrained:nope", f"out={tmp_path / 'solos'}")
    assert_one_line_error(result, "pretrained:nope: no such pretrained model (available: pretrained:tiny)")
    listed = run_in_process("-m", "jazz_solo.pretrained", "list")
    assert listed.returncode == 0 and listed.stdout.splitlines() == ["pretrained:tiny"]
