import pytest
import torch

from jazz_solo.config import DataConfig
from jazz_solo.data import JazzDataModule, sliding_windows, split_sequences
from jazz_solo.errors import JazzSoloError


def test_windows_are_one_hot_and_shifted_by_one():
    dm = JazzDataModule(DataConfig(Tx=30, batch_size=8))
    dm.setup()
    x, y = next(iter(dm.train_dataloader()))
    assert x.shape == (8, 30, dm.n_values) and x.dtype == torch.float32
    assert y.shape == (8, 30) and y.dtype == torch.long
    assert torch.all(x.sum(-1) == 1)
    # Y is X shifted one step left: y[t] is the value x holds at t + 1.
    assert torch.equal(x.argmax(-1)[:, 1:], y[:, :-1])
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
