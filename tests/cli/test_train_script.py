"""Bad input -> one line on stderr naming the problem, exit status != 0, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch

from conftest import ROOT, assert_one_line_error, run_script


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


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["trainer.max_epochs=1.5"], ["trainer.max_epochs must be int or None, got 1.5"]),
        (["+trainer.max_epoch=3"], ["trainer.max_epoch is not an argument of Lightning's Trainer"]),
        (["-m", "trainer.max_epochs=1.5", "model.n_a=16,32"], ["trainer.max_epochs must be int or None"]),
    ],
)
def test_a_bad_trainer_value_stops_before_the_run_folder_is_made(args, fragments, tmp_path):
    run_dir = tmp_path / "run"
    result = run_script("train.py", *args, "logger=none", f"hydra.run.dir={run_dir}", f"hydra.sweep.dir={run_dir}")
    assert_one_line_error(result, *fragments)
    assert result.returncode == 2 and not run_dir.exists()


def test_trainer_values_are_checked_against_lightnings_signature():
    from omegaconf import OmegaConf

    from jazz_solo.config import TrainConfig
    from jazz_solo.errors import JazzSoloError

    for path in (ROOT / "conf" / "trainer").glob("*.yaml"):  # every shipped trainer config passes
        TrainConfig(trainer={k: v for k, v in OmegaConf.to_container(OmegaConf.load(path)).items() if k != "defaults"})
    TrainConfig(trainer={"devices": [0, 2], "precision": "bf16-mixed", "limit_train_batches": 0.5, "max_time": None})
    for bad in ({"devices": [0, "x"]}, {"precision": "bf17"}, {"enable_progress_bar": "no"}, {"max_steps": True}):
        with pytest.raises(JazzSoloError, match=f"trainer.{next(iter(bad))} must be"):
            TrainConfig(trainer=bad)


def installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


@pytest.mark.skipif(installed("tensorboard") or installed("tensorboardX"), reason="tensorboard is installed")
def test_a_missing_tensorboard_names_the_install_command(tmp_path):
    result = run_script("train.py", "logger=tensorboard", "trainer.max_epochs=1", f"hydra.run.dir={tmp_path}")
    hint = 'the tensorboard package is not installed: pip install -e ".[tensorboard]"'
    assert_one_line_error(result, "logger.tensorboard", hint)
    assert hint in json.loads((tmp_path / "error.json").read_text())["error"]


@pytest.mark.skipif(installed("hydra_plugins.hydra_optuna_sweeper"), reason="the Optuna sweeper is installed")
def test_a_missing_optuna_sweeper_names_the_install_command(tmp_path):
    result = run_script("train.py", "hparams_search=optuna", f"hydra.sweep.dir={tmp_path / 'sweep'}")
    assert_one_line_error(result, 'Optuna sweeper is not installed: pip install -e ".[sweep]"')


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
        ([f"ckpt={junk}"], [str(junk), "not a checkpoint (not a file torch.save wrote)"]),
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


def test_train_rejects_a_checkpoint_it_cannot_resume_from(tmp_path, trained_ckpt):
    from conftest import tiny_train_config
    from jazz_solo.errors import JazzSoloError
    from jazz_solo.training.fit import fit

    result = run_script("train.py", f"ckpt_path={tmp_path / 'missing.ckpt'}", f"hydra.run.dir={tmp_path / 'a'}")
    assert_one_line_error(result, "missing.ckpt", "no such checkpoint file")
    text = tmp_path / "notes.ckpt"
    text.write_text("not a checkpoint\n")
    weights_only = tmp_path / "weights.ckpt"
    torch.save({k: v for k, v in torch.load(trained_ckpt, weights_only=True).items() if k != "loops"}, weights_only)
    cases = [
        (text, {}, "not a file torch.save wrote"),
        (weights_only, {}, "nothing to resume"),
        (trained_ckpt, {"n_a": 24}, "model.n_a=16, this run 24"),
        (trained_ckpt, {"Tx": 12, "tokenizer": "pitch"}, "another vocabulary"),
    ]
    for path, change, message in cases:
        cfg = tiny_train_config(tmp_path / path.stem, **{k: v for k, v in change.items() if k != "n_a"})
        cfg.model.n_a = change.get("n_a", cfg.model.n_a)
        cfg.ckpt_path = str(path)
        with pytest.raises(JazzSoloError, match=message):
            fit(cfg)


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
