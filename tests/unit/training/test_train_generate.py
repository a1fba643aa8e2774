"""End to end: train on the embedded corpus, then generate MIDI from the checkpoint alone."""

from __future__ import annotations

import pretty_midi
import pytest
import torch

from conftest import tiny_train_config
from jazz_solo import runs
from jazz_solo.checkpoint import load_checkpoint
from jazz_solo.config import GenerateConfig
from jazz_solo.generation import generate
from jazz_solo.training.fit import fit


def test_fast_dev_run_fits_one_batch(tmp_path):
    cfg = tiny_train_config(tmp_path)
    cfg.trainer = {"fast_dev_run": True, "enable_progress_bar": False, "enable_model_summary": False}
    fit(cfg)
    history = runs.read_json(tmp_path / runs.RESULTS)["history"]
    assert len(history) == 1 and history[0]["val_loss"] > 0  # one batch trained, one validated


def test_checkpoint_carries_everything_to_generate(trained_ckpt):
    ckpt = load_checkpoint(trained_ckpt)
    assert ckpt.net.n_values == len(ckpt.vocab) == len(ckpt.spec.value_counts)
    assert ckpt.spec.tokenizer == "grammar" and ckpt.spec.backing["spans"]  # the classic values are the default
    assert all(value[0] in "RCSAX" for value in ckpt.vocab)
    raw = torch.load(trained_ckpt, weights_only=True)  # loadable without unpickling code
    assert raw["hyper_parameters"]["model"]["n_a"] == 16


def test_generate_writes_readable_midi_with_notes(trained_ckpt, tmp_path):
    paths = generate(GenerateConfig(ckpt=str(trained_ckpt), n=3, length=40, out=str(tmp_path / "solos")))
    assert [p.name for p in paths] == ["solo_000.mid", "solo_001.mid", "solo_002.mid"]
    for path in paths:
        pm = pretty_midi.PrettyMIDI(str(path))
        solo, comping = pm.instruments
        assert len(solo.notes) > 5 and len(comping.notes) > 0


@pytest.mark.parametrize("tokenizer, windows", [("pitch", "sliding"), ("grammar", "exercise")])
def test_other_tokenizers_and_windows_train_and_generate(tokenizer, windows, tmp_path):
    cfg = tiny_train_config(tmp_path, tokenizer=tokenizer, windows=windows, m=40)
    cfg.trainer["max_epochs"] = 1
    ckpt = load_checkpoint(fit(cfg))
    assert ckpt.spec.tokenizer == tokenizer
    (path,) = generate(GenerateConfig(ckpt=str(tmp_path / "checkpoints" / "last.ckpt"), length=30, out=str(tmp_path)))
    assert len(pretty_midi.PrettyMIDI(str(path)).instruments[0].notes) > 5


def test_same_seed_same_solo_other_seed_other_solo(trained_ckpt, tmp_path):
    def solo(seed: int, out: str) -> list[tuple]:
        cfg = GenerateConfig(ckpt=str(trained_ckpt), length=40, strategy="sample", seed=seed, out=str(tmp_path / out))
        (path,) = generate(cfg)
        return [(n.start, n.pitch) for n in pretty_midi.PrettyMIDI(str(path)).instruments[0].notes]

    first = solo(1, "a")
    assert first == solo(1, "b")
    assert first != solo(2, "c")


def test_generate_never_overwrites_unless_asked(trained_ckpt, tmp_path):
    from jazz_solo.errors import JazzSoloError

    cfg = GenerateConfig(ckpt=str(trained_ckpt), length=20, out=str(tmp_path))
    generate(cfg)
    with pytest.raises(JazzSoloError, match="exists"):
        generate(cfg)
    cfg.overwrite = True
    assert generate(cfg)


def test_generate_over_the_chords_of_a_midi_file(trained_ckpt, tmp_path):
    from jazz_solo.corpus.__main__ import write_corpus
    from jazz_solo.generation import progression_for

    song = write_corpus(tmp_path / "corpus", seed=0)[-1]  # a turnaround: Cmaj7 A7 | Dm7 G7 | ... in some key
    progression = progression_for(load_checkpoint(trained_ckpt), chords=str(song), tempo=99)
    assert progression.tempo == 99 and len({s.chord.symbol for s in progression.spans}) >= 4
    own = progression_for(load_checkpoint(trained_ckpt))
    assert [s.chord for s in progression.spans] != [s.chord for s in own.spans]
    cfg = GenerateConfig(ckpt=str(trained_ckpt), length=30, chords=str(song), out=str(tmp_path / "solos"))
    (path,) = generate(cfg)
    comping = pretty_midi.PrettyMIDI(str(path)).instruments[1].notes
    song_chords = progression_for(load_checkpoint(trained_ckpt), chords=str(song))  # at the file's own tempo
    chords = [song_chords.chord_at(n.start * song_chords.tempo / 60 % song_chords.length) for n in comping]
    assert len(set(chords)) >= 4  # the file's chords, each voiced with its own tones
    assert all(n.pitch % 12 in chord.pitch_classes for n, chord in zip(comping, chords))


def test_a_run_folder_stands_for_its_best_checkpoint(trained_ckpt, tmp_path):
    from jazz_solo.checkpoint import resolve_checkpoint
    from jazz_solo.errors import JazzSoloError

    run_dir = trained_ckpt.parent.parent  # <run>/checkpoints/<best>.ckpt
    assert resolve_checkpoint(run_dir) == trained_ckpt
    (path,) = generate(GenerateConfig(ckpt=str(run_dir), length=20, out=str(tmp_path / "solos")))
    assert pretty_midi.PrettyMIDI(str(path)).instruments[0].notes
    with pytest.raises(JazzSoloError, match="a folder with no checkpoint"):
        resolve_checkpoint(tmp_path)
