"""The checkpoint format, written and read in one place.

A checkpoint is the file Lightning writes for train.py: the network's weights under "state_dict"
(prefixed "net.") and, under "hyper_parameters", a `Spec`: everything generation needs besides the
weights. The LightningModule saves a Spec's fields as its hyperparameters; everything else reads them
through `load_checkpoint` (or `read_spec` for a file it only checks). Older checkpoints load: `home`
came later (None), and so did `model.condition` ("none"), `provenance` and `licence` (None).

A pretrained model (`pretrained:NAME`, jazz_solo/pretrained/) is the same format with nothing else:
`export_pretrained` keeps the spec and the weights and drops what only training needs (optimizer state,
callbacks' state, loops), so it loads through the same `load_checkpoint`.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import torch

from jazz_solo.atomic import atomic_file
from jazz_solo.conditioning import CONDITION_FEATURES, value_groups
from jazz_solo.errors import JazzSoloError, first_line
from jazz_solo.net import SoloNet
from jazz_solo.pretrained import is_pretrained, pretrained_path
from jazz_solo.runs import RESULTS, read_json


@dataclass
class Spec:
    """What a checkpoint carries besides the weights (plain containers, so torch.load's weights_only reads it)."""

    model: dict  # ModelConfig as a dict: n_a, cell, dropout, condition, lr, ...
    data: dict  # DataConfig as a dict: the corpus and its encoding (evaluate.py reads the corpus again with it)
    vocab: list[str]  # index -> value
    value_counts: list[int]  # training-split count of each value (solos start from one drawn by these)
    backing: dict  # Progression.to_dict(): what solos play over unless told otherwise
    home: int | None = None  # the training pieces' median pitch, which realisation keeps solos around
    provenance: dict | None = None  # who wrote it: jazz_solo and torch versions, date (provenance())
    licence: str | None = None  # the notice its corpus asks to travel with the model and its solos (WJazzD: ODbL)

    @property
    def condition(self) -> str:
        """model.condition: none, chords or chords_tempo (the net then takes CONDITION_FEATURES[it] features a step)."""
        return self.model.get("condition", "none")

    @property
    def tokenizer(self) -> str:
        return self.data["tokenizer"]

    def build_net(self) -> SoloNet:
        """A SoloNet of this spec's shape (fresh weights)."""
        m = self.model
        groups = value_groups(self.vocab) if m.get("shared") else None
        features = CONDITION_FEATURES[self.condition]
        drop, tied, value_drop = m.get("weight_drop", 0.0), m.get("tied", False), m.get("value_drop", 0.0)
        silent = max(features - CONDITION_FEATURES["chords"], 0)  # those past the chords' (the tempo's) start silent
        return SoloNet(
            len(self.vocab), m["n_a"], m["cell"], m["dropout"], features, groups, drop, tied, value_drop, silent
        )

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, hp: object, where: str | os.PathLike) -> Spec:
        """A checkpoint's hyper_parameters as a Spec; anything else is one JazzSoloError line naming `where`."""
        needed = ("model", "data", "vocab", "value_counts", "backing")
        if not isinstance(hp, dict) or any(k not in hp for k in needed):
            raise JazzSoloError(f"{where}: not a jazz_solo checkpoint (no vocabulary or model settings)")
        optional = {key: hp.get(key) for key in ("home", "provenance", "licence")}
        return cls(*(hp[k] for k in needed), **optional)


def provenance() -> dict:
    """What wrote a checkpoint: the versions of jazz_solo and torch, and when (UTC)."""
    from jazz_solo import __version__

    written = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return {"jazz_solo": __version__, "torch": str(torch.__version__), "written": written}


@dataclass
class Checkpoint:
    """What generation needs from a training checkpoint: the network, ready, and its spec."""

    net: SoloNet
    spec: Spec
    name: str = "the checkpoint"  # as the user gave it (a path, a run folder, pretrained:NAME), for messages

    @property
    def vocab(self) -> list[str]:
        return self.spec.vocab


def resolve_checkpoint(path: str | os.PathLike) -> Path:
    """A checkpoint file as it is; a run folder gives its best checkpoint (results.json), else its last.ckpt;
    "pretrained:NAME" the file of that shipped model."""
    if is_pretrained(path):
        return pretrained_path(str(path))
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


def read_spec(raw: dict, path: str | os.PathLike) -> Spec:
    """The spec of a checkpoint file's contents (read_checkpoint_file)."""
    return Spec.from_dict(raw.get("hyper_parameters"), path)


def load_checkpoint(path: str | os.PathLike, device: str = "cpu") -> Checkpoint:
    """Load a Lightning checkpoint written by train.py (weights_only: no code runs from the file).

    `path` may also be a run folder or "pretrained:NAME" (see resolve_checkpoint).
    """
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise JazzSoloError(f"device={device}: CUDA is not available here (use device=cpu)")
    name, path = str(path), resolve_checkpoint(path)
    raw = read_checkpoint_file(path, device)
    spec = read_spec(raw, path)
    if "state_dict" not in raw:
        raise JazzSoloError(f"{path}: not a jazz_solo checkpoint (no weights)")
    state = {k.removeprefix("net."): v for k, v in raw["state_dict"].items()}
    try:
        net = spec.build_net()
        net.load_state_dict(state)
    except (KeyError, TypeError) as err:
        raise JazzSoloError(f"{path}: not a jazz_solo checkpoint (model settings: {err!r})") from None
    except RuntimeError as err:
        raise JazzSoloError(f"{path}: weights do not fit the stored settings ({first_line(err)})") from None
    net.to(device).eval()
    return Checkpoint(net, spec, name)


def export_pretrained(ckpt_or_run: str | os.PathLike, dest: str | os.PathLike, data_path: str | None = None) -> Path:
    """Write a checkpoint (or a run folder's best) to `dest` as a pretrained model: its spec and the network's
    weights in float32, nothing else (no optimizer state: a third of a Lightning file's size with Adam).
    data_path: the corpus path to record instead of the trainer's (where users keep that corpus).
    Loaded and checked first, so a file that would not load is never written; atomic (jazz_solo.atomic)."""
    ckpt = load_checkpoint(ckpt_or_run)
    spec = ckpt.spec.to_dict()
    if data_path is not None:
        spec["data"] = spec["data"] | {"path": data_path}
    state = {f"net.{key}": tensor.detach().clone() for key, tensor in ckpt.net.state_dict().items()}
    with atomic_file(dest) as out:
        torch.save({"hyper_parameters": spec, "state_dict": state}, out)
    return Path(dest)
