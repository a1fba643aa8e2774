"""WJazzD's lead sheets shipped with the package: its wjd_meta.csv trimmed to the columns that play a tune
(`chords=wjazzd:<tune>`) and list the tunes, so both work where WJazzD is not (ODbL, notice in the folder's
README.md). Maintainers write it from a WJazzD CSV folder: `python -m jazz_solo.corpus leadsheets SOURCE`.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from jazz_solo.atomic import write_text
from jazz_solo.corpus.wjazzd_csv import read_rows
from jazz_solo.corpus.wjazzd_meta import META, read_meta

LEADSHEETS = Path(__file__).resolve().parent / "leadsheets"  # a WJazzD folder holding only wjd_meta.csv
SHIPPED = "the lead sheets shipped with jazz_solo (WJazzD metadata, ODbL)"
# what find_tune, tune_changes and tune_line read (read_meta needs only `id`; the rest read "" when missing)
COLUMNS = ("id", "melid", "avgtempo", "chord_changes", "title", "performer", "signature", "key", "form")


def is_shipped(path: str | os.PathLike) -> bool:
    """Whether `path` is the shipped lead sheets' folder."""
    return Path(path).resolve() == LEADSHEETS


def write_leadsheets(source: str | os.PathLike, dest: str | os.PathLike = LEADSHEETS) -> Path:
    """Write `dest`/wjd_meta.csv: every solo of `source`/wjd_meta.csv (checked by read_meta first), its
    COLUMNS' text unchanged; return the file written."""
    source = Path(source)
    read_meta(source)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(fields for _, fields in read_rows(source / META, COLUMNS))
    return write_text(Path(dest) / META, text.getvalue())
