"""Chord symbols as jazz musicians write them: text <-> (root, quality, tensions, bass) (pure Python).

Two notations are read, and mixed freely:

- lead sheets: C6 C69 Cm6 Cm7 C7 C9 C13 Cmaj7 CΔ7 Cmaj9 Cm(maj7) Cm7b5 Am7(b5) Cø Cdim Cdim7 C°7
  Caug C+7 C7#5 Csus4 C7sus4 C9sus4 Cadd9 C7b9 C7#9 C7#11 C9#11 C13b9 C7b9b13 C7(b9,#11) C7alt;
- the Weimar Jazz Database: C- (minor), C-7, Cj7 (major seventh), C-j7, Co / Co7 (diminished),
  Cm7b5, C+ / C+7, Csus / Csus7, and tensions written after the chord with the accidental last:
  C79b (b9), C79# (#9), C7911# (9, #11), C7913, C79b13b, Ebj7911#, C-69.

A symbol is a root, a quality, tensions and an optional bass: ROOT QUALITY EXTENSION TENSIONS SUS
[/BASS]. The extension names the highest natural tension and implies the ones below it as jazz
players voice them: 9 -> 9, 11 -> 9 11, 13 -> 9 13; an altered tension replaces the implied natural
of its degree (C13b9 = 7, b9, 13). Tensions written without parentheses right after a number are
read the WJazzD way when that reads the whole rest (C79#11 = #9, 11); inside parentheses, or after an
accidental, the lead-sheet way (C7(9,#11), C9#11 = 9, #11). `write` spells the lead-sheet way so
that `parse(write(...))` gives the same chord back.

Each quality lists chord scales in order of preference; a chord gets the first that holds all its
tones (the perfect fifth excused when a tension is altered, as players leave it out), else the
first with the chord's tones added: C7 mixolydian, C7#11 lydian dominant, C7b9 / C7#9 / C7alt
altered, C13b9 half-whole diminished, C+7 and C9b13 whole tone, Cm(maj7) melodic minor.
"""

from __future__ import annotations

import re
from functools import lru_cache

NOTE_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_ACCIDENTAL = {"": 0, "#": 1, "b": -1}

