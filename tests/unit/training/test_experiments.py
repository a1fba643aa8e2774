"""Run records, reproducibility, atomic checkpoints and the sweep report (in process, tiny runs)."""

from __future__ import annotations

import atexit
import csv
import math
import pickle
import signal

import pytest
import torch

from conftest import ROOT, tiny_train_config
from jazz_solo import runs
from jazz_solo.training import sweep_callback
from jazz_solo.training import sweep_report as report
from jazz_solo.training.callbacks import AtomicCheckpointIO
from jazz_solo.training.fit import fit


def test_fit_writes_results_json_that_agrees_with_its_checkpoint(tmp_path):
    best = fit(tiny_train_config(tmp_path))
    results = runs.read_json(tmp_path / runs.RESULTS)
    losses = [h["val_loss"] for h in results["history"]]
    assert [h["epoch"] for h in results["history"]] == [1, 2] and results["epochs"] == 2
    assert results["best_val_loss"] == min(losses)
    assert results["val_perplexity"] == pytest.approx(math.exp(min(losses)))
    assert 0 <= results["val_acc"] <= 1 and results["wall_time_s"] > 0
    assert results["best_ckpt"] == str(best)
    assert results["val_windows"] > 0
    score = torch.load(best, weights_only=True)["callbacks"]
    assert any(v.get("best_model_score") is not None for v in score.values() if isinstance(v, dict))
    assert results["config"]["model"]["n_a"] == 16


def test_the_log_the_checkpoint_name_and_results_json_count_epochs_alike(tmp_path, caplog):
    from omegaconf import OmegaConf

    cfg = tiny_train_config(tmp_path)
    cfg.trainer.update(max_epochs=3, enable_progress_bar=True)  # not a terminal: a log line per validation
    shipped = OmegaConf.load(ROOT / "conf" / "callbacks" / "default.yaml")["best_checkpoint"]
    cfg.callbacks = {"best": {**OmegaConf.to_container(shipped), "dirpath": str(tmp_path / "checkpoints")}}
    with caplog.at_level("INFO", logger="jazz_solo.training.progress"):
        best = fit(cfg)
    results = runs.read_json(tmp_path / runs.RESULTS)
    epoch, loss = results["best_epoch"], results["best_val_loss"]
    assert best.name == f"best-epoch{epoch:03d}-val_loss{loss:.4f}.ckpt"
    assert f"epoch {epoch}/3: val_loss={loss:.4g}" in caplog.text
    assert [h["epoch"] for h in results["history"]] == [1, 2, 3]
    assert torch.load(best, weights_only=True)["epoch"] == epoch - 1  # Lightning's own count starts at 0


def test_early_stopping_is_on_by_default_and_says_when_it_stops(tmp_path, caplog):
    from omegaconf import OmegaConf

    cfg = tiny_train_config(tmp_path)
    shipped = OmegaConf.to_container(OmegaConf.load(ROOT / "conf" / "callbacks" / "default.yaml")["early_stopping"])
    assert shipped["monitor"] == "val_loss" and shipped["patience"] >= 1
    # an improvement must be 10 nats: none is, so the run stops after `patience` validations past the first
    cfg.callbacks["early_stopping"] = {**shipped, "patience": 2, "min_delta": 10.0}
    cfg.trainer["max_epochs"] = 30
    with caplog.at_level("INFO", logger="jazz_solo.training.callbacks"):
        fit(cfg)
    results = runs.read_json(tmp_path / runs.RESULTS)
    assert results["epochs"] == 3 and results["stopped_early"] is True
    assert "early stopping after epoch 3 of 30: val_loss has not improved for 2 validations" in caplog.text


def test_same_seed_same_val_loss_other_seed_other_val_loss(tmp_path):
    def val_losses(seed: int, folder: str) -> list[float]:
        cfg = tiny_train_config(tmp_path / folder)
        cfg.seed, cfg.model.dropout = seed, 0.3  # dropout draws random numbers too
        fit(cfg)
        return [h["val_loss"] for h in runs.read_json(tmp_path / folder / runs.RESULTS)["history"]]

    first = val_losses(3, "a")
    assert first == val_losses(3, "b")
    assert first != val_losses(4, "c")


def test_checkpoints_are_written_atomically(tmp_path):
    path = tmp_path / "model.ckpt"
    io = AtomicCheckpointIO()
    io.save_checkpoint({"w": torch.ones(3)}, path)
    with pytest.raises((AttributeError, TypeError, pickle.PicklingError)):
        io.save_checkpoint({"w": torch.zeros(3), "bad": lambda: None}, path)  # cannot be pickled
    assert torch.equal(torch.load(path, weights_only=True)["w"], torch.ones(3))  # the old file, whole
    assert [p.name for p in tmp_path.iterdir()] == ["model.ckpt"]  # no temporary file left behind


