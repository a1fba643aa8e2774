"""Transposition: more training data from the same solos played in other keys (`data.transpose`).

A note-level model learns each key's pitches from the solos played in it; WJazzD's solos sit in a few
keys (Bb, F, Eb, ...), so most pitch-and-chord pairings are seen rarely. With data.transpose = k every
training solo is also seen shifted by each of -k..+k semitones (k = 6 covers all twelve keys), its
chords shifted with it. Validation keeps the solos as played, so the figures stay comparable.

Pure Python, on value indices and context ids (the data module makes tensors of them):
  - a value is shifted by the tokenizer's own rule (PitchTokenizer.transpose); a shifted value the
    vocabulary lacks becomes its nearest kept value, as rare values do (vocabulary.py);
  - a copy whose notes would leave the kept values' pitch range is not made (folding them back would
    make leaps nobody played);
  - a context's chord features rotate with the key (music/context.py: transpose_context); the bar
    position stays.
"""

from __future__ import annotations

from dataclasses import dataclass

from jazz_solo.corpus.vocabulary import value_mapper
from jazz_solo.music.context import Context, transpose_context
from jazz_solo.music.tokenizers import get_tokenizer


@dataclass
class Transposed:
    """The training split and its copies in other keys."""

    sequences: list[list[int]]  # the originals first, then the copies
    contexts: list[list[int]] | None  # context ids beside them (None: not conditioned)
    context_keys: list[Context]  # id -> context: the corpus's, then the rotated ones met here
    made: list[tuple[int, int]]  # each copy's (piece, shift), in order (pieces that would leave the range have none)

    @property
    def copies(self) -> int:
        return len(self.made)


def shifts(k: int) -> list[int]:
    """The semitone shifts data.transpose=k asks for: -k..+k without 0, at most twelve keys in all
    (k = 6 gives -5..+6: a tritone up and down would be the same key twice)."""
    return [s for s in range(-k, k + 1) if s != 0 and not (k == 6 and s == -6)]


def transpose_split(
    train: list[list[int]],
    train_contexts: list[list[int]] | None,
    context_keys: list[Context],
    vocab: list[str],
    tokenizer: str,
    k: int,
) -> Transposed:
    """The training split (value indices per piece, and context ids beside them) with its copies in the
    keys of shifts(k); see the module docstring."""
    encoding = get_tokenizer(tokenizer)
    to_kept = value_mapper(vocab, tokenizer)
    index = {v: i for i, v in enumerate(vocab)}
    pitch = [encoding.pitch(v) for v in vocab]  # None for a rest
    low = min((p for p in pitch if p is not None), default=0)
    high = max((p for p in pitch if p is not None), default=127)
    known = {c: i for i, c in enumerate(context_keys)}

    def rotate(c: int, shift: int) -> int:
        """Context id c in the key `shift` semitones up (a new id if it is new)."""
        return known.setdefault(transpose_context(context_keys[c], shift), len(known))

    sequences, contexts = list(train), None if train_contexts is None else list(train_contexts)
    made = []
    for shift in shifts(k):
        # value index -> its shifted value's index, worked out once per shift for the whole vocabulary
        shifted = [index[to_kept(encoding.transpose(v, shift))] for v in vocab]
        for p, piece in enumerate(train):
            if any(pitch[i] is not None and not low <= pitch[i] + shift <= high for i in piece):
                continue
            sequences.append([shifted[i] for i in piece])
            made.append((p, shift))
            if contexts is not None:
                contexts.append([rotate(c, shift) for c in train_contexts[p]])
    return Transposed(sequences, contexts, list(known), made)
