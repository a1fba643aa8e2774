"""Downloads, fetched on request and checked (third-party data, never shipped here).

The classic exercise's MIDI file: `original_metheny.mid` (Pat Metheny's "And Then I Knew", sequenced
by Pierre Hebert) as the deepjazz repository holds it at a fixed commit; the exercise trains on its
guitar solo over the piano's chords in quarter notes 476 to 548 (conf/data/classic.yaml).

The Weimar Jazz Database (`python -m jazz_solo.corpus download wjazzd [DEST]`), from two sources, each pinned:

- the CSV export (default): `mcsv_melody/` and `mcsv_beat/` as github.com/slSeanWU/jazz_transformer
  holds them at a fixed commit, every file checked against its sha256 in `wjazzd.sha256` (shipped
  here; its own sha256 is WJAZZD_MANIFEST_SHA256). No metadata table comes with it: the reader takes
  performer and title from the file names (wjazzd.info_from_name), so the filters on instrument, style
  and rhythm feel need the db or a `wjd_meta.csv` put beside the folders;
- the official SQLite release `wjazzd.db` (`--db`) from the Jazzomat project's download page. It
  publishes no checksum: the file must have the reported size and be a WJazzD database.

Every file is written atomically (a kill leaves whole files only); a file already there with the right
sha256 is not fetched again, so a broken download resumes. The licence notice is printed at the end.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
import urllib.parse
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
CLASSIC_MAX_BYTES = 16 * 2**20  # the file is 92 kB: anything this big is not it


def download_classic(
    dest: str | os.PathLike = CLASSIC_DEST, url: str = CLASSIC_URL, sha256: str = CLASSIC_SHA256
) -> Path:
    """Fetch `url` to `dest` (a file, or a folder to put original_metheny.mid in) if it is not there yet.

    The bytes must have the given sha256; the file appears whole or not at all.
    """
    if str(dest).endswith(("/", os.sep)) or Path(dest).is_dir():
        dest = Path(dest) / CLASSIC_DEST.name
    dest = Path(dest)
    if dest.is_file() and hashlib.sha256(dest.read_bytes()).hexdigest() == sha256:
        return dest
    data = fetch(url, CLASSIC_MAX_BYTES)
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


WJAZZD_CSV_URL = "https://raw.githubusercontent.com/slSeanWU/jazz_transformer/eb77f0971e653d7208ed708f704b4d3d4b3eeff0/"
WJAZZD_MANIFEST = Path(__file__).with_name("wjazzd.sha256")  # sha256sum lines: "<sha256>  mcsv_beat/<file>"
WJAZZD_MANIFEST_SHA256 = "1f2d91f35d8784bec9fad6f83e649c9ff788f640960b0eb5565bcc45dda89c59"
WJAZZD_DB_URL = "https://jazzomat.hfm-weimar.de/download/downloads/wjazzd.db"
WJAZZD_DB_BYTES = 42_512_384  # as the download page reports it (release 2.x)
WJAZZD_DEST = Path("data") / "wjazzd"
WJAZZD_DB_DEST = Path("data") / "wjazzd.db"
WJAZZD_MAX_BYTES = 64 * 2**20
NOTICE = (
    "Contains information from the Weimar Jazz Database (Jazzomat Research Project, University of Music Franz "
    "Liszt Weimar), made available under the ODbL v1.0 (https://opendatacommons.org/licenses/odbl/1-0/). "
    "A model trained on it is a Produced Work: share it with this notice. Cite: Pfleiderer, Frieler, Abesser, "
    "Zaddach, Burkhart (eds.), Inside the Jazzomat, Schott Campus, 2017."
)


def read_manifest(manifest: Path) -> list[tuple[str, str]]:
    """(sha256, relative path) per line of a sha256sum file."""
    entries = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name or name.startswith("/") or ".." in Path(name).parts:
            raise JazzSoloError(f"{manifest}: not a sha256sum line: {line!r}")
        entries.append((digest, name))
    return entries


def download_csv(dest: str | os.PathLike = WJAZZD_DEST, url: str = WJAZZD_CSV_URL, manifest: Path = WJAZZD_MANIFEST):
    """Every file the manifest lists, from `url` + its path, into `dest`; the manifest itself last."""
    dest, base = Path(dest), url if url.endswith("/") else url + "/"
    if dest.exists() and not dest.is_dir():
        raise JazzSoloError(f"{dest}: exists and is not a folder")
    for digest, name in read_manifest(manifest):
        target = dest / name
        if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == digest:
            continue
        source = base + urllib.parse.quote(name)
        data = fetch(source, WJAZZD_MAX_BYTES)
        found = hashlib.sha256(data).hexdigest()
        if found != digest:
            raise JazzSoloError(f"{source}: not the expected file (sha256 {found}, expected {digest}); not written")
        write_bytes(target, data)
    write_bytes(dest / "SHA256SUMS", manifest.read_bytes())
    return dest


def download_db(dest: str | os.PathLike = WJAZZD_DB_DEST, url: str = WJAZZD_DB_URL, size=WJAZZD_DB_BYTES):
    """The official wjazzd.db to `dest` (a file, or a folder to put wjazzd.db in): the reported size, and
    a database with the WJazzD tables, or nothing is written."""
    if str(dest).endswith(("/", os.sep)) or Path(dest).is_dir():
        dest = Path(dest) / "wjazzd.db"
    dest = Path(dest)
    data = fetch(url, WJAZZD_MAX_BYTES)
    if size is not None and len(data) != size:
        raise JazzSoloError(f"{url}: {len(data)} bytes, not the release's {size}; nothing written")
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "probe.db"
        probe.write_bytes(data)
        try:
            with sqlite3.connect(probe) as db:
                tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.Error:
            tables = set()
    missing = {"solo_info", "melody", "beats"} - tables
    if missing:
        raise JazzSoloError(f"{url}: not a WJazzD database (no table {sorted(missing)[0]}); nothing written")
    return write_bytes(dest, data)
