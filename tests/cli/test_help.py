"""Each entry point's --help lists its own options, a line each with its default and what it does."""

from __future__ import annotations

import dataclasses

import pytest

from conftest import run_script
from jazz_solo.config import DataConfig, EvaluateConfig, GenerateConfig, ModelConfig


@pytest.mark.parametrize("script, schema", [("generate.py", GenerateConfig), ("evaluate.py", EvaluateConfig)])
def test_help_lists_the_scripts_own_options_with_a_line_each(script, schema):
    result = run_script(script, "--help")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith(f"{script}: ") and f"Usage: python {script} ckpt=PATH" in text
    options = {line.split()[0].split("=")[0]: line for line in text.splitlines() if line.startswith("  ")}
    assert sorted(options) == sorted(f.name for f in dataclasses.fields(schema))  # every option, once
    assert list(options)[0] == "ckpt"
    assert "(required) a checkpoint written by train.py" in options["ckpt"]
    assert "number of solos" in options["n"] or "generated solos" in options["n"]
    assert "greedy" in options["strategy"] and "sample" in options["strategy"]
    assert all(len(line.split(maxsplit=1)) == 2 for line in options.values())  # each has a description
    for training_only in ("hparams_search", "experiment", "data:", "'n'", "Configuration groups"):
        assert training_only not in text


def test_train_help_lists_the_groups_and_every_data_and_model_option():
    result = run_script("train.py", "--help")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("train.py: ") and "hparams_search: optuna" in text and "logger: csv, none" in text
    options = {line.split()[0].split("=")[0]: line for line in text.splitlines() if line.startswith("  ")}
    for prefix, schema in (("data.", DataConfig), ("model.", ModelConfig)):
        assert [k for k in options if k.startswith(prefix)] == [prefix + f.name for f in dataclasses.fields(schema)]
    assert "window length" in options["data.Tx"] and "hidden units" in options["model.n_a"]
    assert "output_dir" not in options and "trainer.KEY" in options
