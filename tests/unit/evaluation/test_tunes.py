"""evaluate tunes=k: a WJazzD model's solos over the tunes of k held-out solos, solo i over tune i mod k."""

from __future__ import annotations

import json
import logging

import pytest

from conftest import WJAZZD_EXTRACT, assert_one_line_error, run_in_process, shared_file, tiny_train_config
from jazz_solo.checkpoint import load_checkpoint
from jazz_solo.config import DataConfig, EvaluateConfig, SamplingConfig
from jazz_solo.corpus import wjazzd
from jazz_solo.corpus.encoding import encode_values
from jazz_solo.corpus.split import held_out
from jazz_solo.errors import JazzSoloError
from jazz_solo.evaluation.evaluate import evaluate
from jazz_solo.evaluation.played import chosen_tunes
from jazz_solo.generation import solos_for
from jazz_solo.music.solo import write_solo

# The extract's 4/4 solos: Gut Bucket Blues (Kid Ory), Savoy Blues, Gut Bucket Blues (Louis Armstrong), Dancing
# in the Dark. Holding out 3 of 4, evenly spaced, holds out the 1st, 3rd and 4th: two distinct tunes.
HELD_OUT = {"path": str(WJAZZD_EXTRACT), "metre": ["4/4"], "val_fraction": 0.75}
TUNES = [  # id, title, performer, tempo (the solo's)
    ("KidOry_GutBucketBlues_FINAL", "Gut Bucket Blues", "Kid Ory", 149.8),
    ("ZootSims_DancingInTheDark-1_FINAL", "Dancing in the Dark", "Zoot Sims", 124.7),
]


@pytest.fixture(scope="module")
def wjazzd_ckpt(tmp_path_factory):
    """A tiny chord-conditioned model of the extract's 4/4 solos, most of them held out."""
    from jazz_solo.training.fit import fit

    tmp = tmp_path_factory.mktemp("wjazzd")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JAZZ_SOLO_CACHE", str(tmp / "cache"))
        cfg = tiny_train_config(tmp, **HELD_OUT, Tx=8, batch_size=8)
        cfg.model.condition = "chords"
        yield fit(cfg)


def test_the_solos_play_over_the_held_out_tunes_in_turn(wjazzd_ckpt, tmp_path):
    out = tmp_path / "eval"
    evaluate(EvaluateConfig(ckpt=str(wjazzd_ckpt), tunes=2, n=4, bars=4, seed=3, audio=False, out=str(out)))
    found = json.loads((out / "metrics.json").read_text())
    assert found["tunes"] == [dict(zip(("id", "title", "performer", "tempo", "n_solos"), (*t, 2))) for t in TUNES]
    name = "2 held-out tunes: Gut Bucket Blues (Kid Ory), Dancing in the Dark (Zoot Sims)"
    assert found["progression_name"] == name and found["chords"] is None
    assert found["progression"][0] == "| C | F | C | C | F | F | C | C | G7 | F | C | C |"
    report = (out / "report.md").read_text()
    assert f"**Played over** {name} (2 solos each)." in report
    assert f"Solos played over: {name}.\n\n- Gut Bucket Blues (Kid Ory, 149.8 bpm, 2 solos): | C | F |" in report
    # Every solo shown (3 most and 3 least likely: all 4) is the one generate.py makes alone over its tune.
    ckpt = load_checkpoint(wjazzd_ckpt)
    alone = set()
    for i in range(4):
        sampling = SamplingConfig(chords=f"wjazzd:{TUNES[i % 2][0]}", strategy="sample", bars=4, seed=3 + i)
        (solo,) = solos_for(ckpt, sampling, 1)
        alone.add(write_solo(solo, tmp_path / f"alone_{i}.mid").read_bytes())
    assert {path.read_bytes() for path in out.glob("*_likely_*.mid")} == alone


def test_fewer_held_out_tunes_than_asked_are_one_warning_and_all_of_them(wjazzd_ckpt, caplog):
    data = DataConfig(**HELD_OUT)
    corpus = encode_values(data)
    with caplog.at_level(logging.WARNING):
        infos = chosen_tunes(EvaluateConfig(ckpt="x", tunes=3, n=3), corpus, held_out(corpus, data))
    assert [info.id for info in infos] == [tune[0] for tune in TUNES]
    assert [r.getMessage() for r in caplog.records] == [
        "tunes=3: the held-out solos have 2 distinct tunes; playing over all of them"
    ]


def test_the_full_database_gives_ten_held_out_tunes_with_their_lead_sheets(cache):
    folder = shared_file("wjazzd")
    data = DataConfig(path=str(folder), performer=["Coltrane", "Parker", "Rollins"], metre=["4/4"], val_fraction=0.3)
    corpus = encode_values(data)
    infos = chosen_tunes(EvaluateConfig(ckpt="x", tunes=10, n=200), corpus, held_out(corpus, data))
    assert len({info.title for info in infos}) == 10
    for info in infos:  # each tune read as chords=wjazzd:<id> reads it: its lead sheet at the solo's tempo
        assert wjazzd.tune_changes(folder, info.id)[1].tempo == info.avgtempo > 0


def test_a_model_of_another_corpus_has_no_held_out_tunes(trained_ckpt, tmp_path):
    with pytest.raises(JazzSoloError, match=r"tunes=2: .* was not trained on WJazzD solos with some held out"):
        evaluate(EvaluateConfig(ckpt=str(trained_ckpt), tunes=2, n=4, out=str(tmp_path / "eval")))
    assert not (tmp_path / "eval").exists()


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"tunes": 0}, "tunes must be >= 1, got 0"),
        ({"tunes": 5, "n": 4}, "tunes must be <= n (a solo per tune), got 5"),
        ({"tunes": 2, "chords": "wjazzd:Anthropology"}, "give chords or tunes, not both"),
    ],
)
def test_bad_tunes_settings_are_one_line_errors(settings, message):
    with pytest.raises(JazzSoloError) as err:
        EvaluateConfig(ckpt="model.ckpt", **settings)
    assert str(err.value) == f"config: {message}"


def test_tunes_and_chords_on_the_command_line_are_one_line():
    result = run_in_process("evaluate.py", "ckpt=model.ckpt", "tunes=2", "chords=Dm7")
    assert_one_line_error(result, "give chords or tunes, not both")
