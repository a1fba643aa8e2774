"""generate() at scale: every strategy, manifest.json, per-solo seeds, no overwriting, config checks; solos
spread over several progressions."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pretty_midi
import pytest

from jazz_solo.checkpoint import load_checkpoint
from jazz_solo.config import GenerateConfig, SamplingConfig
from jazz_solo.errors import JazzSoloError
from jazz_solo.generation import generate, solos_for, spread_solos
from jazz_solo.music.chords import Progression


def manifest(folder) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def test_manifest_lists_each_solo_and_any_solo_can_be_made_again_alone(trained_ckpt, tmp_path):
    settings = {"ckpt": str(trained_ckpt), "length": 30, "strategy": "top_p", "top_p": 0.95, "temperature": 1.2}
    paths = generate(GenerateConfig(**settings, n=5, seed=40, out=str(tmp_path / "all")))
    listed = manifest(tmp_path / "all")
    assert listed["settings"]["strategy"] == "top_p" and listed["settings"]["top_p"] == 0.95
    assert [s["file"] for s in listed["solos"]] == [p.name for p in paths]
    assert [s["seed"] for s in listed["solos"]] == [40, 41, 42, 43, 44]
    assert all(s["strategy"] == "top_p" and s["log_prob"] < 0 for s in listed["solos"])
    assert len({p.read_bytes() for p in paths}) == 5  # five different solos
    assert listed["checkpoint"] == {
        "file": str(trained_ckpt),
        "sha256": hashlib.sha256(trained_ckpt.read_bytes()).hexdigest(),
    }

    third = listed["solos"][3]
    (alone,) = generate(GenerateConfig(**settings, n=1, seed=third["seed"], out=str(tmp_path / "alone")))
    assert alone.read_bytes() == (tmp_path / "all" / third["file"]).read_bytes()
    assert manifest(tmp_path / "alone")["solos"][0]["log_prob"] == pytest.approx(third["log_prob"], abs=1e-3)


@pytest.mark.parametrize("strategy", ["greedy", "sample", "top_k", "top_p", "beam"])
def test_every_strategy_writes_playable_solos(trained_ckpt, tmp_path, strategy):
    cfg = GenerateConfig(ckpt=str(trained_ckpt), n=3, length=24, strategy=strategy, beam_width=3, out=str(tmp_path))
    for path in generate(cfg):
        solo, comping = pretty_midi.PrettyMIDI(str(path)).instruments
        assert len(solo.notes) > 3 and comping.notes and solo.program == 26
    assert len(manifest(tmp_path)["solos"]) == 3


def test_long_jobs_in_a_terminal_show_a_progress_bar_on_stderr(trained_ckpt, tmp_path, monkeypatch, capsys):
    from jazz_solo import generation

    monkeypatch.setattr(generation, "PROGRESS_FROM", 2)
    monkeypatch.setattr(generation.sys.stderr, "isatty", lambda: True)
    paths = generate(GenerateConfig(ckpt=str(trained_ckpt), n=3, length=10, out=str(tmp_path)))
    captured = capsys.readouterr()
    assert "3 solos" in captured.err and captured.out == ""
    assert all(p.exists() for p in paths)


def test_an_existing_manifest_is_not_overwritten_either(trained_ckpt, tmp_path):
    (tmp_path / "manifest.json").write_text("{}")
    cfg = GenerateConfig(ckpt=str(trained_ckpt), length=10, out=str(tmp_path))
    with pytest.raises(JazzSoloError, match="manifest.json: exists"):
        generate(cfg)
    assert not (tmp_path / "solo_000.mid").exists()
    cfg.overwrite = True
    generate(cfg)
    assert manifest(tmp_path)["solos"][0]["file"] == "solo_000.mid"


def test_overwriting_with_fewer_solos_removes_the_earlier_ones_the_manifest_no_longer_lists(trained_ckpt, tmp_path):
    generate(GenerateConfig(ckpt=str(trained_ckpt), n=3, length=10, out=str(tmp_path)))
    (tmp_path / "mine.mid").write_bytes(b"a file of the user's")
    generate(GenerateConfig(ckpt=str(trained_ckpt), n=1, length=10, out=str(tmp_path), overwrite=True))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json", "mine.mid", "solo_000.mid"]
    assert [s["file"] for s in manifest(tmp_path)["solos"]] == ["solo_000.mid"]


def test_a_beam_wider_than_the_vocabulary_is_refused(trained_ckpt, tmp_path):
    cfg = GenerateConfig(ckpt=str(trained_ckpt), strategy="beam", beam_width=10_000, out=str(tmp_path / "x"))
    with pytest.raises(JazzSoloError, match="beam_width=10000 is more than the checkpoint's"):
        generate(cfg)
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("top_k", 0, "top_k must be >= 1, got 0"),
        ("top_p", 0.0, "top_p must be in (0, 1], got 0.0"),
        ("top_p", 1.5, "top_p must be in (0, 1], got 1.5"),
        ("beam_width", 0, "beam_width must be >= 1, got 0"),
        ("strategy", "nucleus", "strategy must be one of greedy, sample, top_k, top_p, beam, got 'nucleus'"),
    ],
)
def test_bad_sampling_settings_are_one_line_errors(field, value, message):
    with pytest.raises(JazzSoloError) as err:
        GenerateConfig(ckpt="model.ckpt", **{field: value})
    assert str(err.value) == f"config: {message}"


def test_solos_spread_over_progressions_in_turn_each_the_solo_its_seed_makes_alone(trained_ckpt):
    ckpt = load_checkpoint(trained_ckpt)
    changes = ["Dm7 G7 | Cmaj7", "F7 | Bb7 | F7 | C7", "Am7 | D7"]
    progressions = [Progression.parse(text, 100, bars) for text, bars in zip(changes, [4, 4, 3])]
    sampling = SamplingConfig(strategy="sample", bars=2, seed=10)
    solos = spread_solos(ckpt, progressions, sampling, 7)
    assert [s.seed for s in solos] == list(range(10, 17))
    assert all(solo.progression is progressions[i % 3] for i, solo in enumerate(solos))  # 3, 2 and 2 solos
    assert [s.end for s in solos] == [8, 8, 6, 8, 8, 6, 8]  # bars= per solo, in its progression's metre
    (alone,) = solos_for(ckpt, replace(sampling, chords=changes[1], seed=14), 1)
    assert (alone.values, alone.notes) == (solos[4].values, solos[4].notes)
    assert alone.log_prob == pytest.approx(solos[4].log_prob, abs=1e-3)
    assert [s.progression for s in spread_solos(ckpt, progressions, sampling, 2)] == progressions[:2]
