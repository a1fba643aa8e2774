"""An unclosed, stray or nested parenthesis in a chord symbol or a progression is an error naming it."""

from __future__ import annotations

import pytest

from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import Chord, Progression


@pytest.mark.parametrize(
    "text, message",
    [
        ("C7(", "an unclosed '(' at character 3 of bar 1"),
        ("Dm7 ( G7 | C", "an unclosed '(' at character 5 of bar 1"),
        ("C7(b9", "an unclosed '(' at character 3 of bar 1"),
        ("C | C7)", "a stray ')' at character 4 of bar 2"),
        ("C7((b9))", "a '(' inside another, at character 4 of bar 1"),
        ("(" * 20_000, "a '(' inside another, at character 2 of bar 1"),  # one pass: linear time
    ],
)
def test_a_bad_parenthesis_is_named(text, message):
    with pytest.raises(JazzSoloError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Progression.parse(text)


def test_chords_with_parentheses_still_read():
    assert [s.chord.symbol for s in Progression.parse("C7(b9,#11) | Cm(maj7) Am7(b5)").spans] == [
        "C7b9#11", "CmMaj7", "Am7b5",
    ]  # fmt: skip
    with pytest.raises(JazzSoloError, match="unclosed"):
        Chord.parse("C7(")
    assert Chord.parse("C7" + "()" * 20_000) == Chord.parse("C7")  # empty tension lists, read in one pass
