"""A cache of computed results in the user's cache folder, keyed by the input files' content and settings.

Folder: $JAZZ_SOLO_CACHE, else $XDG_CACHE_HOME/jazz_solo, else ~/.cache/jazz_solo. An entry is
`<name>-<key>.marshal`, where key is the sha256 of the settings, the Python version and every input
file's name and bytes (callers include their own source files): a changed file or setting is another
key, so a stale entry is never read. Entries
hold plain containers only (marshal: no code runs on loading) and their own sha256, and are written
atomically; an entry that does not check out (torn, truncated, edited) is built again and replaced.
A cache folder that cannot be written costs the speed, never the run.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from jazz_solo.atomic import write_bytes
from jazz_solo.errors import JazzSoloError

T = TypeVar("T")


def cache_folder() -> Path:
    if os.environ.get("JAZZ_SOLO_CACHE"):
        return Path(os.environ["JAZZ_SOLO_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "jazz_solo"


def content_key(files: Sequence[Path], settings: dict) -> str:
    """sha256 of the settings (as JSON), the Python version (marshal's format) and each file's name and bytes."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    digest.update(sys.version.encode())
    for file in files:
        digest.update(file.name.encode() + b"\0")
        try:
            digest.update(hashlib.sha256(file.read_bytes()).digest())
        except OSError as err:  # the caller's input: an error naming it, not a traceback
            raise JazzSoloError(f"{file}: cannot read ({err.strerror or err})") from None
    return digest.hexdigest()


def cached(name: str, files: Sequence[Path], settings: dict, build: Callable[[], T]) -> T:
    """build() (plain containers: lists, tuples, dicts, str, numbers), or its cached result for these inputs."""
    path = cache_folder() / f"{name}-{content_key(files, settings)}.marshal"
    try:
        data = path.read_bytes()
        payload, check = data[:-32], data[-32:]
        if hashlib.sha256(payload).digest() == check:  # else torn or foreign: built again below
            return marshal.loads(payload)
    except (OSError, EOFError, ValueError, TypeError):
        pass
    value = build()
    payload = marshal.dumps(value)
    try:
        write_bytes(path, payload + hashlib.sha256(payload).digest())
    except OSError:
        pass
    return value
