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


def test_help_and_config_errors_answer_before_torch_is_imported():
    # the entry points check --help and their config first: torch and Lightning take seconds to import
    probe = (
        "import runpy, sys\n"
        "sys.argv = sys.argv[1:]\n"
        "try:\n"
        "    runpy.run_path(sys.argv[0], run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('loaded:', sorted(m for m in ('torch', 'pytorch_lightning') if m in sys.modules))"
    )
    for args in (["generate.py", "--help"], ["evaluate.py", "--help"], ["train.py", "--help"],
                 ["generate.py", "ckpt=x", "n=abc"], ["evaluate.py", "ckpt=x", "n=abc"],
                 ["train.py", "model.n_a=abc"]):  # fmt: skip
        result = run_script("-c", probe, *args)
        assert "loaded: []" in result.stdout, (args, result.stdout[-300:], result.stderr[-1000:])
