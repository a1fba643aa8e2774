"""What a fresh interpreter loads on import: light modules stay light (a new process, so nothing is loaded yet)."""

from __future__ import annotations

from conftest import run_script


def test_importing_jazz_solo_loads_nothing_heavy():
    heavy = "('torch', 'pytorch_lightning', 'matplotlib', 'omegaconf')"
    code = f"import sys, jazz_solo; print(sorted(m for m in {heavy} if m in sys.modules))"
    result = run_script("-c", code)
    assert result.stdout.strip() == "[]", result.stderr


def test_evaluation_imports_no_lightning_and_no_sklearn_until_its_test_runs():
    probe = (
        "import sys, jazz_solo.evaluation.evaluate\n"
        "print(sorted(m for m in ('pytorch_lightning', 'wandb', 'sklearn') if m in sys.modules))"
    )
    result = run_script("-c", probe)
    assert result.returncode == 0 and result.stdout.strip() == "[]", result.stderr[-2000:]
