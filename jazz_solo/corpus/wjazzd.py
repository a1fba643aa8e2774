"""The Weimar Jazz Database (WJazzD) -> scores: 456 transcribed solos with the chord under every beat.

Two sources hold the same solos (pure Python: csv and sqlite3 from the standard library; read by
wjazzd_csv.py and wjazzd_db.py, the metadata by wjazzd_meta.py, the rows checked and placed by
wjazzd_score.py: a malformed file is one error naming the file, row and column):

- the CSV export: a folder with `wjd_meta.csv` (one row per solo; the download has none: then the
  file names say who played what), `mcsv_melody/<id>.csv` (one row per note) and
  `mcsv_beat/<id>_beattrack.csv` (one row per beat), where <id> is the metadata's `id` without ".sv",
  e.g. "ArtPepper_Anthropology_FINAL";
- the official SQLite release `wjazzd.db`: tables `solo_info`, `melody` and `beats` (with
  `transcription_info.filename_sv` naming the solo when present), chords written where they change.

Time. A score is in quarter notes from the first beat of the bar of the solo's first note (so a
pickup bar, bar 0 or below, is measure 0 and the first bar of the form starts after it). A beat lasts
4 / denominator quarter notes; bars take their length from the beat track, so a bar of another metre
inside the solo keeps every later note in place. A note sits at its beat plus the fraction of the beat
(onset - beat onset) / beat duration, quantised to the 1/4 + 1/3 grid like every score (score.quantise);
its played length (seconds / beat duration) is quantised the same way, at least 1/12, and cut at the
next onset (one line). WJazzD's lengths are played ones (staccato, ghost notes): data=wjazzd reads
them with lengths=legato, a note held to the next onset unless a real rest follows (score.legato).
Tempo: quarter notes per minute from the median beat duration.

Chords. The beat track gives the chord at each beat; a span runs from one change to the next (a
label repeated over several beats is one span). `NC` (no chord: breaks, intros, free solos) is a span
whose chord is chords.NO_CHORD (no tones). The last span reaches the end of the last note.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
from collections import Counter
from pathlib import Path

from jazz_solo.corpus.download import NOTICE
from jazz_solo.corpus.wjazzd_csv import BEATS, MELODY, read_solo_rows, regular_file, solo_files
from jazz_solo.corpus.wjazzd_db import read_db_infos, read_db_solo_rows
from jazz_solo.corpus.wjazzd_leadsheets import LEADSHEETS, SHIPPED, is_shipped
from jazz_solo.corpus.wjazzd_meta import META, SoloInfo, info_from_name, read_meta
from jazz_solo.corpus.wjazzd_score import NO_CHORD_LABEL, SoloRows, build_score, chord, parsed
from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import Progression
from jazz_solo.music.score import Score

__all__ = ["SoloInfo", "chord", "info_from_name", "parsed"]  # the readers' names that callers use from here
log = logging.getLogger(__name__)
WJAZZD_PATH = "data/wjazzd"  # where `make wjazzd` puts it


def has_meta(folder: Path) -> bool:
    """Whether a CSV folder has a wjd_meta.csv (a broken one too: reading it says what is wrong)."""
    return (folder / META).exists() or (folder / META).is_symlink()


def is_wjazzd(path: str | os.PathLike) -> bool:
    """A WJazzD CSV folder (wjd_meta.csv, or mcsv_melody/ and mcsv_beat/) or an SQLite .db file."""
    path = Path(path)
    if path.is_dir():
        return has_meta(path) or ((path / MELODY).is_dir() and (path / BEATS).is_dir())
    return path.is_file() and path.suffix == ".db"


def trained_on_wjazzd(data: dict, licence: str | None) -> bool:
    """Whether a checkpoint's spec (its data settings and licence) is of a WJazzD model, also where the
    recorded copy is gone: training gives exactly those models WJazzD's notice."""
    path = data.get("path")
    return licence == NOTICE or (path is not None and is_wjazzd(path))


