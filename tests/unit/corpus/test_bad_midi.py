"""Bad MIDI wherever a MIDI is read (inspect, training, a progression to play over): one line on stderr
naming the file and the problem, exit status != 0, no traceback, no hang, no partial output."""

from __future__ import annotations

import random
import time
import warnings
from pathlib import Path

import pretty_midi
import pytest

from conftest import assert_one_line_error, run_script
from jazz_solo.config import DataConfig
from jazz_solo.corpus.encoding import load_scores
from jazz_solo.errors import JazzSoloError
from jazz_solo.generation import backing_for
from jazz_solo.music.comping import write_midi
from jazz_solo.training.data import JazzDataModule


def good_midi(path: Path, n_notes: int = 64, drums_only: bool = False) -> Path:
    """A solo over a piano comping track (or a drum part alone)."""
    pm = pretty_midi.PrettyMIDI(initial_tempo=120)
    solo = pretty_midi.Instrument(0 if drums_only else 26, is_drum=drums_only, name="Guitar")
    for i in range(n_notes):
        solo.notes.append(pretty_midi.Note(90, 60 + (i * 5) % 19, i * 0.25, i * 0.25 + 0.2))
    pm.instruments.append(solo)
    if not drums_only:
        piano = pretty_midi.Instrument(0, name="Piano")
        for bar in range(n_notes // 8 + 1):
            for pitch in (48, 52, 55, 59):
                piano.notes.append(pretty_midi.Note(60, pitch + (bar % 3) * 2, bar * 2.0, bar * 2.0 + 1.9))
        pm.instruments.append(piano)
    return write_midi(pm, path)


def bad_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, a fragment of the error message)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.mid").write_bytes(b"")
    (folder / "random.mid").write_bytes(random.Random(0).randbytes(2000))
    whole = good_midi(folder / "whole.mid").read_bytes()
    (folder / "truncated.mid").write_bytes(whole[: len(whole) // 2])
    (folder / "text.mid").write_text("MThd is not what this file says\n" * 20)
    good_midi(folder / "drums.mid", drums_only=True)
    write_midi(pretty_midi.PrettyMIDI(), folder / "silent.mid")
    cases = {
        "zero-byte": ("empty.mid", "not a readable MIDI file"),
        "random bytes": ("random.mid", "not a readable MIDI file"),
        "truncated": ("truncated.mid", "not a readable MIDI file"),
        "text named .mid": ("text.mid", "not a readable MIDI file"),
        "drums only": ("drums.mid", "no pitched notes"),
        "no notes": ("silent.mid", "no pitched notes"),
    }
    (folder / "whole.mid").unlink()
    return {name: (folder / file, fragment) for name, (file, fragment) in cases.items()}


CASES = ["zero-byte", "random bytes", "truncated", "text named .mid", "drums only", "no notes"]


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    return bad_files(tmp_path_factory.mktemp("bad"))


@pytest.mark.parametrize("case", CASES)
def test_inspect_names_the_file_and_the_problem(case, bad):
    path, fragment = bad[case]
    result = run_script("-m", "jazz_solo.music", "inspect", str(path), "--json")
    assert_one_line_error(result, str(path), fragment)
    assert result.stdout == ""


@pytest.mark.parametrize("case", CASES)
def test_training_data_and_progressions_name_the_file_and_the_problem(case, bad):
    path, fragment = bad[case]
    with pytest.raises(JazzSoloError, match=fragment) as err:
        JazzDataModule(DataConfig(path=str(path))).setup()
    assert str(path) in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(JazzSoloError, match=fragment):
        backing_for(None, chords=str(path))


def test_bad_solo_index_section_and_folders(tmp_path):
    song = good_midi(tmp_path / "song.mid")
    result = run_script("-m", "jazz_solo.music", "inspect", str(song), "--solo", "7")
    assert_one_line_error(result, str(song), "no instrument 7")
    result = run_script("-m", "jazz_solo.music", "inspect", str(song), "--solo", "Trumpet")
    assert_one_line_error(result, str(song), "no instrument named 'Trumpet'", "'Guitar'")
    result = run_script("-m", "jazz_solo.music", "inspect", str(song), "--start", "400", "--end", "440")
    assert_one_line_error(result, str(song), "no notes in the section")
    (tmp_path / "empty").mkdir()
    result = run_script("-m", "jazz_solo.music", "inspect", str(tmp_path / "empty"))  # a folder: a corpus
    assert_one_line_error(result, "empty: folder has no .mid or .midi files")
    with pytest.raises(JazzSoloError, match="folder has no .mid or .midi files"):
        load_scores(str(tmp_path / "empty"))


def test_a_folder_skips_bad_files_with_one_warning(bad, tmp_path):
    folder = bad["zero-byte"][0].parent
    with pytest.raises(JazzSoloError, match="no usable MIDI file"):
        load_scores(str(folder))
    good_midi(folder / "zz_good.mid")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scores = load_scores(str(folder))
        assert len(scores) == 1
        (warning,) = [w for w in caught if "skipped" in str(w.message)]
        assert "skipped 6 unusable file(s)" in str(warning.message) and "empty.mid" in str(warning.message)
    finally:
        (folder / "zz_good.mid").unlink()


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


def test_a_10000_note_file_is_read_in_seconds(tmp_path):
    song = good_midi(tmp_path / "long.mid", n_notes=10_000)
    started = time.perf_counter()
    result = run_script("-m", "jazz_solo.music", "inspect", str(song), "--json", timeout=120)
    elapsed = time.perf_counter() - started
    print(f"\ninspect on 10,000 notes: {elapsed:.1f} s (noisy on a shared machine)")
    assert result.returncode == 0, result.stderr[-2000:]
    assert '"notes": 10000' in result.stdout
