"""Atomic file writes: a file appears whole under its final name, or not at all.

Everything the project writes (MIDI, WAV, PNG, JSON, reports, checkpoints, downloads) goes through
`atomic_file`: a temporary file in the same folder, then renamed over the target.
A crash or an exception leaves the old file (if any) and no temporary file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


UMASK = _umask()  # read once: os.umask can only be read by setting it, which is process-wide


@contextmanager
def atomic_file(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    """Open a temporary file beside `path` for writing (`mode` "wb" or "w"); rename it over `path` on success.

    The rename is what makes a killed process leave no half-written file. There is no fsync: it would
    guard only against a power cut and costs more than a whole training epoch of the exercise's size.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({"encoding": "utf-8"} if "b" not in mode else {})) as out:
            yield out
        os.chmod(tmp, 0o666 & ~UMASK)  # mkstemp makes files private; give the usual permissions
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text(path: str | os.PathLike, text: str) -> Path:
    with atomic_file(path, "w") as out:
        out.write(text)
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    with atomic_file(path, "wb") as out:
        out.write(data)
    return Path(path)