def corpus_path(data: dict, licence: str | None, who: str) -> str | None:
    """The training corpus to read for a checkpoint's spec (`who` names the checkpoint in the error): the
    path training recorded where it is here, else for a WJazzD model the copy `make wjazzd` makes
    (WJAZZD_PATH), so a model trained elsewhere (a pretrained one) finds it. None: the embedded corpus."""
    path = data.get("path")
    if path is None or Path(path).exists() or not trained_on_wjazzd(data, licence):
        return path  # a missing file of another corpus: its reader says so
    if is_wjazzd(WJAZZD_PATH):
        return WJAZZD_PATH
    raise JazzSoloError(f"{who} was trained on WJazzD, which is not here (make wjazzd fetches it to {WJAZZD_PATH})")


def tunes_path(data: dict, licence: str | None) -> str:
    """The WJazzD to read `chords=wjazzd:<tune>` from: a WJazzD model's recorded corpus where it is here, else
    WJAZZD_PATH where it is there, else the lead sheets shipped with the package (LEADSHEETS)."""
    recorded = data.get("path")
    if trained_on_wjazzd(data, licence) and recorded is not None and Path(recorded).exists():
        return str(recorded)
    return WJAZZD_PATH if is_wjazzd(WJAZZD_PATH) else str(LEADSHEETS)


def read_infos(path: str | os.PathLike) -> list[SoloInfo]:
    """Every solo's metadata, in the source's order (the CSV's rows, the db's melid)."""
    path = Path(path)
    if not is_wjazzd(path):
        raise JazzSoloError(f"{path}: not a WJazzD folder (with {META}) or .db file")
    if path.is_dir() and has_meta(path):
        return read_meta(path)
    if path.is_dir():  # the download: no metadata
        return [info_from_name(file.stem) for file in sorted((path / MELODY).glob("*.csv"))]
    return read_db_infos(path)


def solo_rows(path: str | os.PathLike, infos: list[SoloInfo]) -> list[SoloRows]:
    """The solos `infos` name (from read_infos), checked, from a CSV folder or a .db."""
    path = Path(path)
    if path.is_dir():
        return [read_solo_rows(path, info.id) for info in infos]
    return read_db_solo_rows(path, infos)


def read_solos(path: str | os.PathLike, infos: list[SoloInfo], lengths: str = "onsets") -> list[Score]:
    """The scores of the solos `infos` name."""
    return [build_score(solo, lengths) for solo in solo_rows(path, infos)]


def source_files(path: str | os.PathLike, infos: list[SoloInfo]) -> list[Path]:
    """The files the solos `infos` are read from (what a cache of them depends on), each a regular file."""
    path = Path(path)
    if not path.is_dir():
        return [regular_file(path)]
    meta = [path / META] if has_meta(path) else []
    return [regular_file(file) for file in meta + [f for info in infos for f in solo_files(path, info.id)]]


def note_labels(path: str | os.PathLike, infos: list[SoloInfo]) -> dict[str, Counter[str]]:
    """Per solo id: how many notes sound over each chord label as written: the beat track's chord at the
    note's bar and beat (what the reader uses; the melody files' own chord column differs at a few notes)."""
    found: dict[str, Counter[str]] = {}
    for solo in solo_rows(path, infos):
        at, label = {}, NO_CHORD_LABEL
        for beat in solo.beats:
            label = beat.chord or label  # the db writes a chord only where it changes
            at[beat.bar, beat.beat] = label
        found[solo.name] = Counter(at.get((bar, beat), NO_CHORD_LABEL) for _, _, bar, beat, _, _ in solo.notes)
    return found


SHOWN = 8  # titles an ambiguous or unknown name lists


