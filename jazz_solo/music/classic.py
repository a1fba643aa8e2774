"""The classic exercise's MIDI file, fetched on request (it is third-party media, never shipped here).

`original_metheny.mid` (Pat Metheny's "And Then I Knew", sequenced by Pierre Hebert) as the
deepjazz repository holds it at a fixed commit; the exercise trains on its guitar solo over
the piano's chords in quarter notes 476 to 548 (conf/data/classic.yaml).
"""

from __future__ import annotations

import hashlib
import os
import urllib.request
from pathlib import Path

from jazz_solo.atomic import write_bytes
from jazz_solo.errors import JazzSoloError

CLASSIC_URL = (
    "https://raw.githubusercontent.com/jisungk/deepjazz/"
    "9c3b11245db196311b9f0176e984a38725a7113a/midi/original_metheny.mid"
)
CLASSIC_SHA256 = "0da8322ceab36b036682b5ece0c315193f7b701a3340a0ca5a523b107c6f428d"
CLASSIC_DEST = Path("data") / "original_metheny.mid"
MAX_BYTES = 16 * 2**20  # the file is 92 kB: anything this big is not it


def download(dest: str | os.PathLike = CLASSIC_DEST, url: str = CLASSIC_URL, sha256: str = CLASSIC_SHA256) -> Path:
    """Fetch `url` to `dest` (a file, or a folder to put original_metheny.mid in) if it is not there yet.

    The bytes must have the given sha256; the file appears whole or not at all.
    """
    if str(dest).endswith(("/", os.sep)) or Path(dest).is_dir():
        dest = Path(dest) / CLASSIC_DEST.name
    dest = Path(dest)
    if dest.is_file() and hashlib.sha256(dest.read_bytes()).hexdigest() == sha256:
        return dest
    data = fetch(url, MAX_BYTES)
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise JazzSoloError(f"{url}: not the expected file (sha256 {digest}, expected {sha256}); nothing written")
    return write_bytes(dest, data)


def fetch(url: str, max_bytes: int) -> bytes:
    """The bytes at `url` (https or file://); a failure, or more than max_bytes, is one JazzSoloError line."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read(max_bytes + 1)
    except (OSError, ValueError) as err:  # URLError and timeouts are OSErrors; ValueError: not a URL
        reason = getattr(err, "reason", None) or str(err) or type(err).__name__
        raise JazzSoloError(f"{url}: cannot download ({reason})") from None
    if len(data) > max_bytes:
        raise JazzSoloError(f"{url}: larger than {max_bytes} bytes; nothing written")
    return data