def fake_run(sweep, name: str, overrides: list[str], results: dict | None = None, error: str | None = None):
    run = sweep / name
    (run / ".hydra").mkdir(parents=True)
    (run / ".hydra" / "overrides.yaml").write_text("".join(f"- {o}\n" for o in overrides))
    if results is not None:
        runs.write_json(run / runs.RESULTS, {"status": "ok", **results})
    if error is not None:
        runs.record_error(run, ValueError(error))
    return run


def test_report_has_a_row_per_run_failures_with_their_error_and_extra_metrics(tmp_path):
    sweep = tmp_path / "sweep"

    def done(n_a: int, tx: int, loss: float) -> dict:
        config = {"model": {"n_a": n_a}, "data": {"Tx": tx}}
        summary = runs.summarise(
            [{"epoch": 1, "val_loss": loss + 1, "val_acc": 0.1}, {"epoch": 2, "val_loss": loss, "val_acc": 0.4}]
        )
        return {**summary, "epochs": 2, "wall_time_s": 1.5, "best_ckpt": str(sweep / "x.ckpt"), "config": config}

    fake_run(sweep, "0", ["model.n_a=8", "data.Tx=10", "logger=csv", "ckpt_path=last"], done(8, 10, 2.0))  # resumed
    run1 = fake_run(sweep, "1", ["model.n_a=16", "data.Tx=10", "logger=csv", "ckpt_path=last"], done(16, 10, 1.5))
    fake_run(sweep, "2", ["model.n_a=8", "data.Tx=20", "logger=csv"], error="Tx too long")
    fake_run(sweep, "10", ["model.n_a=16", "data.Tx=20", "logger=csv"])  # killed: no record at all
    runs.write_json(run1 / runs.METRICS, {"music": {"chord_tone_share": 0.75, "histogram": [1, 2]}, "ok": True})

    md, rows = report.write_report(sweep)
    table = list(csv.DictReader((sweep / "report.csv").open()))
    assert [r["run"] for r in table] == ["0", "1", "2", "10"]  # by job number, not as text
    assert [r["status"] for r in table] == ["ok", "ok", "failed", "incomplete"]
    assert table[1]["overrides"] == "model.n_a=16 data.Tx=10"  # logger=csv is shared: said once
    assert float(table[1]["best_val_loss"]) == 1.5 and float(table[1]["val_acc"]) == 0.4
    assert float(table[1]["val_perplexity"]) == pytest.approx(math.exp(1.5))
    assert table[1]["music.chord_tone_share"] == "0.75" and table[0]["music.chord_tone_share"] == ""
    assert "ValueError: Tx too long" in table[2]["error"] and "killed" in table[3]["error"]
    text = md.read_text()
    assert "Best: run 1" in text and "`logger=csv`" in text and "Tx too long" in text
    assert "ckpt_path" not in text  # how a run was started is not one of its settings
    assert text.index("| 1 | ok") < text.index("| 0 | ok")  # best first
    assert (sweep / "heatmap.png").stat().st_size > 0
    assert not [p for p in sweep.iterdir() if p.name.endswith(".tmp")]


def test_report_says_what_differs_across_tx_and_names_the_baseline_once(tmp_path):
    sweep = tmp_path / "sweep"
    for job, (tx, windows, loss) in enumerate([(10, 558, 2.0), (20, 528, 1.9), (10, 558, 2.1)]):
        config = {"model": {"n_a": 8 * (job + 1)}, "data": {"Tx": tx}}
        results = {"best_val_loss": loss, "val_windows": windows, "config": config, "epochs": 1}
        run = fake_run(sweep, str(job), [f"data.Tx={tx}"], results)
        runs.write_json(run / runs.EVALUATION, {"bigram_perplexity": 25.5, "chord_tone_share": 0.5 + job / 10})
    md, _ = report.write_report(sweep)
    text = md.read_text()
    assert "Validation windows per Tx: Tx=10: 558, Tx=20: 528" in text and "Compare runs within a Tx column" in text
    assert "Baseline, not a model figure: a bigram model of the training split" in text and "25.5" in text
    header = next(line for line in text.splitlines() if line.startswith("| run |"))
    assert "val_windows" in header and "chord_tone_share" in header and "bigram" not in header
    one_tx = tmp_path / "one_tx"
    fake_run(one_tx, "0", ["model.n_a=8"], {"best_val_loss": 2.0, "config": {"model": {"n_a": 8}, "data": {"Tx": 10}}})
    assert "Across Tx" not in report.write_report(one_tx)[0].read_text()


def test_report_without_finished_runs_still_writes_and_says_why(tmp_path):
    fake_run(tmp_path, "0", ["data.Tx=999"], error="too short")
    md, _ = report.write_report(tmp_path)
    assert "No heatmap" in md.read_text() and not (tmp_path / "heatmap.png").exists()