def find_tune(infos: list[SoloInfo], name: str, where: str) -> SoloInfo:
    """The solo `name` means: its id, else its title, else the one title holding it (any case; of several
    solos of that title, the first in the source's order, said in a log line naming the others' ids).
    Several titles holding it, or none: one error line listing them, or the titles closest to it."""
    wanted = name.strip().lower()
    tunes = TUNES_COMMAND + ("" if where in (WJAZZD_PATH, SHIPPED) else f" --path {where}")  # the list of this copy
    for matches in (
        lambda i: i.id.lower() == wanted,
        lambda i: i.title.lower() == wanted,
        lambda i: wanted in i.title.lower(),
    ):
        found = [info for info in infos if matches(info)]
        if len({info.title for info in found}) == 1:
            if len(found) > 1:  # the same tune played several times: the others are a `wjazzd:<id>` away
                others = ", ".join(f"{info.id} ({info.performer})" for info in found[1:])
                log.info("%s: %d solos of that title; taking %s (%s); the others by id: %s", found[0].title,
                         len(found), found[0].id, found[0].performer, others)  # fmt: skip
            return found[0]
        titles = sorted({info.title for info in found})
        if titles:
            shown = ", ".join(map(repr, titles[:SHOWN])) + (
                f" and {len(titles) - SHOWN} more" if len(titles) > SHOWN else ""
            )
            raise JazzSoloError(f"{where}: {name!r} is in {len(titles)} titles: {shown} (list them: {tunes} {name!r})")
    by_title = {info.title.lower(): info.title for info in infos}
    close = [by_title[t] for t in difflib.get_close_matches(wanted, by_title, n=SHOWN, cutoff=0.6)]
    hint = f"close: {', '.join(map(repr, close))}; " if close else ""
    raise JazzSoloError(f"{where}: no solo has the id or title {name!r} ({hint}list them: {tunes})")


TUNES_COMMAND = "python -m jazz_solo.corpus tunes"


def form_name(form: str) -> str:
    """The metadata's form, "(A1,8), (A2,8), (B1,8), (A3,8)", as a musician says it: "AABA, 32 bars"."""
    parts = re.findall(r"\(\s*([A-Za-z]+)\d*\s*,\s*(\d+)\s*\)", form)
    return f"{''.join(p for p, _ in parts)}, {sum(int(n) for _, n in parts)} bars" if parts else form.strip()


def tune_line(info: SoloInfo) -> str:
    """One solo as `tunes` lists it: title, performer, then key, tempo and form where the source has them."""
    details = [
        info.key.replace("-", " "),
        f"{info.avgtempo:.0f} bpm" if info.avgtempo > 0 else "",
        form_name(info.form),
    ]
    return "  ".join([f"{info.title:<32}", f"{info.performer:<22}", *filter(None, details)]).rstrip()


def tune_changes(path: str | os.PathLike, name: str) -> tuple[SoloInfo, Progression]:
    """A corpus solo's tune (find_tune): the metadata's lead sheet (`chord_changes`, one chorus of the form)
    at the solo's tempo and metre, or where the source has none, the chords under the solo itself (a folder
    of metadata only, as the shipped lead sheets are, has no solo to take them from: one error line)."""
    where = SHIPPED if is_shipped(path) else str(path)
    info = find_tune(read_infos(path), name, where)
    if is_shipped(path):
        log.info("%s's changes from %s", info.title, SHIPPED)
    if not info.chord_changes.strip():
        if Path(path).is_dir() and not (Path(path) / MELODY).is_dir():
            fetch = f"make wjazzd fetches WJazzD to {WJAZZD_PATH}"
            raise JazzSoloError(f"{info.id} has no lead sheet: its chords are the solo's, not in {where} ({fetch})")
        return info, read_solos(path, [info])[0].progression
    top, _, bottom = info.signature.partition("/")
    beats_per_bar = max(1, round(int(top) * 4 / int(bottom))) if top.isdecimal() and bottom.isdecimal() else 4
    tempo = info.avgtempo if info.avgtempo > 0 else 120.0
    return info, Progression.parse(info.chord_changes, tempo, beats_per_bar, f"{info.id}'s lead sheet")