SCALES: dict[str, tuple[int, ...]] = {
    "ionian": (0, 2, 4, 5, 7, 9, 11),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "lydian dominant": (0, 2, 4, 6, 7, 9, 10),
    "altered": (0, 1, 3, 4, 6, 8, 10),
    "half-whole diminished": (0, 1, 3, 4, 6, 7, 9, 10),
    "whole tone": (0, 2, 4, 6, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "aeolian": (0, 2, 3, 5, 7, 8, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "melodic minor": (0, 2, 3, 5, 7, 9, 11),
    "harmonic minor": (0, 2, 3, 5, 7, 8, 11),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
    "locrian #2": (0, 2, 3, 5, 6, 8, 10),
    "whole-half diminished": (0, 2, 3, 5, 6, 8, 9, 11),
    "lydian augmented": (0, 2, 4, 6, 8, 9, 11),
}
_DOMINANT = ("mixolydian", "lydian dominant", "whole tone", "altered", "half-whole diminished")
_MINOR = ("dorian", "aeolian", "phrygian")

# quality -> (symbol suffix, chord intervals, chord scales by preference). "nc" is no chord: no tones, no scale.
QUALITIES: dict[str, tuple[str, tuple[int, ...], tuple[str, ...]]] = {
    "maj": ("", (0, 4, 7), ("ionian", "lydian")),
    "min": ("m", (0, 3, 7), _MINOR),
    "dom7": ("7", (0, 4, 7, 10), _DOMINANT),
    "maj7": ("maj7", (0, 4, 7, 11), ("ionian", "lydian")),
    "m7": ("m7", (0, 3, 7, 10), _MINOR),
    "m7b5": ("m7b5", (0, 3, 6, 10), ("locrian", "locrian #2")),
    "dim7": ("dim7", (0, 3, 6, 9), ("whole-half diminished",)),
    "aug": ("aug", (0, 4, 8), ("whole tone", "lydian augmented")),
    "sus4": ("sus4", (0, 5, 7), ("mixolydian", "dorian")),
    "6": ("6", (0, 4, 7, 9), ("ionian", "lydian")),
    "m6": ("m6", (0, 3, 7, 9), ("dorian", "melodic minor")),
    "mmaj7": ("mMaj7", (0, 3, 7, 11), ("melodic minor", "harmonic minor")),
    "dim": ("dim", (0, 3, 6), ("whole-half diminished", "locrian")),
    "aug7": ("aug7", (0, 4, 8, 10), ("whole tone", "altered")),
    "augmaj7": ("maj7#5", (0, 4, 8, 11), ("lydian augmented",)),
    "7sus4": ("7sus4", (0, 5, 7, 10), ("mixolydian", "dorian", "phrygian")),
    "sus2": ("sus2", (0, 2, 7), ("ionian", "mixolydian")),
    "7alt": ("7alt", (0, 4, 10, 3, 8), ("altered",)),  # 3, b7, #9, b13: the usual altered voicing
    "nc": ("NC", (), ()),
}
# Qualities spelled with an extension (C9, Cm11, Cmaj13, C13sus4, Caug9, Cmaj9#5): text before and after it.
_EXTENDED = {
    "dom7": ("", ""),
    "m7": ("m", ""),
    "maj7": ("maj", ""),
    "mmaj7": ("mMaj", ""),
    "7sus4": ("", "sus4"),
    "aug7": ("aug", ""),
    "augmaj7": ("maj", "#5"),
}
TENSIONS = {"b5": 6, "#5": 8, "b9": 1, "9": 2, "#9": 3, "11": 5, "#11": 6, "b13": 8, "13": 9}  # name -> interval
_IMPLIED = {"7": (), "69": ("9",), "9": ("9",), "11": ("9", "11"), "13": ("9", "13")}  # extension -> naturals
EXAMPLES = "C, Dm7, G7, Cmaj7, F#m7b5, Bb7b9, C7#11, Am7(b5), Cm(maj7), Bdim7, C7/E, WJazzD's D-7, Ebj7, C79b, NC"

# The chord's kind, right after the root (regular expressions, tried in order).
_KINDS = [
    (r"ø|Ø|min7b5|m7b5|-7b5", "m7b5"),
    (r"mmaj|mMaj|minmaj|mM|-maj|-j|mΔ|-Δ|m\^|-\^", "mmaj"),
    (r"\+maj|\+j|\+Δ|augmaj", "augmaj"),
    (r"maj|Maj|ma(?!dd)|M", "maj"),
    (r"Δ|\^|j", "delta"),
    (r"min|mi|m|-", "min"),
    (r"dim|°|o", "dim"),
    (r"aug|\+", "aug"),
    (r"alt", "alt"),
    (r"", ""),
]
# (kind, extension) -> quality: "" no extension, "69" the sixth with a ninth.
_WITH_EXTENSION = {
    "": {"": "maj", "6": "6", "7": "dom7"},
    "maj": {"": "maj", "6": "6", "7": "maj7"},
    "delta": {"": "maj7", "7": "maj7"},
    "min": {"": "min", "6": "m6", "7": "m7"},
    "mmaj": {"": "mmaj7", "7": "mmaj7"},
    "m7b5": {"": "m7b5", "7": "m7b5"},
    "dim": {"": "dim", "7": "dim7"},
    "aug": {"": "aug", "7": "aug7"},
    "augmaj": {"": "augmaj7", "7": "augmaj7"},
    "alt": {"": "7alt"},
}
# An altered fifth that makes another quality: Cm7b5, C7#5, Cmaj7#5, C#5, Cmb5.
_FIFTH_MAKES = {("m7", "b5"): "m7b5", ("dom7", "#5"): "aug7", ("maj7", "#5"): "augmaj7", ("maj", "#5"): "aug"}
_FIFTH_MAKES |= {("min", "b5"): "dim", ("dom7", "alt"): "7alt"}
_SUS = {"maj": "sus4", "dom7": "7sus4"}

_SYMBOL = re.compile(r"^([A-G])([#b]?)(.*?)(?:/([A-G])([#b]?))?$")
_EXTENSION = re.compile(r"69|6/9|6|7|9|11|13")
_SUS_WORD = re.compile(r"sus4|sus2|sus")
_POSTFIX = re.compile(r"(?:(?:9|11|13)[#b]?)+")  # WJazzD: 79b, 7911#, 79#13
_POSTFIX_ONE = re.compile(r"(9|11|13)([#b]?)")
_PREFIX_ONE = re.compile(r"[,\s]*(?:(add)|([#b+-]?))(5|9|11|13|alt)")  # lead sheets: b9, #11, add9, +5, -9


class SymbolError(ValueError):
    """Text that is not a chord symbol; the message says why."""


def check_parentheses(text: str) -> None:
    """A SymbolError naming the first stray `)` or the first `(` never closed (parentheses do not nest in
    chord symbols, so a `(` inside another is stray too); one pass, so any length is read in linear time."""
    opened = None
    for i, char in enumerate(text):
        if char == "(":
            if opened is not None:
                raise SymbolError(f"a '(' inside another, at character {i + 1}")
            opened = i
        elif char == ")":
            if opened is None:
                raise SymbolError(f"a stray ')' at character {i + 1}")
            opened = None
    if opened is not None:
        raise SymbolError(f"an unclosed '(' at character {opened + 1}")


def pitch_class(letter: str, accidental: str) -> int:
    return (_LETTER_PC[letter] + _ACCIDENTAL[accidental]) % 12


def _tensions(text: str, postfix_allowed: bool) -> tuple[list[str], str]:
    """Tension names read from the start of `text`, and the text left after them (one pass: linear time)."""
    if postfix_allowed and (match := _POSTFIX.match(text)) and match.end() == len(text):
        return [accidental + number for number, accidental in _POSTFIX_ONE.findall(text)], ""
    names, at = [], 0
    while at < len(text):
        if text[at] == "(":  # a parenthesised list: lead-sheet tensions, or the major seventh of Cm(maj7)
            close = text.find(")", at)
            inner, rest = _tensions(text[at + 1 : close], postfix_allowed=False) if close > at else ([], text)
            if rest:
                raise SymbolError(f"cannot read tensions {text[at:]!r}")
            names += inner
            at = close + 1
            continue
        match = _PREFIX_ONE.match(text, at)
        if not match:
            break
        accidental = {"+": "#", "-": "b"}.get(match.group(2), match.group(2) or "")
        name = accidental + match.group(3)
        if name not in TENSIONS and name != "alt":
            raise SymbolError(f"no tension {match.group(0).strip(', ')!r}")
        names.append(name)
        at = match.end()
    return names, text[at:]


@lru_cache(maxsize=4096)  # a corpus names a few hundred chords, each thousands of times
def parse(text: str) -> tuple[int, str, tuple[str, ...], int | None]:
    """(root pitch class, quality, tension names in TENSIONS order, bass pitch class or None)."""
    symbol = text.strip().replace("♭", "b").replace("♯", "#")
    check_parentheses(symbol)
    if re.fullmatch(r"N\.?C\.?", symbol, flags=re.IGNORECASE):
        return 0, "nc", (), None
    match = _SYMBOL.match(symbol)
    if not match:
        raise SymbolError("a chord symbol starts with a root A-G")
    root = pitch_class(match.group(1), match.group(2))
    bass = pitch_class(match.group(4), match.group(5)) if match.group(4) else None
    rest = re.sub(r"\((?:maj|Maj|M|Δ|ma)(7|9|11|13)\)", r"maj\1", match.group(3))  # Cm(maj7) = CmMaj7
    kind, word = next((k, m) for pattern, k in _KINDS if (m := re.match(pattern, rest)))  # "" always matches
    rest = rest[word.end() :]
    sus = _SUS_WORD.match(rest)  # WJazzD writes Csus7, Csus79
    rest = rest[sus.end() :] if sus else rest
    extension = _EXTENSION.match(rest)
    ext = extension.group(0).replace("/", "") if extension else ""
    rest = rest[extension.end() :] if extension else rest
    quality = _base_quality(kind, ext)
    names, rest = _tensions(rest, postfix_allowed=bool(ext))
    if not sus and (sus := _SUS_WORD.match(rest)):
        rest = rest[sus.end() :]
    if rest:
        raise SymbolError(f"cannot read {rest!r}")
    implied = list(_IMPLIED.get(ext, ()))
    tensions: list[str] = []
    for name in names:
        if made := _FIFTH_MAKES.get((quality, name)):
            quality = made
            continue
        if name == "alt":
            raise SymbolError("alt goes with a dominant seventh (C7alt)")
        implied = [n for n in implied if n != name.lstrip("#b")]  # an altered tension replaces the natural
        if name not in tensions:
            tensions.append(name)
    tensions += [n for n in implied if n not in tensions]
    if sus:
        if sus.group(0) == "sus2" and quality == "maj":
            quality = "sus2"
        elif quality in _SUS and sus.group(0) != "sus2":
            quality = _SUS[quality]
        else:
            raise SymbolError(f"{sus.group(0)} goes with a major triad or a dominant seventh")
    if quality == "7alt" and tensions:
        raise SymbolError("7alt takes no further tensions")
    return root, quality, tuple(n for n in TENSIONS if n in tensions), bass


def _base_quality(kind: str, ext: str) -> str:
    if kind in ("", "maj") and ext == "69":
        return "6"
    if kind == "min" and ext == "69":
        return "m6"
    extensions = _WITH_EXTENSION[kind]
    if ext in extensions:
        return extensions[ext]
    if ext in ("9", "11", "13") and "7" in extensions:
        return extensions["7"]
    raise SymbolError(f"no {ext or 'plain'} chord of this kind")


def write(root: int, quality: str, tensions: tuple[str, ...], bass: int | None, root_name: str = "") -> str:
    """The lead-sheet symbol: C9#11, Cm7b5/Gb, C13b9, C69, Cmadd9, Cmaj9#5; root_name: the root as typed (F#)."""
    if quality == "nc":
        return "NC"
    naturals = [t for t in tensions if t in ("9", "11", "13")]
    altered = [t for t in tensions if t not in naturals]

    def implies(extension: str) -> bool:  # parse gives each degree it implies back: natural, or altered instead
        top = _IMPLIED[extension][-1]
        return top in naturals and all((d in naturals) != (d in degrees) for d in _IMPLIED[extension])

    degrees = {t.lstrip("#b") for t in altered}
    body = QUALITIES[quality][0]
    if quality in ("6", "m6") and "9" in naturals and implies("69"):
        body, naturals = body + "9", [t for t in naturals if t != "9"]
    elif quality in _EXTENDED:
        before, after = _EXTENDED[quality]
        ext = next((e for e in ("13", "11", "9") if implies(e)), "7")  # the highest that reads back right
        naturals = [t for t in naturals if t not in _IMPLIED[ext]]
        body, altered = before + ext, altered + ([after] if after else [])
    added = "".join("add" + t for t in naturals) + "".join(altered)
    body += f"({added})" if not body and added[:1] in ("#", "b") else added  # C(b9): Cb9 would be a B9
    return (root_name or NOTE_NAMES[root]) + body + (f"/{NOTE_NAMES[bass]}" if bass is not None else "")


@lru_cache(maxsize=4096)
def intervals(quality: str, tensions: tuple[str, ...]) -> tuple[int, ...]:
    """Semitones above the root, chord tones then tensions an octave up: an altered fifth replaces the fifth."""
    fifth = next((TENSIONS[t] for t in tensions if t in ("b5", "#5")), None)
    base = [fifth if (i == 7 and fifth is not None) else i for i in QUALITIES[quality][1]]
    return tuple(base) + tuple(12 + TENSIONS[t] for t in tensions if t not in ("b5", "#5"))


@lru_cache(maxsize=4096)
def chord_scale(quality: str, tensions: tuple[str, ...]) -> tuple[str, frozenset[int]]:
    """(name, intervals) of the chord scale: the quality's first scale holding the chord's tones."""
    names = QUALITIES[quality][2]
    if not names:
        return "none", frozenset()
    needed = {i % 12 for i in intervals(quality, tensions)}
    if any(t not in ("9", "11", "13") for t in tensions) or quality == "7alt":
        needed.discard(7)  # players leave the perfect fifth out of an altered chord
    for name in names:
        if needed <= set(SCALES[name]):
            return name, frozenset(SCALES[name])
    return names[0], frozenset(SCALES[names[0]]) | needed
