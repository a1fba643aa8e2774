"""Bad MIDI wherever the library reads one (training data, a progression to play over): one clear error naming the
file and the problem. `inspect` and the scripts on the same files: tests/cli."""

from __future__ import annotations

import warnings

import pytest

from conftest import CASES, good_midi
from jazz_solo.config import DataConfig
from jazz_solo.corpus.encoding import load_scores
from jazz_solo.errors import JazzSoloError
from jazz_solo.generation import progression_for
from jazz_solo.training.data import JazzDataModule


@pytest.mark.parametrize("case", CASES)
def test_training_data_and_progressions_name_the_file_and_the_problem(case, bad):
    path, fragment = bad[case]
    with pytest.raises(JazzSoloError, match=fragment) as err:
        JazzDataModule(DataConfig(path=str(path))).setup()
    assert str(path) in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(JazzSoloError, match=fragment):
        progression_for(None, chords=str(path))


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
