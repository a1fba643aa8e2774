"""The network (plain torch, no Lightning): a recurrent cell over one-hot values + a softmax head.

Kept apart from the LightningModule so generation can load a checkpoint without importing
Lightning (about 2 s of start-up).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from jazz_solo.errors import JazzSoloError, first_line
from jazz_solo.runs import RESULTS, read_json

RECURRENT = {"lstm": nn.LSTM, "rnn": nn.RNN, "gru": nn.GRU}


class SoloNet(nn.Module):
    """x one-hot (batch, T, n_values) -> logits (batch, T, n_values)."""

    def __init__(self, n_values: int, n_a: int = 64, cell: str = "lstm", dropout: float = 0.0):
        super().__init__()
        self.n_values, self.n_a, self.cell = n_values, n_a, cell
        self.rnn = RECURRENT[cell](n_values, n_a, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(n_a, n_values)

    def forward(self, x: torch.Tensor, state=None) -> tuple[torch.Tensor, object]:
        """x (batch, T, n_values) -> (logits (batch, T, n_values), final state).

        The state is (h, c) for an LSTM, each (1, batch, n_a), and h alone otherwise.
        """
        out, state = self.rnn(x, state)
        return self.head(self.dropout(out)), state


@dataclass
class Checkpoint:
    """What generation needs from a training checkpoint."""

    net: SoloNet
    vocab: list[str]  # index -> value
    value_counts: list[int]
    tokenizer: str
    backing: dict  # Progression.to_dict()
    hparams: dict


def resolve_checkpoint(path: str | os.PathLike) -> Path:
    """A checkpoint file as it is; a run folder gives its best checkpoint (results.json), else its last.ckpt."""
    path = Path(path)
    if not path.is_dir():
        return path
    best = (read_json(path / RESULTS) or {}).get("best_ckpt")
    for candidate in (Path(best), path / "checkpoints" / Path(best).name) if best else ():
        if candidate.is_file():  # as recorded, or in this folder if the run folder was moved
            return candidate
    if (path / "checkpoints" / "last.ckpt").is_file():
        return path / "checkpoints" / "last.ckpt"
    raise JazzSoloError(f"{path}: a folder with no checkpoint (no {RESULTS} naming one, no checkpoints/last.ckpt)")


def read_checkpoint_file(path: str | os.PathLike, device: str = "cpu") -> dict:
    """torch.load of a checkpoint file, weights only (no code runs from the file); a bad file is one
    JazzSoloError line."""
    if not os.path.isfile(path):
        raise JazzSoloError(f"{path}: no such checkpoint file")
    with open(path, "rb") as file:
        if file.read(2) != b"PK":  # torch.save writes a zip archive
            raise JazzSoloError(f"{path}: not a checkpoint (not a file torch.save wrote)")
    try:
        raw = torch.load(path, map_location=device, weights_only=True)
    except Exception as err:
        # torch's weights-only message starts with a paragraph on its defaults; the reason comes last
        reason = str(err).split("WeightsUnpickler error:")[-1].strip() or type(err).__name__
        raise JazzSoloError(f"{path}: not a readable checkpoint ({reason.splitlines()[0][:200]})") from None
    if not isinstance(raw, dict):
        raise JazzSoloError(f"{path}: not a checkpoint train.py wrote (holds a {type(raw).__name__})")
    return raw


def load_checkpoint(path: str | os.PathLike, device: str = "cpu") -> Checkpoint:
    """Load a Lightning checkpoint written by train.py (weights_only: no code runs from the file).

    `path` may also be a run folder (see resolve_checkpoint).
    """
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise JazzSoloError(f"device={device}: CUDA is not available here (use device=cpu)")
    path = resolve_checkpoint(path)
    raw = read_checkpoint_file(path, device)
    hp = raw.get("hyper_parameters")
    needed = ("model", "vocab", "value_counts", "data", "backing")
    if not isinstance(hp, dict) or any(k not in hp for k in needed) or "state_dict" not in raw:
        raise JazzSoloError(f"{path}: not a jazz_solo checkpoint (no vocabulary or model settings)")
    model = hp["model"]
    state = {k.removeprefix("net."): v for k, v in raw["state_dict"].items()}
    try:
        net = SoloNet(len(hp["vocab"]), model["n_a"], model["cell"], model["dropout"])
        net.load_state_dict(state)
    except (KeyError, TypeError) as err:
        raise JazzSoloError(f"{path}: not a jazz_solo checkpoint (model settings: {err!r})") from None
    except RuntimeError as err:
        raise JazzSoloError(f"{path}: weights do not fit the stored settings ({first_line(err)})") from None
    net.to(device).eval()
    return Checkpoint(net, list(hp["vocab"]), list(hp["value_counts"]), hp["data"]["tokenizer"], hp["backing"], hp)
