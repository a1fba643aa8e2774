"""The models shipped with the package: `ckpt=pretrained:NAME` anywhere a checkpoint is taken.

This folder holds, per model, `NAME.pt` (a weights-only checkpoint: the spec and the network's weights, no
optimizer state; written by `python -m jazz_solo.pretrained export RUN_OR_CKPT NAME`) and `NAME.md`, its
model card. The environment variable JAZZ_SOLO_PRETRAINED names another folder to read them from instead
(a maintainer's trial exports, the tests). Torch-free: checkpoint.resolve_checkpoint asks here for a path.
"""

from __future__ import annotations

import os
from pathlib import Path

from jazz_solo.errors import JazzSoloError

PRETRAINED_PREFIX = "pretrained:"
FOLDER_VARIABLE = "JAZZ_SOLO_PRETRAINED"
SUFFIX = ".pt"
CARD_SUFFIX = ".md"


def folder() -> Path:
    """Where the pretrained models are: $JAZZ_SOLO_PRETRAINED, else this package folder."""
    return Path(os.environ.get(FOLDER_VARIABLE) or Path(__file__).resolve().parent)


def available() -> list[str]:
    """The names of the pretrained models there, sorted."""
    return sorted(file.stem for file in folder().glob(f"*{SUFFIX}") if file.is_file())


def is_pretrained(ckpt: str | os.PathLike) -> bool:
    """Whether `ckpt` names a pretrained model ("pretrained:NAME") rather than a file or folder."""
    return isinstance(ckpt, str) and ckpt.startswith(PRETRAINED_PREFIX)


def pretrained_path(name: str) -> Path:
    """The file of pretrained model `name` (with or without the "pretrained:" prefix); an unknown name is
    one JazzSoloError line listing the names there are."""
    name = name.removeprefix(PRETRAINED_PREFIX)
    names = available()
    if name not in names:
        listed = ", ".join(PRETRAINED_PREFIX + n for n in names) if names else f"none in {folder()}"
        raise JazzSoloError(f"{PRETRAINED_PREFIX}{name}: no such pretrained model (available: {listed})")
    return folder() / f"{name}{SUFFIX}"
