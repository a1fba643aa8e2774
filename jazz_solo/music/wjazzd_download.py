"""`python -m jazz_solo.music download wjazzd [DEST]`: the Weimar Jazz Database, fetched on request.

Two sources, each pinned:

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
from pathlib import Path

from jazz_solo.atomic import write_bytes
from jazz_solo.errors import JazzSoloError
from jazz_solo.music.classic import fetch

WJAZZD_CSV_URL = "https://raw.githubusercontent.com/slSeanWU/jazz_transformer/eb77f0971e653d7208ed708f704b4d3d4b3eeff0/"
WJAZZD_MANIFEST = Path(__file__).with_name("wjazzd.sha256")  # sha256sum lines: "<sha256>  mcsv_beat/<file>"
WJAZZD_MANIFEST_SHA256 = "1f2d91f35d8784bec9fad6f83e649c9ff788f640960b0eb5565bcc45dda89c59"
WJAZZD_DB_URL = "https://jazzomat.hfm-weimar.de/download/downloads/wjazzd.db"
WJAZZD_DB_BYTES = 42_512_384  # as the download page reports it (release 2.x)
WJAZZD_DEST = Path("data") / "wjazzd"
WJAZZD_DB_DEST = Path("data") / "wjazzd.db"
MAX_BYTES = 64 * 2**20
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
        data = fetch(source, MAX_BYTES)
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
    data = fetch(url, MAX_BYTES)
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
