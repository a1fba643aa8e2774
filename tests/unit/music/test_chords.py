import csv
import glob

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from conftest import shared_file
from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import DETECTABLE, NO_CHORD, Chord, ChordSpan, Progression, detect_chord
from jazz_solo.music.comping import comping_notes
from jazz_solo.music.grammar import role


def test_parse_progression_text():
    prog = Progression.parse("Dm7 G7 | Cmaj7 | Cmaj7", tempo=100)
    assert [s.chord.symbol for s in prog.spans] == ["Dm7", "G7", "Cmaj7", "Cmaj7"]
    assert [(s.start, s.duration) for s in prog.spans] == [(0, 2), (2, 2), (4, 4), (8, 4)]
    assert prog.chord_at(13.0).symbol == "Dm7"  # loops past its end
    assert prog.chord_at(12 - 4e-15).symbol == "Dm7" and prog.chord_at(2 - 4e-15).symbol == "G7"  # float error
    assert Progression.from_dict(prog.to_dict()) == prog


@pytest.mark.parametrize("text", ["Hm7", "Cfoo", "Dm7 | | G7", "", "C7 | Hm7b5"])
def test_bad_progression_text(text):
    with pytest.raises(JazzSoloError):
        Progression.parse(text)


@pytest.mark.parametrize("symbol", ["C", "Dm", "G7", "Fmaj7", "Bm7b5", "C#dim7", "Ebaug", "Asus4", "Bbm7"])
def test_detect_chord_from_its_voicing(symbol):
    chord = Chord.parse(symbol)
    assert detect_chord(chord.voicing(48) + [chord.voicing(36)[0]]) == chord


# symbol -> (root, intervals above the root with the tensions, chord scale, bass pitch class)
TABLE = {
    # lead sheets
    "C6": (0, {0, 4, 7, 9}, "ionian", None),
    "C69": (0, {0, 4, 7, 9, 2}, "ionian", None),
    "C6/9": (0, {0, 4, 7, 9, 2}, "ionian", None),
    "Cm6": (0, {0, 3, 7, 9}, "dorian", None),
    "C7b9": (0, {0, 4, 7, 10, 1}, "altered", None),
    "C7#9": (0, {0, 4, 7, 10, 3}, "altered", None),
    "C7#11": (0, {0, 4, 7, 10, 6}, "lydian dominant", None),
    "C9": (0, {0, 4, 7, 10, 2}, "mixolydian", None),
    "C13": (0, {0, 4, 7, 10, 2, 9}, "mixolydian", None),
    "C13b9": (0, {0, 4, 7, 10, 1, 9}, "half-whole diminished", None),
    "C7b9b13": (0, {0, 4, 7, 10, 1, 8}, "altered", None),
    "C7(b9,#11)": (0, {0, 4, 7, 10, 1, 6}, "altered", None),
    "C9#11": (0, {0, 4, 7, 10, 2, 6}, "lydian dominant", None),
    "C7alt": (0, {0, 4, 10, 3, 8}, "altered", None),
    "Cm(maj7)": (0, {0, 3, 7, 11}, "melodic minor", None),
    "Cm7b5": (0, {0, 3, 6, 10}, "locrian", None),
    "Cø": (0, {0, 3, 6, 10}, "locrian", None),
    "Am7(b5)": (9, {0, 3, 6, 10}, "locrian", None),
    "Cdim7": (0, {0, 3, 6, 9}, "whole-half diminished", None),
    "C°7": (0, {0, 3, 6, 9}, "whole-half diminished", None),
    "C+7": (0, {0, 4, 8, 10}, "whole tone", None),
    "C7#5": (0, {0, 4, 8, 10}, "whole tone", None),
    "Csus4": (0, {0, 5, 7}, "mixolydian", None),
    "C7sus4": (0, {0, 5, 7, 10}, "mixolydian", None),
    "Cadd9": (0, {0, 4, 7, 2}, "ionian", None),
    "CΔ7": (0, {0, 4, 7, 11}, "ionian", None),
    "Cmaj7#11": (0, {0, 4, 7, 11, 6}, "lydian", None),
    "C7/E": (0, {0, 4, 7, 10}, "mixolydian", 4),
    "Cm7/Bb": (0, {0, 3, 7, 10}, "dorian", 10),
    "F#m7b5": (6, {0, 3, 6, 10}, "locrian", None),
    # the Weimar Jazz Database
    "Bb7": (10, {0, 4, 7, 10}, "mixolydian", None),
    "D-7": (2, {0, 3, 7, 10}, "dorian", None),
    "Ebj7": (3, {0, 4, 7, 11}, "ionian", None),
    "C-": (0, {0, 3, 7}, "dorian", None),
    "C-6": (0, {0, 3, 7, 9}, "dorian", None),
    "Co": (0, {0, 3, 6}, "whole-half diminished", None),
    "Co7": (0, {0, 3, 6, 9}, "whole-half diminished", None),
    "C+": (0, {0, 4, 8}, "whole tone", None),
    "Csus": (0, {0, 5, 7}, "mixolydian", None),
    "Csus7": (0, {0, 5, 7, 10}, "mixolydian", None),
    "C79b": (0, {0, 4, 7, 10, 1}, "altered", None),
    "C79#": (0, {0, 4, 7, 10, 3}, "altered", None),
    "C7911#": (0, {0, 4, 7, 10, 2, 6}, "lydian dominant", None),
    "C7913": (0, {0, 4, 7, 10, 2, 9}, "mixolydian", None),
    "C79b13": (0, {0, 4, 7, 10, 1, 9}, "half-whole diminished", None),  # WJazzD: b9 and 13
    "C-j7": (0, {0, 3, 7, 11}, "melodic minor", None),
    "Ebj7911#": (3, {0, 4, 7, 11, 2, 6}, "lydian", None),
    "C-7/Bb": (0, {0, 3, 7, 10}, "dorian", 10),
    "C/G": (0, {0, 4, 7}, "ionian", 7),
    "C+79#": (0, {0, 4, 8, 10, 3}, "altered", None),
}


