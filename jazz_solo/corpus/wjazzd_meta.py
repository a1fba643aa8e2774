"""A WJazzD solo's metadata: a row of wjd_meta.csv or the db's solo_info, or what its file name says."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path

from jazz_solo.corpus.wjazzd_csv import read_rows
from jazz_solo.corpus.wjazzd_score import number
from jazz_solo.errors import JazzSoloError

META = "wjd_meta.csv"
SAFE_ID = re.compile(r"[^/\\\0]+")  # an id names files: no folder separator, no NUL


@dataclass(frozen=True)
class SoloInfo:
    """A solo's metadata row (the fields the filters and `inspect` use; `chord_changes` is the lead sheet)."""

    id: str  # e.g. "ArtPepper_Anthropology_FINAL"
    melid: int
    performer: str
    title: str
    instrument: str
    style: str
    rhythmfeel: str
    signature: str
    avgtempo: float
    key: str
    chord_changes: str
    form: str = ""  # e.g. "(A1,8), (A2,8), (B1,8), (A3,8)"


TEXT_FIELDS = tuple(f.name for f in fields(SoloInfo) if f.type == "str" and f.name != "id")


def info_from_name(solo_id: str) -> SoloInfo:
    """What a solo's file name says where the folder has no wjd_meta.csv (as the CSV download leaves it):
    "ArtPepper_BluesForBlanche_FINAL" -> performer "Art Pepper", title "Blues For Blanche"; no instrument,
    style or rhythm feel (filters on those keep nothing)."""
    performer, _, rest = solo_id.partition("_")
    title = rest.removesuffix("_FINAL")

    def spaced(text: str) -> str:
        return re.sub(r"(?<=[a-z'])(?=[A-Z])", " ", text)

    return SoloInfo(solo_id, -1, spaced(performer), spaced(title), "", "", "", "", 0.0, "", "")


def solo_id(text: str, where: str) -> str:
    """A solo's id as the metadata writes it ("<file stem>.sv"), checked: it names the solo's files."""
    name = text.strip().removesuffix(".sv")
    if not SAFE_ID.fullmatch(name) or name in (".", ".."):
        raise JazzSoloError(f"{where}: not a solo id: {text[:60]!r}")
    return name


def info_from_row(name: str, row: dict[str, str], where: str) -> SoloInfo:
    """A solo's info from its metadata fields (text; an empty melid or avgtempo: unknown)."""

    def optional(key: str, default: float) -> float:
        text = row.get(key, "").strip()
        return number(text, f"{where}, column {key!r}") if text else default

    melid = optional("melid", -1)
    if melid != int(melid):
        raise JazzSoloError(f"{where}, column 'melid': not a whole number: {row['melid'][:40]!r}")
    texts = {key: row.get(key, "") for key in TEXT_FIELDS}
    return SoloInfo(id=name, melid=int(melid), avgtempo=optional("avgtempo", 0.0), **texts)


def read_meta(folder: Path) -> list[SoloInfo]:
    """Every solo of a CSV folder's wjd_meta.csv, in its order; each id once."""
    path = folder / META
    columns = ("melid", "avgtempo", *TEXT_FIELDS)
    infos, seen = [], {}
    for line, (raw_id, *values) in read_rows(path, ("id",), columns):
        where = f"{path}, line {line}"
        info = info_from_row(solo_id(raw_id, f"{where}, column 'id'"), dict(zip(columns, values)), where)
        if info.id in seen:
            raise JazzSoloError(f"{where}: solo {info.id!r} again (first on line {seen[info.id]})")
        seen[info.id] = line
        infos.append(info)
    return infos