def test_a_report_that_cannot_be_written_ends_the_sweep_with_one_line_and_status_1(tmp_path, capsys):
    from omegaconf import OmegaConf

    fake_run(tmp_path, "0", ["model.n_a=8"])
    (tmp_path / "report.md").mkdir()  # where the report goes, a folder: writing it fails
    with pytest.raises(SystemExit) as stop:  # Hydra would turn an error in a callback into a warning, and exit 0
        sweep_callback.SweepReport().on_multirun_end(OmegaConf.create({"hydra": {"sweep": {"dir": str(tmp_path)}}}))
    assert stop.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: the sweep's report in {tmp_path}: ") and err.count("\n") == 1


@pytest.fixture
def sweep_started(tmp_path):
    """A SweepReport whose sweep (in tmp_path, one failed run) has started; exit hook and SIGTERM put back after."""
    from omegaconf import OmegaConf

    fake_run(tmp_path, "0", ["model.n_a=8"], error="boom")
    callback, config = sweep_callback.SweepReport(), OmegaConf.create({"hydra": {"sweep": {"dir": str(tmp_path)}}})
    before = signal.getsignal(signal.SIGTERM)
    callback.on_multirun_start(config)
    yield callback, config
    atexit.unregister(callback.report_so_far)
    signal.signal(signal.SIGTERM, before)


def test_a_sweep_that_stops_early_writes_the_report_of_its_runs_so_far_as_it_exits(tmp_path, capsys, sweep_started):
    callback, _ = sweep_started
    assert signal.getsignal(signal.SIGTERM) is sweep_callback.exit_on_signal  # SIGTERM exits through the exit hooks
    callback.report_so_far()  # what atexit calls
    assert capsys.readouterr().out == f"{tmp_path / 'report.md'}\n"
    assert "boom" in (tmp_path / "report.md").read_text()


def test_a_sweep_that_ended_writes_no_second_report_at_exit(tmp_path, capsys, sweep_started):
    callback, config = sweep_started
    with pytest.raises(SystemExit):  # its one run failed: status 3
        callback.on_multirun_end(config)
    (tmp_path / "report.md").unlink()
    callback.report_so_far()
    assert not (tmp_path / "report.md").exists() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_a_report_so_far_that_cannot_be_written_is_one_line(tmp_path, capsys, sweep_started):
    callback, _ = sweep_started
    (tmp_path / "report.md").mkdir()
    callback.report_so_far()
    err = capsys.readouterr().err
    assert err.startswith(f"error: the report of the sweep so far in {tmp_path}: ") and err.count("\n") == 1


def test_report_command_rejects_a_missing_folder(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        report.main([str(tmp_path / "nope")])
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip() == f"error: {tmp_path / 'nope'}: no such sweep folder"
    (tmp_path / "run" / ".hydra").mkdir(parents=True)
    (tmp_path / "run" / "checkpoints").mkdir()
    with pytest.raises(SystemExit):
        report.main([str(tmp_path / "run")])
    assert "a single run's folder, not a sweep's" in capsys.readouterr().err
    assert not (tmp_path / "run" / "report.md").exists()


def test_report_evaluate_adds_the_musical_measures_of_each_run(tmp_path):
    """`python -m jazz_solo.training.sweep_report SWEEP --evaluate N`: evaluate.py's key figures per finished run."""
    sweep = tmp_path / "sweep"
    run = sweep / "0"
    (run / ".hydra").mkdir(parents=True)
    (run / ".hydra" / "overrides.yaml").write_text("- model.n_a=16\n")
    fit(tiny_train_config(run))
    fake_run(sweep, "1", ["model.n_a=32"], error="out of memory")

    report.main([str(sweep), "--evaluate", "4"])
    table = list(csv.DictReader((sweep / "report.csv").open()))
    evaluated = runs.read_json(run / runs.EVALUATION)
    measured = [key for pair in runs.MUSIC_KEYS.items() for key in pair if evaluated[key] is not None]
    assert "chord_tone_share" in measured and "heldout_chord_tone_share" in measured
    for key in measured:
        assert float(table[0][key]) == pytest.approx(evaluated[key], rel=1e-3)
        assert table[1][key] == ""  # the failed run has none
    header = list(table[0])
    assert header.index("heldout_chord_tone_share") == header.index("chord_tone_share") + 1  # side by side
    assert "c2st_accuracy" in header and "the held-out corpus scores" in (sweep / "report.md").read_text()
    assert 0 <= float(table[0]["chord_tone_share"]) <= 1
    assert float(table[0]["baseline_bigram_perplexity"]) == pytest.approx(evaluated["bigram_perplexity"], rel=1e-3)
    assert "bigram_perplexity" not in table[0]  # only under its baseline name


def test_how_a_run_is_named_and_started_is_not_a_setting_and_the_resume_command_drops_it():
    given = ["model.n_a=8", "+name=old", "ckpt_path=last", "overwrite=true", "~data.metre"]
    assert [o for o in given if runs.is_setting(o)] == ["model.n_a=8", "~data.metre"]
    resume = "python train.py model.n_a=8 '~data.metre' name=sweep1 ckpt_path=last"
    assert runs.resume_command(given, "sweep1") == resume
