"""The vocabulary policy (`data.min_count`): which values a model learns, and where the rare ones go.

A large corpus has a long tail of values seen once or twice (WJazzD: about 2,800 grammar values,
a third of them seen once). A model cannot learn them, and each costs a column of the input and the
softmax. With min_count = k, a value seen fewer than k times in the corpus is replaced by the nearest
kept value, so the vocabulary holds only values the model can learn and the sampler can only emit real
values (there is no unknown token). min_count = 1 keeps every value.

Nearest, for both tokenizers, compares values field by field in this order:
    kind      must match where any kept value has it: the grammar's role (R, C, S, A, X) and whether a
              bracket follows; the pitch tokenizer's rest or note
    duration  a length that ends on the same step of the beat (1/12s) if a kept one does, so that later onsets
              stay where they were played (a rare 1.417 becomes 0.417 or 2.417, not 1.500); among those the
              closest on a log scale (a rare 0.917 with no kept x.917 becomes 1.000, not 0.083); ties: the shorter
    pitch     the pitch tokenizer: the closest pitch; the grammar: the closest bracket bounds
A value no kept value shares the kind of goes to the closest kept value by duration and pitch alone.
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
    phase = round(duration * GRID) % GRID
    # a length that ends at the same step of the beat first: a replaced length must not shift every later
    # onset of the piece off the beat grid (and the position a conditioned model hears off the real one)
    closest = min(by_duration, key=lambda d: (round(d * GRID) % GRID != phase, abs(math.log2(d / duration)), d))

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
    """value -> itself if kept, else its nearest kept value: the policy for values met after the
    vocabulary was made (a transposed copy's, corpus/transpose.py)."""
    kept_set, by_kind = set(kept), kept_by_kind(kept, tokenizer)
    return lambda v: v if v in kept_set else nearest(v, by_kind, tokenizer)


def vocabulary(sequences: Sequence[Sequence[str]], min_count: int, tokenizer: str) -> tuple[list[str], dict[str, str]]:
    """(sorted kept values, value -> kept value for every value of the corpus)."""
    counts = Counter(v for values in sequences for v in values)
    kept = sorted(v for v, n in counts.items() if n >= min_count)
    if not kept:  # a tiny corpus and a large min_count: keep the most common value rather than nothing
        kept = [min(counts, key=lambda v: (-counts[v], v))]
    to_kept = value_mapper(kept, tokenizer)
    mapping = {v: to_kept(v) for v in counts}
    return kept, mapping
