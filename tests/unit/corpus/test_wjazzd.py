"""WJazzD: the reader (CSV folder and .db), NC, filters, the validation split, the vocabulary policy, the cache."""

from __future__ import annotations

import csv
import logging
import shutil
from collections import Counter

import pytest

from conftest import WJAZZD_EXTRACT, shared_file, wjazzd_db
from jazz_solo.config import DataConfig
from jazz_solo.corpus import wjazzd
from jazz_solo.corpus.encoding import encode_values
from jazz_solo.corpus.split import held_out
from jazz_solo.corpus.vocabulary import nearest, vocabulary
from jazz_solo.corpus.wjazzd_leadsheets import LEADSHEETS
from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import NO_CHORD, Chord, ChordSpan, Progression
from jazz_solo.music.grammar import GrammarTokenizer, parse_value
from jazz_solo.music.score import Note, Score
from jazz_solo.music.tokenizers import value_length

ARMSTRONG = "LouisArmstrong_GutBucketBlues_FINAL"


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("JAZZ_SOLO_CACHE", str(folder))
    return folder


def extract_scores(lengths: str = "onsets") -> dict[str, Score]:
    infos = wjazzd.read_infos(WJAZZD_EXTRACT)
    return {info.id: score for info, score in zip(infos, wjazzd.read_solos(WJAZZD_EXTRACT, infos, lengths))}


def test_positions_come_from_the_beat_track():
    """Bar 0 is a pickup bar: measure 0; each note at its beat plus (onset - beat onset) / beat duration."""
    score = extract_scores()[ARMSTRONG]
    # melody rows: bar 0 beats 2, 2, 3, 4 then bar 1 beat 1; fractions 0.06, 0.82, 0.65, 0.81, 0.02
    assert [round(n.start, 3) for n in score.notes[:5]] == [1.0, 1.75, 2.667, 3.75, 4.0]
    assert [n.pitch for n in score.notes[:5]] == [72, 72, 72, 62, 64]
    first, second = score.progression.spans[:2]
    assert (first.start, first.end, first.chord) == (0.0, 4.0, NO_CHORD)  # the pickup bar: NC
    assert (second.start, second.chord) == (4.0, Chord.parse("C7"))
    assert score.metre == (4, 4) and score.progression.beats_per_bar == 4


def test_every_solo_of_the_extract_reads():
    infos = {info.id: info for info in wjazzd.read_infos(WJAZZD_EXTRACT)}
    for name, score in extract_scores().items():
        with open(WJAZZD_EXTRACT / "mcsv_melody" / f"{name}.csv", encoding="utf-8") as file:
            rows = sum(1 for _ in csv.DictReader(file))
        assert 0.9 * rows <= len(score.notes) <= rows  # notes quantised onto one onset keep the highest
        assert all(a.end <= b.start + 1e-9 for a, b in zip(score.notes, score.notes[1:]))
        assert all(abs(n.start * 12 - round(n.start * 12)) < 1e-6 and n.duration > 0 for n in score.notes)
        assert score.progression.spans[0].start == 0 and score.progression.length >= score.notes[-1].end - 1e-9
        assert score.progression.tempo == pytest.approx(infos[name].avgtempo, rel=0.02)  # beat track vs metadata
    scores = extract_scores()
    assert scores["DonEllis_YouSteppedOutOfADream-2_FINAL"].bar_metres == ((4, 4), (5, 4))
    free = scores["SteveColeman_Cross=Fade-2_FINAL"]
    assert free.metre == (9, 4) and {s.chord for s in free.progression.spans} == {NO_CHORD}


def test_the_db_reads_like_the_csv_folder(tmp_path):
    db = wjazzd_db(WJAZZD_EXTRACT, tmp_path / "wjazzd.db")
    assert wjazzd.is_wjazzd(db) and wjazzd.is_wjazzd(WJAZZD_EXTRACT) and not wjazzd.is_wjazzd(tmp_path)
    from_db = wjazzd.read_infos(db)
    from_csv = wjazzd.read_infos(WJAZZD_EXTRACT)
    assert [(i.id, i.performer, i.title, i.instrument, i.style) for i in from_db] == [
        (i.id, i.performer, i.title, i.instrument, i.style) for i in from_csv
    ]
    for a, b in zip(wjazzd.read_solos(db, from_db), wjazzd.read_solos(WJAZZD_EXTRACT, from_csv)):
        assert a.notes == b.notes and a.progression.spans == b.progression.spans and a.bar_metres == b.bar_metres


