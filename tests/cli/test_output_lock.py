"""generate.py and evaluate.py own their output folder while they write: a second writer is one line and exit 2;
a killed writer's lock is taken over and its temporary files removed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import assert_one_line_error, run_script
from jazz_solo.errors import JazzSoloError
from jazz_solo.runs import LOCK, own_folder


@pytest.fixture
def live_pid():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process.pid
    process.kill()
    process.wait()


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_folder_is_owned_while_written_and_a_dead_owner_is_taken_over(tmp_path, live_pid):
    out = tmp_path / "out"
    with own_folder(out):
        assert (out / LOCK).read_text().strip().isdecimal()
    assert not out.exists()  # made for a run that wrote nothing: removed again
    out.mkdir()
    (out / LOCK).write_text(f"{live_pid}\n")
    with pytest.raises(JazzSoloError, match=f"another run \\(pid {live_pid}\\) is writing into it"):
        with own_folder(out):
            pass
    (out / LOCK).write_text(f"{dead_pid()}\n")  # a run killed with -9
    (out / ".solo_0003.mid.abc123.tmp").write_bytes(b"half a file")
    (out / "solo_0000.mid").write_bytes(b"kept")
    with own_folder(out):
        assert sorted(p.name for p in out.iterdir()) == [LOCK, "solo_0000.mid"]
    assert [p.name for p in out.iterdir()] == ["solo_0000.mid"]


def test_a_second_generate_into_a_busy_folder_is_one_line(tmp_path, live_pid, trained_ckpt):
    out = tmp_path / "solos"
    out.mkdir()
    (out / LOCK).write_text(f"{live_pid}\n")
    result = run_script("generate.py", f"ckpt='{trained_ckpt}'", f"out={out}", "n=2", "length=8")
    assert_one_line_error(result, str(out), f"another run (pid {live_pid}) is writing into it")
    assert result.returncode == 2 and result.stdout == "" and not list(out.glob("*.mid"))
