"""evaluate.py as a user runs it."""

from __future__ import annotations

import json

from conftest import run_script


def test_evaluate_from_the_command_line(trained_ckpt, tmp_path):
    result = run_script("evaluate.py", f"ckpt='{trained_ckpt}'", "n=4", "length=16", "audio=false", f"out={tmp_path}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == str(tmp_path / "report.md")
    assert json.loads((tmp_path / "metrics.json").read_text())["n_solos"] == 4
    bad = run_script("evaluate.py", f"ckpt='{trained_ckpt}'", "n=1", f"out={tmp_path / 'bad'}")
    assert bad.returncode == 2 and bad.stderr.strip().splitlines()[-1] == "error: config: n must be >= 2 " + (
        "(distances inside the generated set need two solos), got 1"
    )
    assert not (tmp_path / "bad").exists()