def test_a_note_over_nc_is_heard_against_the_chord_before_or_after():
    grammar = GrammarTokenizer()
    c7, nc = Chord.parse("C7"), NO_CHORD
    e_over = [Note(1.0, 1.0, 64), Note(5.0, 1.0, 64)]  # E: a chord tone of C7
    break_after = Progression([ChordSpan(0, 4, c7), ChordSpan(4, 4, nc)])
    pickup_before = Progression([ChordSpan(0, 4, nc), ChordSpan(4, 4, c7)])
    free = Progression([ChordSpan(0, 8, nc)])
    for progression in (break_after, pickup_before):
        assert [v.split(",")[0] for v in grammar.encode(Score(e_over, progression)) if v[0] != "R"] == ["C", "C"]
    assert [v.split(",")[0] for v in grammar.encode(Score(e_over, free)) if v[0] != "R"] == ["X", "X"]
    notes = grammar.decode(["C,1.000", "C,1.000", "R,2.000", "C,1.000"], pickup_before, seed=3)
    assert {n.pitch % 12 for n in notes} <= c7.pitch_classes  # realised over the pickup as over C7


def corpus(**data):
    return encode_values(DataConfig(path=str(WJAZZD_EXTRACT), **data))


def test_filters_select_solos_by_metadata_and_beat_track():
    assert len(corpus().names) == 5  # the free solo has no chord: left out
    assert len(corpus(chordless=True).names) == 6
    four_four = corpus(metre=["4/4"]).names  # Don Ellis's 5/4 bars and the 9/4 solo are left out
    assert len(four_four) == 4 and not any("DonEllis" in n for n in four_four)
    assert corpus(performer=["ory"]).names == ["KidOry_GutBucketBlues_FINAL", "KidOry_SavoyBlues_FINAL"]
    assert corpus(instrument=["TS"], style=["cool"]).names == ["ZootSims_DancingInTheDark-1_FINAL"]
    assert len(corpus(title=["gut bucket"], rhythmfeel=["TWOBEAT"]).names) == 2
    with pytest.raises(JazzSoloError, match="no WJazzD solo passes the filters.*data.performer=.'Bird'"):
        corpus(performer=["Bird"])
    with pytest.raises(JazzSoloError, match="data.performer: a WJazzD filter"):
        encode_values(DataConfig(performer=["Bird"]))


def test_validation_holds_out_whole_solos_or_whole_performers():
    found = corpus(val_fraction=0.3)
    by_seed = [held_out(found, DataConfig(holdout="solos", val_fraction=0.3, seed=s)) for s in range(8)]
    assert by_seed[0] == held_out(found, DataConfig(holdout="solos", val_fraction=0.3, seed=0))
    assert len({frozenset(h) for h in by_seed}) > 1 and all(len(h) == 2 for h in by_seed)
    for seed in range(8):
        held = held_out(found, DataConfig(holdout="performers", val_fraction=0.3, seed=seed))
        performers = {found.groups[i] for i in held}
        assert held == {i for i, g in enumerate(found.groups) if g in performers} and len(held) >= 2


