"""data.transpose: training solos also in other keys, their chords with them; validation as played."""

import pytest

from jazz_solo.config import DataConfig
from jazz_solo.corpus.encoding import encode_values
from jazz_solo.corpus.split import held_out, split_sequences
from jazz_solo.corpus.transpose import shifts, transpose_split
from jazz_solo.errors import JazzSoloError
from jazz_solo.music.context import ROOT, STEP, transpose_context
from jazz_solo.music.tokenizers import PitchTokenizer
from jazz_solo.training.data import JazzDataModule


def test_shifts_cover_each_key_once():
    assert shifts(0) == []
    assert shifts(2) == [-2, -1, 1, 2]
    assert sorted(s % 12 for s in [0, *shifts(6)]) == list(range(12))


def test_a_value_moves_by_semitones_and_a_rest_stays():
    assert PitchTokenizer.transpose("Eb5,0.667", 2) == "F5,0.667"
    assert PitchTokenizer.transpose("C4,0.250", -1) == "B3,0.250"
    assert PitchTokenizer.transpose("R,1.000", 5) == "R,1.000"


def test_a_context_rotates_its_chords_but_not_its_place_in_the_bar():
    c7_on_beat_2 = (0, 4, 7, 10, ROOT + 0, STEP + 0, 61)
    assert transpose_context(c7_on_beat_2, 2) == (0, 2, 6, 9, ROOT + 2, STEP + 0, 61)  # Bb+2 wraps to C
    b_root = (ROOT + 11, STEP + 3)
    assert transpose_context(b_root, 1) == (ROOT + 0, STEP + 3)  # wraps inside its block of 12


def corpus_and_split(condition: str = "chords"):
    cfg = DataConfig(tokenizer="pitch", transpose=2)
    corpus = encode_values(cfg, condition)
    held = held_out(corpus, cfg)
    train, _ = split_sequences(corpus.sequences, cfg.val_fraction, held)
    contexts, _ = split_sequences(corpus.contexts, cfg.val_fraction, held)
    return corpus, train, contexts


def test_copies_are_the_training_solos_shifted_with_their_chords():
    corpus, train, contexts = corpus_and_split()
    more = transpose_split(train, contexts, corpus.context_keys, corpus.vocab, "pitch", 2)
    assert more.sequences[: len(train)] == train  # the originals first, untouched
    assert more.copies == len(more.sequences) - len(train) > 0
    vocab, keys = corpus.vocab, more.context_keys
    assert keys[: len(corpus.context_keys)] == corpus.context_keys
    assert len({shift for _, shift in more.made}) >= 2  # the embedded pieces reach near the top: not all fit +2
    piece, shift = more.made[0]
    copy, copy_contexts = more.sequences[len(train)], more.contexts[len(train)]
    original = train[piece]
    kept = sum(vocab[c] == PitchTokenizer.transpose(vocab[o], shift) for o, c in zip(original, copy))
    assert kept / len(copy) > 0.9  # the rest: shifted values the vocabulary lacks, mapped to their nearest
    expected = [transpose_context(corpus.context_keys[c], shift) for c in contexts[piece]]
    assert [keys[c] for c in copy_contexts] == expected


def test_a_copy_that_would_leave_the_range_is_not_made():
    vocab = ["C#4,1.000", "C4,1.000", "D4,1.000", "R,1.000"]  # the kept notes span C4..D4
    train = [[1, 0, 2], [1, 3]]
    more = transpose_split(train, None, [], vocab, "pitch", 1)
    # C4..D4 fits neither a semitone down nor up; C4 and a rest fit only up
    assert more.sequences == [*train, [0, 3]]
    assert more.made == [(1, 1)] and more.contexts is None


def test_the_data_module_trains_on_the_copies_and_validates_on_the_solos_as_played():
    plain = JazzDataModule(DataConfig(tokenizer="pitch", Tx=16, stride=4), "chords")
    shifted = JazzDataModule(DataConfig(tokenizer="pitch", Tx=16, stride=4, transpose=2), "chords")
    plain.setup(), shifted.setup()
    assert len(shifted.train_set) > len(plain.train_set)
    assert (shifted.val_set.windows == plain.val_set.windows).all()
    assert shifted.value_counts == plain.value_counts  # solos start from values of the keys they were played in
    x, y, features = shifted.train_set[list(range(len(shifted.train_set) - 4, len(shifted.train_set)))]
    assert features.shape == (4, 16, shifted.train_set.table.shape[1])


def test_transpose_is_for_the_pitch_tokenizer_and_at_most_six():
    with pytest.raises(JazzSoloError, match="data.transpose needs data.tokenizer=pitch"):
        DataConfig(transpose=2)
    with pytest.raises(JazzSoloError, match="data.transpose must be 0..6"):
        DataConfig(tokenizer="pitch", transpose=7)
