"""The vocabulary policy (`data.min_count`): which values a model learns, and where the rare ones go.

A large corpus has a long tail of values seen once or twice (WJazzD: about 2,800 grammar values,
a third of them seen once). A model cannot learn them, and each costs a column of the input and the
softmax. With min_count = k, a value seen fewer than k times in the corpus is replaced by the nearest
kept value, so the vocabulary holds only values the model can learn and the sampler can only emit real
values (there is no unknown token). min_count = 1 keeps every value.

Nearest, for both tokenizers, compares values field by field in this order:
    kind      must match where any kept value has it: the grammar's role (R, C, S, A, X) and whether a
              bracket follows; the pitch tokenizer's rest or note
    duration  the closest length on a log scale (a rare 0.917 becomes 1.000, not 0.083); ties: the shorter
    pitch     the pitch tokenizer: the closest pitch; the grammar: the closest bracket bounds
A value no kept value shares the kind of goes to the closest kept value by duration and pitch alone.

But a length changed that way moves every later onset of the piece (a rare 1.083 played as 1.000 puts
the rest of the solo a twelfth of a beat early, off the beat grid, and a conditioned model then hears the
bar at the wrong place). So in a corpus a rare value is first split, where it can be, into two kept
values that last as long together: the nearest kept value of its kind (and closest pitch) with the
longest length that leaves a kept rest, then that rest ("C6,1.417" -> "C6,1.000", "R,0.417"; a rest
into two rests). Only a value that cannot be split goes to its nearest kept value.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

import pretty_midi

from jazz_solo.music.context import GRID
from jazz_solo.music.grammar import REST, parse_value
from jazz_solo.music.score import parse_duration


def features(value: str, tokenizer: str) -> tuple[str, float, tuple[int, ...]]:
    """(kind, duration, pitch-like numbers) of a value: what `nearest` compares."""
    if tokenizer == "grammar":
        kind, duration, leap = parse_value(value)
        return f"{kind}{'<' if leap else ''}", duration, leap or ()
    head, _, tail = value.partition(",")
    if head == REST:
        return REST, parse_duration(tail), ()
    return "note", parse_duration(tail), (int(pretty_midi.note_name_to_number(head)),)


Candidate = tuple[str, tuple[int, ...]]  # a kept value and its pitch-like numbers


def nearest(value: str, kept: dict[str, dict[float, list[Candidate]]], tokenizer: str) -> str:
    """The kept value closest to `value` (see the module docstring); kept: kind -> duration -> candidates."""
    kind, duration, pitch = features(value, tokenizer)
    if kind in kept:
        by_duration = kept[kind]
    else:
        by_duration = {}
        for durations in kept.values():
            for d, candidates in durations.items():
                by_duration.setdefault(d, []).extend(candidates)
    closest = min(by_duration, key=lambda d: (abs(math.log2(d / duration)), d))

    def steps(candidate: Candidate) -> int:
        other = candidate[1]
        return sum(abs(a - b) for a, b in zip(pitch, other)) if len(pitch) == len(other) else 99

    return min(by_duration[closest], key=steps)[0]


def kept_by_kind(kept: Sequence[str], tokenizer: str) -> dict[str, dict[float, list[Candidate]]]:
    """Kept values as `nearest` searches them: kind -> duration -> candidates."""
    by_kind: dict[str, dict[float, list[Candidate]]] = {}
    for v in kept:
        kind, duration, pitch = features(v, tokenizer)
        by_kind.setdefault(kind, {}).setdefault(duration, []).append((v, pitch))
    return by_kind


def value_mapper(kept: Sequence[str], tokenizer: str) -> Callable[[str], str]:
    """value -> itself if kept, else its nearest kept value: for values met after the vocabulary was made
    (corpus/transpose.py: a transposed copy's value, whose length some kept value has, so no onset moves)."""
    kept_set, by_kind = set(kept), kept_by_kind(kept, tokenizer)
    return lambda v: v if v in kept_set else nearest(v, by_kind, tokenizer)


def split(value: str, kept: dict[str, dict[float, list[Candidate]]], tokenizer: str) -> tuple[str, str] | None:
    """A rare value as two kept values that last as long together (see the module docstring); None where
    no kept value of its kind and kept rest add up to its length."""
    kind, duration, pitch = features(value, tokenizer)
    rests = {round(d * GRID): candidates[0][0] for d, candidates in kept.get(REST, {}).items()}
    fits = [d for d in kept.get(kind, {}) if round((duration - d) * GRID) in rests and d < duration]
    if not fits:
        return None
    longest = max(fits)
    first = nearest(value, {kind: {longest: kept[kind][longest]}}, tokenizer)
    return first, rests[round((duration - longest) * GRID)]


def vocabulary(
    sequences: Sequence[Sequence[str]], min_count: int, tokenizer: str
) -> tuple[list[str], dict[str, tuple[str, ...]]]:
    """(sorted kept values, value -> the kept values it is played as, for every value of the corpus: itself,
    or a split into two, or its nearest kept value)."""
    counts = Counter(v for values in sequences for v in values)
    kept = sorted(v for v, n in counts.items() if n >= min_count)
    if not kept:  # a tiny corpus and a large min_count: keep the most common value rather than nothing
        kept = [min(counts, key=lambda v: (-counts[v], v))]
    kept_set, by_kind = set(kept), kept_by_kind(kept, tokenizer)
    mapping = {
        v: (v,) if v in kept_set else split(v, by_kind, tokenizer) or (nearest(v, by_kind, tokenizer),) for v in counts
    }
    return kept, mapping