@pytest.mark.parametrize("symbol", TABLE)
def test_symbols_give_root_tones_scale_and_bass(symbol):
    root, intervals, scale, bass = TABLE[symbol]
    chord = Chord.parse(symbol)
    assert chord.root == root and chord.bass == bass and chord.scale_name == scale
    assert chord.pitch_classes == {(root + i) % 12 for i in intervals}
    assert Chord.parse(chord.symbol) == chord


# The nine qualities there were before tensions, with their tones and scales then: the value grammar,
# the metrics and old checkpoints (which store these symbols) must see them unchanged.
OLD = {
    "Cmaj7": ({0, 4, 7, 11}, {0, 2, 4, 5, 7, 9, 11}),
    "Dm7": ({2, 5, 9, 0}, {2, 4, 5, 7, 9, 11, 0}),
    "G7": ({7, 11, 2, 5}, {7, 9, 11, 0, 2, 4, 5}),
    "C": ({0, 4, 7}, {0, 2, 4, 5, 7, 9, 11}),
    "Cm": ({0, 3, 7}, {0, 2, 3, 5, 7, 9, 10}),
    "Bm7b5": ({11, 2, 5, 9}, {11, 0, 2, 4, 5, 7, 9}),
    "Bdim7": ({11, 2, 5, 8}, {11, 1, 2, 4, 5, 7, 8, 10}),
    "Baug": ({11, 3, 7}, {11, 1, 3, 5, 7, 9}),
    "Csus4": ({0, 5, 7}, {0, 2, 4, 5, 7, 9, 10}),
}


@pytest.mark.parametrize("symbol", OLD)
def test_old_symbols_keep_their_tones_scales_and_spelling(symbol):
    chord = Chord.parse(symbol)
    assert chord.quality in DETECTABLE and chord.symbol == symbol
    assert (chord.pitch_classes, chord.scale) == OLD[symbol]
    spans = [[0.0, 4.0, symbol], [4.0, 4.0, symbol, [47, 50, 53]]]
    old = Progression.from_dict({"tempo": 120.0, "beats_per_bar": 4, "spans": spans})
    assert old.spans[0].chord == chord and old.spans[1].tones == (47, 50, 53)