def test_rare_values_map_to_the_nearest_kept_value_of_their_kind():
    kept, mapping = vocabulary(
        [["C,1.000", "C,0.083", "S,0.917", "S,0.917", "C,1.000", "C,0.083"], ["C,0.917"]], 2, "grammar"
    )
    assert kept == ["C,0.083", "C,1.000", "S,0.917"]
    assert mapping == {v: (v,) for v in kept} | {"C,0.917": ("C,1.000",)}  # same role first, then the closest length
    by_kind = {"note": {0.5: [("C4,0.500", (60,)), ("G5,0.500", (79,))]}, "R": {1.0: [("R,1.000", ())]}}
    assert nearest("D4,0.583", by_kind, "pitch") == "C4,0.500" and nearest("R,0.250", by_kind, "pitch") == "R,1.000"

    # split where it can be: a kept value of its kind and a kept rest that last as long, so no onset moves
    kept, mapping = vocabulary(
        [["C4,1.000", "D4,1.000", "R,0.417", "R,1.000"] * 2 + ["C#4,1.417", "R,1.417"]], 2, "pitch"
    )
    assert mapping["C#4,1.417"] == ("C4,1.000", "R,0.417") and mapping["R,1.417"] == ("R,1.000", "R,0.417")
    kept, mapping = vocabulary([["C4,1.000", "R,0.500"] * 2 + ["C4,1.417"]], 2, "pitch")
    assert mapping["C4,1.417"] == ("C4,1.000",)  # no kept rest of 0.417: the nearest length, the onsets move
    for tokenizer in ("grammar", "pitch"):
        every, rare = corpus(tokenizer=tokenizer), corpus(tokenizer=tokenizer, min_count=3)
        assert every.coverage == 1 and every.vocab == sorted(every.vocab)
        assert {i for s in every.sequences for i in s} == set(range(len(every.vocab)))
        counts = Counter(every.vocab[i] for s in every.sequences for i in s)
        assert rare.vocab == sorted(v for v, n in counts.items() if n >= 3) and rare.coverage < 1
        every_values = [[every.vocab[i] for i in seq] for seq in every.sequences]
        _, mapping = vocabulary(every_values, 3, tokenizer)
        for old, after in zip(every_values, rare.sequences):
            assert [rare.vocab[i] for i in after] == [w for v in old for w in mapping[v]]
        for v, played in mapping.items():
            assert (played == (v,)) == (counts[v] >= 3)
            if len(played) == 2:  # a split lasts as long as the value, its second part a rest
                assert sum(map(value_length, played)) == pytest.approx(value_length(v)) and played[1][0] == "R"
            if tokenizer == "grammar":  # the role and the bracket's presence are kept where a kept value has them
                kinds = {(parse_value(k)[0], parse_value(k)[2] is None) for k in rare.vocab}
                kind = (parse_value(v)[0], parse_value(v)[2] is None)
                assert kind not in kinds or kind == (parse_value(played[0])[0], parse_value(played[0])[2] is None)


def test_the_cache_serves_the_same_values_and_follows_the_files(tmp_path, cache):
    folder = tmp_path / "wjazzd"
    shutil.copytree(WJAZZD_EXTRACT, folder)
    cfg = DataConfig(path=str(folder), tokenizer="pitch")
    first = encode_values(cfg)
    (entry,) = cache.iterdir()
    assert encode_values(cfg).sequences == first.sequences
    entry.write_bytes(entry.read_bytes()[:-100])  # torn: rebuilt, not an error
    assert encode_values(cfg).vocab == first.vocab and entry.stat().st_size > 100
    melody = folder / "mcsv_melody" / f"{ARMSTRONG}.csv"
    melody.write_text(melody.read_text().replace(",72,", ",73,", 1))  # the first pitch: C5 -> C#5
    changed = encode_values(cfg)
    assert "C#5" in changed.vocab[changed.sequences[changed.names.index(ARMSTRONG)][1]]
    assert len(list(cache.iterdir())) == 2


def test_the_full_database_has_the_counts_its_readme_gives():
    folder = shared_file("wjazzd")
    infos = wjazzd.read_infos(folder)
    assert len(infos) == 456
    notes, labels = 0, Counter()
    for info in infos:
        with open(folder / "mcsv_melody" / f"{info.id}.csv", encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
        notes += len(rows)
        labels.update(row["chord"] for row in rows)
    assert notes == 200_809 and len(labels) == 410 and labels["NC"] == 7_829
    for label in labels:
        wjazzd.chord(label, "wjd")  # every label parses (an unknown one raises)


@pytest.mark.slow
def test_every_solo_of_the_full_database_reads():
    folder = shared_file("wjazzd")
    infos = wjazzd.read_infos(folder)
    scores = wjazzd.read_solos(folder, infos, "legato")
    assert len(scores) == 456 and 190_000 < sum(len(s.notes) for s in scores) <= 200_809
    chordless = [s.name for s in scores if {span.chord for span in s.progression.spans} == {NO_CHORD}]
    assert len(chordless) == 12


def test_a_tune_by_title_or_id_gives_its_lead_sheet(monkeypatch, trained_ckpt):
    info, progression = wjazzd.tune_changes(WJAZZD_EXTRACT, "gut bucket")  # a part of the title, any case
    assert info.id == "KidOry_GutBucketBlues_FINAL"  # the first in the metadata's order
    assert progression == Progression.parse(info.chord_changes, info.avgtempo, 4)
    assert wjazzd.tune_changes(WJAZZD_EXTRACT, ARMSTRONG)[0].performer == "Louis Armstrong"
    with pytest.raises(JazzSoloError, match="no solo has the id or title 'Giant Steps'"):
        wjazzd.tune_changes(WJAZZD_EXTRACT, "Giant Steps")
    from jazz_solo.checkpoint import load_checkpoint
    from jazz_solo.generation import progression_for

    monkeypatch.setattr(wjazzd, "WJAZZD_PATH", str(WJAZZD_EXTRACT))  # the checkpoint's corpus is not WJazzD
    backing = progression_for(load_checkpoint(trained_ckpt), "wjazzd:Dancing in the Dark", tempo=100)
    zoot = wjazzd.tune_changes(WJAZZD_EXTRACT, "ZootSims_DancingInTheDark-1_FINAL")[1]
    assert backing.spans == zoot.spans and backing.tempo == 100


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("holdout", "bars", "data.holdout must be one of spaced, solos, performers"),
        ("min_count", 0, "data.min_count must be >= 1"),
        ("metre", ["four"], "data.metre: 'four' is not a metre like 4/4"),
        ("val_stride", 0, "data.val_stride must be >= 1"),
    ],
)
def test_bad_wjazzd_settings_are_one_line_errors(field, value, message):
    with pytest.raises(JazzSoloError, match=message):
        DataConfig(**{field: value})


