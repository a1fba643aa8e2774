import pytest
import torch

from jazz_solo.config import DataConfig
from jazz_solo.corpus.embedded import embedded_scores
from jazz_solo.corpus.split import split_sequences
from jazz_solo.errors import JazzSoloError
from jazz_solo.music.score import over_progression
from jazz_solo.training.data import JazzDataModule, WindowDataset
from jazz_solo.windows import PAD, exercise_starts, exercise_windows, sliding_windows


def test_windows_are_value_indices_shifted_by_one():
    dm = JazzDataModule(DataConfig(Tx=30, batch_size=8))
    dm.setup()
    x, y = next(iter(dm.train_dataloader()))
    assert x.shape == y.shape == (8, 30) and x.dtype == y.dtype == torch.long
    assert torch.all((x >= 0) & (x < dm.n_values))
    # Y is X shifted one step left: y[t] is the value x holds at t + 1.
    assert torch.equal(x[:, 1:], y[:, :-1])
    assert len(dm.vocab) == len(set(dm.vocab)) == dm.n_values
    assert sum(dm.value_counts) > 0


def test_split_holds_out_whole_pieces_or_a_tail():
    seqs = [[i] * 50 for i in range(10)]
    train, val = split_sequences(seqs, 0.2)
    assert len(val) == 2 and len(train) == 8
    assert not {s[0] for s in train} & {s[0] for s in val}
    (train1,), (val1,) = split_sequences([list(range(100))], 0.1)
    assert train1 == list(range(90)) and val1 == list(range(90, 100))


def test_no_val_position_inside_a_train_window():
    seq = list(range(200))
    train, val = split_sequences([seq], 0.25)
    train_w = sliding_windows(train, 11, 1)
    val_w = sliding_windows(val, 11, 1)
    assert set(train_w.flatten().tolist()).isdisjoint(val_w.flatten().tolist())


def test_too_short_corpus_is_one_clear_error():
    with pytest.raises(JazzSoloError, match="too short for data.Tx=5000"):
        JazzDataModule(DataConfig(Tx=5000)).setup()


def test_a_short_piece_names_the_validation_tail_and_what_to_change():
    from jazz_solo.training.data import too_short

    cfg = DataConfig(Tx=30, val_fraction=0.1)
    train, val = split_sequences([list(range(107))], cfg.val_fraction)  # the home-made 16-bar file's length
    message = too_short(cfg, train, val, one_piece=True)
    assert "the validation split (the last 10% of the piece: 11 of 107 values)" in message
    assert "lower data.Tx to 10 or less or raise data.val_fraction to 0.29 or more" in message
    # the suggestions work: either one gives windows on both sides
    for fixed in (DataConfig(Tx=10, val_fraction=0.1), DataConfig(Tx=30, val_fraction=0.29)):
        train, val = split_sequences([list(range(107))], fixed.val_fraction)
        assert len(sliding_windows(train, fixed.Tx + 1, 1)) and len(sliding_windows(val, fixed.Tx + 1, 1))


def test_exercise_windows_zero_the_first_input_and_leave_the_last_step_without_target():
    sequences = [list(range(10, 60)), list(range(100, 130))]
    corpus = [v for seq in sequences for v in seq]
    windows = exercise_windows(sequences, Tx=8, m=5, seed=3)
    assert windows.shape == (5, 9)
    for row, start in zip(windows.tolist(), exercise_starts(len(corpus), 8, 5, seed=3)):
        assert row == [PAD] + corpus[start + 1 : start + 8] + [PAD]
    x, y = WindowDataset(windows)[[0, 1, 2]]
    assert torch.all(x[:, 0] == PAD) and torch.all(x[:, 1:] >= 0)  # PAD: a zero input (net.py)
    assert torch.equal(x[:, 1:], y[:, :-1]) and torch.all(y[:, -1] == PAD)


def test_exercise_windows_in_the_datamodule_are_m_seeded_draws():
    def windows(seed: int) -> torch.Tensor:
        dm = JazzDataModule(DataConfig(Tx=30, windows="exercise", m=60, seed=seed))
        dm.setup()
        return dm.train_set.windows

    first = windows(0)
    assert first.shape == (60, 31) and torch.equal(first, windows(0)) and not torch.equal(first, windows(1))


def test_bad_window_settings_are_config_errors():
    with pytest.raises(JazzSoloError, match="data.windows must be one of sliding, exercise"):
        DataConfig(windows="random")
    with pytest.raises(JazzSoloError, match="data.m must be >= 1"):
        DataConfig(windows="exercise", m=0)


def test_a_progression_text_replaces_the_chords():
    score = over_progression(embedded_scores()[0], "Cmaj7 | A7")
    assert {s.chord.symbol for s in score.progression.spans} == {"Cmaj7", "A7"}
    assert score.progression.length >= max(n.end for n in score.notes)