ROOTS = st.sampled_from(["C", "C#", "Db", "D", "Eb", "E", "F", "F#", "Gb", "G", "Ab", "A", "Bb", "B", "Cb", "E#"])
KINDS = st.sampled_from(["", "m", "-", "maj", "M", "j", "Δ", "mMaj", "-j", "m(maj7)", "ø", "o", "dim", "+", "aug"])
EXTENSIONS = st.sampled_from(["", "6", "69", "7", "9", "11", "13"])
LEAD = ["b5", "#5", "b9", "9", "#9", "#11", "b13", "13", "add9", "add11"]
LEAD_TENSIONS = st.lists(st.sampled_from(LEAD), max_size=3)
WJAZZD_TENSIONS = st.lists(st.sampled_from(["9", "9b", "9#", "11", "11#", "13", "13b"]), max_size=3)
SUS = st.sampled_from(["", "", "sus", "sus4", "sus2"])
BASS = st.sampled_from(["", "", "/E", "/Bb", "/F#", "/G"])


@st.composite
def symbols(draw) -> str:
    """Chord symbols as people write them: lead-sheet or WJazzD tensions, parentheses, sus, slash."""
    tensions = draw(st.one_of(LEAD_TENSIONS.map("".join), LEAD_TENSIONS.map(lambda t: f"({','.join(t)})")))
    tensions = draw(st.one_of(st.just(tensions), WJAZZD_TENSIONS.map("".join)))
    return draw(ROOTS) + draw(KINDS) + draw(EXTENSIONS) + tensions + draw(SUS) + draw(BASS)


@given(symbols())
def test_every_parsed_chord_round_trips_through_its_symbol_and_fits_its_scale(text):
    try:
        chord = Chord.parse(text)
    except JazzSoloError:
        assume(False)
    assert Chord.parse(chord.symbol) == chord
    assert Chord.parse(chord.symbol).symbol == chord.symbol
    excused = {chord.bass, (chord.root + 7) % 12}  # a slash chord's bass, the fifth left out of altered chords
    assert chord.pitch_classes - excused <= chord.scale
    assert sorted({p % 12 for p in chord.voicing(40)}) == sorted(chord.pitch_classes)


@given(st.text(alphabet="CDGAbB#b-+jo679m1345sualdi/()Δø°,MN. |", max_size=14))
def test_any_text_is_a_chord_that_round_trips_or_one_error(text):
    try:
        chord = Chord.parse(text)
    except JazzSoloError as err:
        assert "\n" not in str(err)
    else:
        assert Chord.parse(chord.symbol) == chord
    try:
        Progression.parse(text)
    except JazzSoloError:
        pass


def wjazzd_labels() -> set[str]:
    root = shared_file("wjazzd")
    labels = set()
    for path in glob.glob(f"{root}/mcsv_melody/*.csv") + glob.glob(f"{root}/mcsv_beat/*.csv"):
        with open(path, newline="") as f:
            labels |= {row["chord"] for row in csv.DictReader(f)}
    return labels


def test_every_wjazzd_chord_label_parses():
    labels = wjazzd_labels()
    assert len(labels) >= 410
    chords = {label: Chord.parse(label, "WJazzD") for label in labels}
    assert all(Chord.parse(c.symbol) == c for c in chords.values())
    assert chords["NC"] == NO_CHORD and chords["Bb7"].symbol == "Bb7"


def wjazzd_meta() -> dict[str, dict]:
    with open(shared_file("wjazzd/wjd_meta.csv"), newline="") as f:
        return {row["id"]: row for row in csv.DictReader(f)}


def test_real_lead_sheets_give_the_whole_form():
    meta = wjazzd_meta()
    anthropology = Progression.parse(meta["ArtPepper_Anthropology_FINAL.sv"]["chord_changes"])
    assert anthropology.length == 32 * 4  # A1 A2 B1 A3, eight bars each
    assert [s.chord.symbol for s in anthropology.spans[:4]] == ["Bb6", "G7", "Cm7", "F7"]
    assert anthropology.chord_at(16 * 4).symbol == "D7"  # B1 starts with the bridge's D7
    stardust = Progression.parse(meta["ArtPepper_Stardust-1_FINAL.sv"]["chord_changes"])
    last_a_bar = [s.chord.symbol for s in stardust.spans if 15 * 4 <= s.start < 16 * 4]
    assert last_a_bar == ["Bbdim7", "Bb7", "Ebaug7"]  # "Bbo7 Bb7Eb+7": two chords glued together
    this_here = meta["CannonballAdderley_ThisHere_FINAL.sv"]
    waltz = Progression.parse(this_here["chord_changes"], beats_per_bar=int(this_here["signature"][0]))
    assert waltz.spans[6].chord.symbol == "F7" and waltz.spans[7].chord == NO_CHORD  # "F7NC"
    assert waltz.spans[7].duration == 1.5
    for row in meta.values():
        assert Progression.parse(row["chord_changes"], where=row["id"]).length > 0


