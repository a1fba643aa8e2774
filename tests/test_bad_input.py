"""Bad input -> one line on stderr naming the problem, exit status != 0, no traceback."""

from __future__ import annotations

import pytest
import torch

from conftest import assert_one_line_error, run_script


@pytest.mark.parametrize(
    "override, fragments",
    [
        ("model.n_a=0", ["model.n_a must be > 0"]),
        ("data.Tx=1", ["data.Tx must be >= 2"]),
        ("model.n_a=abc", ["model.n_a"]),
        ("data.path=/no/such/file.mid", ["/no/such/file.mid", "no such file"]),
        ("model.n_x=3", ["model.n_x"]),  # Hydra's own errors are one line too
        ("data=nope", ["data/nope", "classic", "default"]),
    ],
)
def test_train_rejects_bad_config(override, fragments, tmp_path):
    result = run_script("train.py", override, "logger=none", f"hydra.run.dir={tmp_path}")
    assert_one_line_error(result, *fragments)


def test_train_rejects_a_file_that_is_not_midi(tmp_path):
    fake = tmp_path / "notes.mid"
    fake.write_text("this is not a MIDI file\n")
    result = run_script("train.py", f"data.path={fake}", "logger=none", f"hydra.run.dir={tmp_path / 'run'}")
    assert_one_line_error(result, str(fake), "not a readable MIDI file")


def test_generate_rejects_bad_checkpoints_and_values(tmp_path):
    junk = tmp_path / "junk.ckpt"
    junk.write_bytes(b"\x00garbage" * 10)
    cases = [
        ([f"ckpt={tmp_path / 'missing.ckpt'}"], ["missing.ckpt", "no such checkpoint"]),
        ([f"ckpt={junk}"], [str(junk), "not a readable checkpoint"]),
        ([f"ckpt={junk}", "temperature=0"], ["temperature must be > 0"]),
        ([], ["ckpt"]),
    ]
    for args, fragments in cases:
        result = run_script("generate.py", *args, f"out={tmp_path / 'solos'}")
        assert_one_line_error(result, *fragments)
        assert not (tmp_path / "solos").exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_a_missing_accelerator_is_one_line(tmp_path):
    result = run_script("train.py", "trainer=gpu", "logger=none", f"hydra.run.dir={tmp_path}")
    assert_one_line_error(result, "trainer:")
    generated = run_script("generate.py", f"ckpt={tmp_path}", "device=cuda", f"out={tmp_path / 'solos'}")
    assert_one_line_error(generated, "device=cuda", "not available")


def test_generate_rejects_an_unknown_key(tmp_path):
    result = run_script("generate.py", f"ckpt={tmp_path / 'x.ckpt'}", "foo=1", f"out={tmp_path / 'solos'}")
    assert_one_line_error(result, "foo")
