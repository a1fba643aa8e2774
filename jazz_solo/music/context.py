"""What a chord-conditioned model hears besides the values: the harmony and the metre at each step.

For `model.condition=chords`, the input of each step is a value plus the context of the time where
that value ends, which is where the value to predict starts: the chord sounding there, the next
chord, and the position in the bar. The value to predict is a role against the chord at its own
onset (grammar.py), and a note on the beat is heard differently from one off it, so this is the
context that decides it.

Times are on the project's grid: GRID steps a quarter note (score.snap's 1/12). A context is the
sorted tuple of its active features (plain ints, no torch: the data module makes tensors of them),
N_TEMPO_FEATURES in all:

    0..11    pitch classes of the chord sounding (as played; none over a span without a chord)
    12..23   its root (none without a chord)
    24..35   pitch classes of the next different chord (the progression loops)
    36..47   its root
    48..59   grid step inside the beat (0: on the beat)
    60..67   beat of the bar (beats past the eighth fold back)
    68..75   the tempo, as a thermometer: feature 68 + k for each of TEMPO_EDGES's bpm the tempo reaches

A model hears a prefix of these (conditioning.CONDITION_FEATURES): condition=chords the first
N_FEATURES, condition=chords_tempo all N_TEMPO_FEATURES. Players play fewer notes a beat the faster the
tune (WJazzD: 2.4 a beat under 100 bpm, 1.3 over 260), hence the tempo as a condition; on WJazzD it
did not make the model better (benchmarks/notes_on_the_beat.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from jazz_solo.music.chords import NO_CHORD, ChordSpan, Progression
from jazz_solo.music.tokenizers import value_length

GRID = 12  # steps a quarter note
N_FEATURES = 68
CHORD, ROOT, NEXT_CHORD, NEXT_ROOT, STEP, BEAT, TEMPO = 0, 12, 24, 36, 48, 60, 68
BEATS = 8
TEMPO_EDGES = (95, 120, 140, 160, 180, 205, 235, 270)  # bpm: about the ninths of WJazzD's solos by tempo
N_TEMPO_FEATURES = N_FEATURES + len(TEMPO_EDGES)

Context = tuple[int, ...]


def on_grid(step: int) -> bool:
    """Whether a grid step lies on the 1/4 + 1/3 beat grid every corpus's onsets are quantised to
    (score.quantise): steps 0, 3, 4, 6, 8 and 9 of a beat's 12."""
    return step % (GRID // 4) == 0 or step % (GRID // 3) == 0


def transpose_context(context: Context, shift: int) -> Context:
    """The context with its chords `shift` semitones up (pitch classes and roots rotate; the bar
    position and the tempo stay)."""
    return tuple(sorted(f if f >= STEP else f - f % 12 + (f % 12 + shift) % 12 for f in context))


@cache  # a corpus has a few thousand distinct values, each played many times
def value_steps(value: str) -> int:
    """A value's length in grid steps."""
    return round(value_length(value) * GRID)


def tempo_features(bpm: float) -> list[int]:
    """The tempo as thermometer features: TEMPO + k for each edge k it reaches, so near tempi share most."""
    return [TEMPO + k for k, edge in enumerate(TEMPO_EDGES) if bpm >= edge]


def chord_features(span: ChordSpan, offset: int) -> list[int]:
    """The span's chord as features: pitch classes from `offset`, root from `offset + 12`."""
    if span.chord == NO_CHORD:  # NC: no chord features at all (its root would read as a C)
        return []
    classes = sorted({p % 12 for p in span.tones})
    return [offset + c for c in classes] + [offset + 12 + span.chord.root]


def progression_contexts(progression: Progression) -> list[Context]:
    """The context at every grid step of one pass of the progression: len = its length in steps.

    A step no span covers takes the context of the step before it (the last span's before the first).
    """
    spans = progression.spans
    chords = [chord_features(span, CHORD) for span in spans]
    bar = GRID * progression.beats_per_bar
    tempo = tempo_features(progression.tempo)
    contexts: list[Context | None] = [None] * round(progression.length * GRID)
    for i, span in enumerate(spans):
        following = ((i + k) % len(spans) for k in range(1, len(spans)))
        after = next((j for j in following if chords[j] != chords[i]), i)
        here = chords[i] + chord_features(spans[after], NEXT_CHORD)
        for step in range(round(span.start * GRID), round(span.end * GRID)):
            in_bar = step % bar
            contexts[step] = tuple(here + [STEP + in_bar % GRID, BEAT + (in_bar // GRID) % BEATS] + tempo)
    for step, context in enumerate(contexts):
        if context is None:
            contexts[step] = contexts[step - 1] if step else next(c for c in reversed(contexts) if c is not None)
    return contexts


def value_contexts(values: Sequence[str], progression: Progression) -> list[Context]:
    """The context where each value ends (the values played from time 0, the progression looped)."""
    contexts = progression_contexts(progression)
    time, found = 0, []
    for value in values:
        time += value_steps(value)
        found.append(contexts[time % len(contexts)])
    return found
