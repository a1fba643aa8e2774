"""train.py as a user runs it, alone and then generate.py on its checkpoint; bad input -> one line on stderr naming
the problem, exit status != 0, no traceback."""

from __future__ import annotations

import json

import pretty_midi
import pytest
import torch

from conftest import WJAZZD_EXTRACT, assert_one_line_error, run_in_process, run_script
from jazz_solo.config import DataConfig
from jazz_solo.corpus.embedded import embedded_scores
from jazz_solo.corpus.encoding import encode_values
from jazz_solo.music.score import over_progression


def corpus(**data):
    return encode_values(DataConfig(path=str(WJAZZD_EXTRACT), **data))


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
    result = run_in_process("train.py", override, "logger=none", f"hydra.run.dir={tmp_path}")
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
    result = run_in_process("train.py", *args, "logger=none", f"hydra.run.dir={run_dir}", f"hydra.sweep.dir={run_dir}")
    assert_one_line_error(result, *fragments)
    assert result.returncode == 2 and not run_dir.exists()


def installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


@pytest.mark.skipif(installed("tensorboard") or installed("tensorboardX"), reason="tensorboard is installed")
def test_a_missing_tensorboard_names_the_install_command(tmp_path):
    result = run_in_process("train.py", "logger=tensorboard", "trainer.max_epochs=1", f"hydra.run.dir={tmp_path}")
    hint = 'the tensorboard package is not installed: pip install -e ".[tensorboard]"'
    assert_one_line_error(result, "logger.tensorboard", hint)
    assert hint in json.loads((tmp_path / "error.json").read_text())["error"]


@pytest.mark.skipif(installed("hydra_plugins.hydra_optuna_sweeper"), reason="the Optuna sweeper is installed")
def test_a_missing_optuna_sweeper_names_the_install_command(tmp_path):
    result = run_in_process("train.py", "hparams_search=optuna", f"hydra.sweep.dir={tmp_path / 'sweep'}")
    assert_one_line_error(result, 'Optuna sweeper is not installed: pip install -e ".[sweep]"')


def test_train_rejects_a_file_that_is_not_midi(tmp_path):
    fake = tmp_path / "notes.mid"
    fake.write_text("this is not a MIDI file\n")
    result = run_in_process("train.py", f"data.path={fake}", "logger=none", f"hydra.run.dir={tmp_path / 'run'}")
    assert_one_line_error(result, str(fake), "not a readable MIDI file")


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_a_missing_accelerator_is_one_line(tmp_path):
    result = run_in_process("train.py", "trainer=gpu", "logger=none", f"hydra.run.dir={tmp_path}")
    assert_one_line_error(result, "trainer:")
    generated = run_in_process("generate.py", f"ckpt={tmp_path}", "device=cuda", f"out={tmp_path / 'solos'}")
    assert_one_line_error(generated, "device=cuda", "not available")


def test_train_rejects_a_checkpoint_it_cannot_resume_from(tmp_path, trained_ckpt):
    from conftest import tiny_train_config
    from jazz_solo.errors import JazzSoloError
    from jazz_solo.training.fit import fit

    result = run_in_process("train.py", f"ckpt_path={tmp_path / 'missing.ckpt'}", f"hydra.run.dir={tmp_path / 'a'}")
    assert_one_line_error(result, "missing.ckpt", "no such checkpoint file")
    text = tmp_path / "notes.ckpt"
    text.write_text("not a checkpoint\n")
    weights_only = tmp_path / "weights.ckpt"
    torch.save({k: v for k, v in torch.load(trained_ckpt, weights_only=True).items() if k != "loops"}, weights_only)
    cases = [
        (text, {}, "not a file torch.save wrote"),
        (weights_only, {}, "nothing to resume"),
        (trained_ckpt, {"n_a": 24}, "model.n_a=16, this run 24"),
        (trained_ckpt, {"shared": True}, "model.shared=False, this run True"),  # other weights
        (trained_ckpt, {"schedule": "cosine"}, "model.schedule=constant, this run cosine"),  # another lr curve
        (trained_ckpt, {"Tx": 12, "tokenizer": "pitch"}, "another vocabulary"),
    ]
    model_keys = ("n_a", "shared", "schedule")
    for path, change, message in cases:
        cfg = tiny_train_config(tmp_path / path.stem, **{k: v for k, v in change.items() if k not in model_keys})
        for key in model_keys:
            setattr(cfg.model, key, change.get(key, getattr(cfg.model, key)))
        cfg.ckpt_path = str(path)
        with pytest.raises(JazzSoloError, match=message):
            fit(cfg)


@pytest.mark.slow  # four fresh processes, about 20 s
def test_train_and_generate_scripts_give_one_line_and_write_nothing(bad, tmp_path, trained_ckpt):
    path, fragment = bad["truncated"]
    result = run_script("train.py", f"data.path={path}", "logger=none", f"hydra.run.dir={tmp_path / 'run'}")
    assert_one_line_error(result, str(path), fragment)
    assert not (tmp_path / "run" / "checkpoints").exists()
    result = run_script("train.py", f"data.path={bad['drums only'][0]}", "data.solo=0", f"hydra.run.dir={tmp_path}")
    assert_one_line_error(result, "drum part")
    ckpt = trained_ckpt.parent / "last.ckpt"  # the best one's name has "=" in it, which Hydra overrides parse
    result = run_script("generate.py", f"ckpt={ckpt}", f"chords={path}", f"out={tmp_path / 'solos'}")
    assert_one_line_error(result, str(path), fragment)
    result = run_script("generate.py", f"ckpt={ckpt}", "chords=Dm7 | Hm7", f"out={tmp_path / 'solos'}")
    assert_one_line_error(result, "unknown chord symbol 'Hm7'")
    assert not (tmp_path / "solos").exists()


