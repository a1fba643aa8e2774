"""generate.py as a user runs it: bad input is one line on stderr, chords and render as typed on a command line."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT, assert_one_line_error, run_in_process


def test_generate_rejects_bad_checkpoints_and_values(tmp_path):
    junk = tmp_path / "junk.ckpt"
    junk.write_bytes(b"\x00garbage" * 10)
    cases = [
        ([f"ckpt={tmp_path / 'missing.ckpt'}"], ["missing.ckpt", "no such checkpoint"]),
        ([f"ckpt={junk}"], [str(junk), "not a checkpoint (not a file torch.save wrote)"]),
        ([f"ckpt={junk}", "temperature=0"], ["temperature must be > 0"]),
        ([], ["ckpt"]),
    ]
    for args, fragments in cases:
        result = run_in_process("generate.py", *args, f"out={tmp_path / 'solos'}")
        assert_one_line_error(result, *fragments)
        assert not (tmp_path / "solos").exists()


def test_generate_rejects_an_unknown_key(tmp_path):
    result = run_in_process("generate.py", f"ckpt={tmp_path / 'x.ckpt'}", "foo=1", f"out={tmp_path / 'solos'}")
    assert_one_line_error(result, "foo")


def test_a_reader_that_stops_reading_ends_the_output_quietly():
    """`generate.py ... | head -1`: no BrokenPipeError traceback when the reader goes away."""
    code = "\n".join(
        [
            "from jazz_solo.errors import one_line_errors",
            "@one_line_errors",
            "def main():",
            "    for i in range(10**6):",
            "        print(i)",
            "main()",
        ]
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline() == b"0\n"
    proc.stdout.close()
    errors = proc.stderr.read()
    assert proc.wait(timeout=60) == 1
    assert b"Traceback" not in errors and b"BrokenPipe" not in errors, errors


def test_generate_reads_chords_as_musicians_type_them(trained_ckpt, tmp_path):
    ckpt = trained_ckpt.parent / "last.ckpt"  # the best one's name has "=" in it, which Hydra overrides parse
    out = tmp_path / "solos"
    for bad in ("chords=F#m7b5 B7 | Em7", "chords=Am7(b5)", "chords=Cm7, F7"):
        result = run_in_process("generate.py", f"ckpt={ckpt}", bad, f"out={out}")
        assert_one_line_error(result, bad, """'chords="F#m7b5 B7 | Em7"'""")
    sheet = tmp_path / "changes.txt"
    sheet.write_text("A1: ||Am7(b5) D7b9 |Gm6, NC ||\n")
    for i, chords in enumerate(('chords="F#m7b5 B7 | Em7, A7(b9,#11) | C-7/Bb"', f"chords={sheet}")):
        result = run_in_process("generate.py", f"ckpt={ckpt}", chords, "length=16", f"out={out / str(i)}")
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.stdout.strip().endswith(".mid")


def test_generate_py_renders_as_typed(trained_ckpt, tmp_path):
    run = trained_ckpt.parent.parent  # a run folder: no `=` in the argument
    result = run_in_process("generate.py", f"ckpt={run}", "length=16", f"out={tmp_path}", "render=png,wav")
    assert result.returncode == 0, result.stderr
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".json", ".mid", ".png", ".wav"]
    assert result.stdout.split() == [str(tmp_path / f"solo_000{suffix}") for suffix in (".mid", ".png", ".wav")]
    assert "wrote 1 solo and" in result.stderr
    bad = run_in_process("generate.py", f"ckpt={run}", f"out={tmp_path / 'x'}", "render=mp3")
    assert_one_line_error(bad, "render: 'mp3' unknown")