def test_a_lead_sheet_with_form_labels():
    sheet = "I1: \nA1: ||Bb6 G7 |C-7 F7 ||\nB1: ||D79b   |D7/F#, G7alt ||"
    prog = Progression.parse(sheet, beats_per_bar=3)
    assert [(s.chord.symbol, s.start, s.duration) for s in prog.spans] == [
        ("Bb6", 0, 1.5),
        ("G7", 1.5, 1.5),
        ("Cm7", 3, 1.5),
        ("F7", 4.5, 1.5),
        ("D7b9", 6, 3),
        ("D7/Gb", 9, 1.5),
        ("G7alt", 10.5, 1.5),
    ]
    assert prog == Progression.parse("Bb6 G7 | Cm7 F7 | D7b9 | D7/F# G7alt", beats_per_bar=3)


def test_commas_separate_chords_but_not_tensions_in_parentheses():
    assert Progression.parse("Cm7, F7 | Bbmaj7") == Progression.parse("Cm7 F7 | Bbmaj7")
    prog = Progression.parse("C7(b9,#11),F | Am7(b5)")
    assert [s.chord.symbol for s in prog.spans] == ["C7b9#11", "F", "Am7b5"]


def test_no_chord_is_a_chord_without_tones_or_scale():
    for text in ("NC", "N.C.", "nc"):
        assert Chord.parse(text) == NO_CHORD
    prog = Progression.parse("C7 | NC | N.C. F7")
    assert [s.chord.symbol for s in prog.spans] == ["C7", "NC", "NC", "F7"]
    span = prog.spans[1]
    assert span.tones == () and not NO_CHORD.pitch_classes and not NO_CHORD.scale and NO_CHORD.transposed(3) == NO_CHORD
    assert role(60, span.tones) == "X"  # every note is "anything else" over no chord
    assert [n for n in comping_notes(prog.spans) if 4 <= n.start < 8] == []  # nothing comped
    assert Progression.from_dict(prog.to_dict()) == prog


def test_slash_chords_put_their_bass_lowest():
    chord = Chord.parse("C7/E")
    assert chord.voicing(36)[0] == 40 and min(chord.voicing(36)) == 40
    assert chord.transposed(2) == Chord.parse("D7/F#")


def test_unknown_symbols_are_one_line_naming_symbol_and_source():
    with pytest.raises(JazzSoloError) as err:
        Chord.parse("Hm7", "solo.csv row 12")
    message = str(err.value)
    assert "'Hm7'" in message and "solo.csv row 12" in message and "Dm7" in message and "\n" not in message
    with pytest.raises(JazzSoloError, match=r"'C7x' in chords=, bar 2 .*e\.g\."):
        Progression.parse("Dm7 G7 | C7x", where="chords=")


def test_a_progression_from_a_text_file(tmp_path):
    path = tmp_path / "changes.txt"
    path.write_text("Dm7 G7 | Cmaj7 |\nFm7, Bb7 | Ebmaj7\n")
    prog = Progression.read(str(path), beats_per_bar=4)
    assert prog == Progression.parse("Dm7 G7 | Cmaj7 | Fm7 Bb7 | Ebmaj7")
    path.write_text("Dm7 | Hm7")
    with pytest.raises(JazzSoloError, match=f"'Hm7' in {path}, bar 2"):
        Progression.read(str(path))
    with pytest.raises(JazzSoloError, match="chords=.*missing.txt: no such file"):
        Progression.read(str(tmp_path / "missing.txt"), where="chords=")


def test_a_chord_span_with_no_pitches_sounds_its_symbol():
    span = ChordSpan(0.0, 4.0, Chord.parse("C7b9"))
    assert span.tones == (48, 52, 55, 58, 61)


@pytest.mark.parametrize("typed", ["F#m7b5", "C#7alt", "G#m7/F#", "Gbmaj7", "A#dim7"])
def test_a_root_keeps_the_accidental_it_was_written_with(typed):
    chord = Chord.parse(typed)
    assert chord.symbol.startswith(typed[:2]) and Chord.parse(chord.symbol) == chord
    saved = Progression.from_dict(Progression.parse(typed).to_dict())  # as a checkpoint carries it
    assert saved.spans[0].chord.symbol == chord.symbol