def test_a_name_in_several_titles_or_in_none_lists_the_titles_it_could_mean(caplog):
    infos = wjazzd.read_infos(WJAZZD_EXTRACT)
    with caplog.at_level(logging.INFO, logger="jazz_solo.corpus.wjazzd"):
        assert wjazzd.find_tune(infos, "Gut Bucket Blues", "x").id == "KidOry_GutBucketBlues_FINAL"  # 2 solos
    (line,) = [r.getMessage() for r in caplog.records if "solos of that title" in r.getMessage()]
    other = next(i for i in infos if i.title == "Gut Bucket Blues" and i.id != "KidOry_GutBucketBlues_FINAL")
    assert line.startswith("Gut Bucket Blues: 2 solos of that title; taking KidOry_GutBucketBlues_FINAL")
    assert line.endswith(f"the others by id: {other.id} ({other.performer})")
    with pytest.raises(JazzSoloError, match=r"x: 'blues' is in 2 titles: 'Gut Bucket Blues', 'Savoy Blues' \(list"):
        wjazzd.find_tune(infos, "blues", "x")
    with pytest.raises(JazzSoloError, match=r"no solo has the id or title 'Savoy Bluez' \(close: 'Savoy Blues'; list"):
        wjazzd.find_tune(infos, "Savoy Bluez", "x")


def test_tunes_lists_title_performer_key_tempo_and_form():
    from conftest import run_in_process

    result = run_in_process("-m", "jazz_solo.corpus", "tunes", "gut", "--path", str(WJAZZD_EXTRACT))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[0].split() == "Gut Bucket Blues Kid Ory C maj 150 bpm A, 12 bars".split()
    missing = run_in_process("-m", "jazz_solo.corpus", "tunes", "--path", "nowhere")
    assert missing.returncode == 2 and "nowhere: no WJazzD here (make wjazzd, or --path DIR" in missing.stderr


def test_a_wjazzd_model_reads_its_recorded_copy_else_data_wjazzd_else_says_how_to_fetch_it(tmp_path, monkeypatch):
    from jazz_solo.corpus.download import NOTICE

    gone = {"path": str(tmp_path / "trainers" / "wjazzd")}  # the trainer's copy, not on this machine
    monkeypatch.setattr(wjazzd, "WJAZZD_PATH", str(WJAZZD_EXTRACT))
    assert wjazzd.corpus_path({"path": str(WJAZZD_EXTRACT)}, None, "m") == str(WJAZZD_EXTRACT)  # recorded, here
    assert wjazzd.corpus_path(gone, NOTICE, "m") == wjazzd.tunes_path(gone, NOTICE) == str(WJAZZD_EXTRACT)
    assert wjazzd.corpus_path({"path": None}, None, "m") is None  # the embedded corpus
    assert wjazzd.corpus_path(gone, None, "m") == gone["path"]  # another corpus's missing file: its reader says so
    monkeypatch.setattr(wjazzd, "WJAZZD_PATH", str(tmp_path / "data" / "wjazzd"))
    with pytest.raises(JazzSoloError) as error:
        wjazzd.corpus_path(gone, NOTICE, "pretrained:wjazzd")
    fetch = f"(make wjazzd fetches it to {tmp_path / 'data' / 'wjazzd'})"
    assert str(error.value) == f"pretrained:wjazzd was trained on WJazzD, which is not here {fetch}"
    assert wjazzd.tunes_path(gone, NOTICE) == wjazzd.tunes_path({"path": None}, None) == str(LEADSHEETS)  # shipped