def test_train_data_chords_from_a_file_or_quoted(tmp_path):
    path = tmp_path / "changes.txt"
    path.write_text("\ufeffA1: ||Cm7, F7 |Bbmaj7||\r\n")
    score = over_progression(embedded_scores()[0], str(path))
    assert [s.chord.symbol for s in score.progression.spans[:3]] == ["Cm7", "F7", "Bbmaj7"]
    result = run_in_process("train.py", "data.chords=Cm7, F7", "logger=none", f"hydra.run.dir={tmp_path / 'run'}")
    assert_one_line_error(result, "data.chords=Cm7, F7", """'data.chords="F#m7b5 B7 | Em7"'""")


def test_train_and_generate_with_experiment_wjazzd(tmp_path, cache):

    run = tmp_path / "run"
    args = ["experiment=wjazzd", f"data.path={WJAZZD_EXTRACT}", "model.n_a=16", "trainer.max_epochs=1", "data.Tx=32"]
    result = run_in_process("train.py", *args, "logger=none", f"hydra.run.dir={run}", "data.min_count=2")
    assert result.returncode == 0, result.stderr[-2000:]
    expected = corpus(metre=["4/4"], lengths="legato", min_count=2, tokenizer="pitch")  # as experiment=wjazzd
    assert f"{len(expected.vocab)} distinct" in (run / "train.log").read_text() + result.stderr
    out = tmp_path / "solos"
    result = run_in_process("generate.py", f"ckpt={run}", f"out={out}", "chords=wjazzd:Savoy Blues", "length=32")
    assert result.returncode == 0, result.stderr[-2000:]
    assert list(out.glob("*.mid"))
    report = tmp_path / "report"
    args = [f"ckpt={run}", "n=4", "length=32", "chords=wjazzd:Savoy Blues", "audio=false", f"out={report}"]
    result = run_in_process("evaluate.py", *args)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads((report / "metrics.json").read_text())["n_heldout_pieces"] > 0


def test_a_wjazzd_model_plays_a_held_out_tune_scores_trainings_windows_and_carries_the_odbl(tmp_path, cache):
    from jazz_solo.checkpoint import load_checkpoint
    from jazz_solo.corpus.download import NOTICE

    run = tmp_path / "run"
    args = ["experiment=wjazzd", f"data.path={WJAZZD_EXTRACT}", "model.n_a=16", "trainer.max_epochs=1", "data.Tx=32"]
    result = run_in_process("train.py", *args, "data.val_stride=5", "logger=none", f"hydra.run.dir={run}")
    assert result.returncode == 0, result.stderr[-2000:]
    spec = load_checkpoint(run).spec
    assert spec.licence == NOTICE and spec.backing["title"].endswith("a held-out solo's tune)")
    out = tmp_path / "solos"
    result = run_in_process("generate.py", f"ckpt={run}", f"out={out}", "length=32", "render=musicxml")
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"playing over {spec.backing['title']}" in result.stderr
    assert json.loads((out / "manifest.json").read_text())["licence"] == NOTICE
    assert (
        b"\xff\x02" + bytes([len(NOTICE) >> 7 | 0x80, len(NOTICE) & 0x7F]) + NOTICE.encode()
        in (out / "solo_000.mid").read_bytes()
    )  # a copyright meta event
    assert f"<rights>{NOTICE}</rights>" in (out / "solo_000.musicxml").read_text()
    report = tmp_path / "report"
    result = run_in_process("evaluate.py", f"ckpt={run}", "n=4", "length=32", "audio=false", f"out={report}")
    assert result.returncode == 0, result.stderr[-2000:]
    metrics = json.loads((report / "metrics.json").read_text())
    best = json.loads((run / "results.json").read_text())["best_val_loss"]
    assert metrics["val_cross_entropy"] == pytest.approx(best, rel=1e-4)  # the windows training scored
    text = (report / "report.md").read_text()
    assert f"Solos played over: {spec.backing['title']}" in text and text.endswith(NOTICE + "\n")


def test_train_then_generate_from_the_command_line(tmp_path):
    """Both scripts in fresh processes: the checkpoint path is train.py's last stdout line."""
    run_dir = tmp_path / "run"
    train = run_script(
        "train.py",
        "model.n_a=16",
        "data.Tx=10",
        "data.stride=8",
        "trainer.max_epochs=1",
        "+trainer.limit_train_batches=3",
        "logger=csv",
        f"hydra.run.dir={run_dir}",
    )
    assert train.returncode == 0, train.stderr[-2000:]
    ckpt = train.stdout.strip().splitlines()[-1]
    assert ckpt.endswith(".ckpt") and (run_dir / "checkpoints" / "last.ckpt").exists()
    gen = run_script("generate.py", f"ckpt={ckpt}", "n=2", f"out={tmp_path / 'solos'}")
    assert gen.returncode == 0, gen.stderr[-2000:]
    written = gen.stdout.strip().splitlines()
    assert written == [str(tmp_path / "solos" / f"solo_{i:03d}.mid") for i in range(2)]
    assert all(pretty_midi.PrettyMIDI(p).instruments[0].notes for p in written)
