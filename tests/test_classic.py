"""The classic exercise's file, when ../shared/data has it (it is never committed here)."""

from conftest import shared_file, tiny_train_config
from jazz_solo.music.score import read_midi
from jazz_solo.music.tokenizers import PitchTokenizer
from jazz_solo.training import fit


def test_metheny_guitar_solo_tokenizes_and_fits(tmp_path):
    path = shared_file("original_metheny.mid")
    score = read_midi(path, solo=5)
    assert len(score.notes) > 1000 and score.progression.tempo == 112
    values = PitchTokenizer().encode(score)
    assert len(values) >= len(score.notes)
    cfg = tiny_train_config(tmp_path, path=str(path), solo="5")
    cfg.trainer = {"fast_dev_run": True, "enable_progress_bar": False, "enable_model_summary": False}
    fit(cfg)
