"""Ctrl-C at any moment of an entry point, its imports included: one line on stderr and exit 130."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT

# Interrupts the entry point deterministically inside its imports: SIGINT as a module's import starts.
AT_IMPORT = """
import os, runpy, signal, sys
class Interrupt:
    fired = False
    def find_spec(self, name, path=None, target=None):
        if name == MODULE and not Interrupt.fired:
            Interrupt.fired = True
            os.kill(os.getpid(), signal.SIGINT)
        return None
sys.meta_path.insert(0, Interrupt())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def as_at_a_terminal() -> None:
    """In the child before it starts: SIGINT's default action, as a terminal's process has it. A suite run in
    the background (`nohup make test &`) hands its children SIGINT ignored, and Ctrl-C would never arrive."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupted(args: list[str], after: float | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "WANDB_MODE": "disabled", "PYTHONPATH": str(ROOT)}
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    process = subprocess.Popen(args, cwd=ROOT, env=env, preexec_fn=as_at_a_terminal, **pipes)
    if after is not None:
        time.sleep(after)
        process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(args, process.returncode, out, err)


@pytest.mark.parametrize("script", ["train.py", "generate.py", "evaluate.py"])
def test_ctrl_c_while_importing_is_one_line(script, tmp_path):
    valid = [] if script == "train.py" else [f"ckpt={tmp_path / 'x.ckpt'}"]  # torch comes after the config's check
    at_torch = f"MODULE = 'torch'{AT_IMPORT}"
    result = interrupted([sys.executable, "-c", at_torch, script, *valid, f"hydra.run.dir={tmp_path}"])
    assert result.returncode == 130 and result.stderr == "interrupted\n" and result.stdout == ""


# numpy's import, under torch's, swallows a KeyboardInterrupt at these: the Ctrl-C was lost (training ran on)
# or left a half-made numpy whose next use raised a RecursionError (found by a fresh clone's CI run)
@pytest.mark.parametrize("module", ["numpy", "numpy.linalg"])
def test_ctrl_c_that_an_import_swallows_still_stops_with_one_line(module, tmp_path):
    at_module = f"MODULE = {module!r}{AT_IMPORT}"
    args = [sys.executable, "-c", at_module, "train.py", "logger=none", "trainer.max_epochs=1"]
    result = interrupted([*args, f"hydra.run.dir={tmp_path / 'run'}"])
    assert result.returncode == 130 and result.stderr == "interrupted\n" and result.stdout == ""


def test_ctrl_c_at_some_moment_of_a_training_start_is_one_line(tmp_path):
    args = [sys.executable, "train.py", "logger=none", f"hydra.run.dir={tmp_path}", "trainer.max_epochs=100"]
    result = interrupted(args, after=1.0)  # importing, composing the config or reading the data
    assert result.returncode == 130 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(("interrupted", "stopped"))
