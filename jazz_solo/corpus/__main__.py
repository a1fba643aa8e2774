"""Music commands (no torch needed):

python -m jazz_solo.corpus corpus DEST                 # write the embedded corpus as .mid files
python -m jazz_solo.corpus inspect FILE.mid [--solo N] [--chords-from N] [--start Q --end Q] [--lengths L] [--json]
python -m jazz_solo.corpus inspect CORPUS [--min-count K] [--metre 4/4 ...] [--json]   # a WJazzD folder or .db,
                                                                                      # or a folder of MIDI files
python -m jazz_solo.corpus tunes [PATTERN] [--path DIR]         # WJazzD's tunes: title, performer, key, tempo, form
python -m jazz_solo.corpus leadsheets SOURCE [--dest DIR]        # maintainers: the lead sheets shipped (ODbL)
python -m jazz_solo.corpus download classic [DEST] [--url URL]   # the classic exercise's MIDI file
python -m jazz_solo.corpus download wjazzd [DEST] [--db] [--url URL]   # the Weimar Jazz Database (ODbL)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from jazz_solo.config import DataConfig
from jazz_solo.corpus import wjazzd
from jazz_solo.corpus.download import (
    CLASSIC_DEST,
    CLASSIC_URL,
    NOTICE,
    WJAZZD_CSV_URL,
    WJAZZD_DB_DEST,
    WJAZZD_DB_URL,
    WJAZZD_DEST,
    download_classic,
    download_csv,
    download_db,
)
from jazz_solo.corpus.embedded import DEFAULT_SEED, embedded_midi
from jazz_solo.corpus.encoding import encode_values
from jazz_solo.corpus.midi import read_midi
from jazz_solo.corpus.wjazzd_leadsheets import LEADSHEETS, SHIPPED, write_leadsheets
from jazz_solo.errors import JazzSoloError, one_line_errors
from jazz_solo.music.comping import write_midi
from jazz_solo.music.score import Part, Score
from jazz_solo.music.tokenizers import TOKENIZERS, get_tokenizer


def write_corpus(dest: Path, seed: int) -> list[Path]:
    return [write_midi(pm, dest / name) for name, pm in embedded_midi(seed)]


def part_dict(part: Part | None) -> dict | None:
    return None if part is None else {"index": part.index, "name": part.name.strip(), "program": part.program}


def describe(score: Score, source: str, tokenizer: str = "grammar", n_values: int = 16) -> dict:
    """What `inspect` reports: parts, tempo, metre, section, chords per measure and the values."""
    values = get_tokenizer(tokenizer).encode(score)
    progression = score.progression
    bar = progression.beats_per_bar
    start, end = score.section
    length = end - start if end is not None else max(progression.length, max(n.end for n in score.notes))
    chords = []
    for measure in range(int(-(-length // bar))):
        lo, hi = measure * bar, (measure + 1) * bar
        spans = [s for s in progression.spans if s.start < hi - 1e-9 and s.end > lo + 1e-9]
        chords.append(
            [{"at": round(max(s.start, lo) - lo, 3), "symbol": s.chord.symbol, "pitches": list(s.tones)} for s in spans]
        )
    return {
        "file": source,
        "solo_instrument": part_dict(score.solo_part),
        "chords_from": [part_dict(p) for p in score.chord_parts],
        "tempo": progression.tempo,
        "metre": f"{score.metre[0]}/{score.metre[1]}",
        "section": [start, end],
        "notes": len(score.notes),
        "measures": len(chords),
        "chords": chords,
        "tokenizer": tokenizer,
        "corpus_length": len(values),
        "n_values": len(set(values)),
        "values": values[:n_values],
    }


def corpus_summary(cfg: DataConfig, top: int = 10) -> dict:
    """What `inspect` reports on a whole corpus: pieces, notes, chord labels, the values and what the
    vocabulary policy keeps (coverage: the share of notes whose value is kept as it is)."""
    if wjazzd.is_wjazzd(cfg.path):
        infos = wjazzd.read_infos(cfg.path)
        per_solo = wjazzd.note_labels(cfg.path, infos)
        labels = sum(per_solo.values(), Counter())
        unparsed = sorted(label for label in labels if wjazzd.parsed(label) is None)
        if unparsed:
            solo = next(name for name, counts in per_solo.items() if unparsed[0] in counts)
            raise JazzSoloError(f"{cfg.path}: {len(unparsed)} chord labels do not parse, e.g. {unparsed[0]!r} ({solo})")
    corpus = encode_values(cfg)
    if wjazzd.is_wjazzd(cfg.path):  # the selected solos' labels (all of them parse, as checked above)
        labels = sum((per_solo[name] for name in corpus.names), Counter())
    else:
        labels = Counter(s.progression.span_at(n.start).chord.symbol for s in corpus.scores for n in s.notes)
    values = [corpus.vocab[i] for seq in corpus.sequences for i in seq]
    counts = Counter(values)
    notes = sum(not v.startswith("R,") for v in values)
    replaced_notes = sum(n for v, n in corpus.replaced.items() if not v.startswith("R,"))
    summary = {
        "source": str(cfg.path),
        "kind": "wjazzd" if wjazzd.is_wjazzd(cfg.path) else "midi",
        "pieces": len(corpus.sequences),
        "notes": notes,  # in the scores: notes quantised onto one onset are one
        "source_notes": sum(labels.values()) if wjazzd.is_wjazzd(cfg.path) else notes,
        "performers": len(set(corpus.groups)),
        "tokenizer": cfg.tokenizer,
        "lengths": cfg.lengths,
        "min_count": cfg.min_count,
        "corpus_length": len(values),
        "n_values": len(corpus.vocab),
        "n_values_before_policy": len(corpus.vocab) + len(corpus.replaced),
        "coverage": round(1 - replaced_notes / notes, 4) if notes else 1.0,
        "unparsed_chords": 0,
        "chord_labels": len(labels),
        "most_common_chords": [[label, n] for label, n in labels.most_common(top)],
        "most_common_values": [[value, n] for value, n in counts.most_common(top)],
    }
    return summary


def print_report(report: dict) -> None:
    start, end = report["section"]
    parts = ", ".join(f"{p['index']} {p['name']!r}" for p in report["chords_from"]) or "none (from the solo)"
    solo = report["solo_instrument"]
    print(report["file"])
    print(f"  solo:        instrument {solo['index']} {solo['name']!r} (program {solo['program']})")
    print(f"  notes:       {report['notes']}")
    print(f"  chords from: {parts}")
    print(f"  tempo:       {report['tempo']:g} bpm, metre {report['metre']}")
    section = f"{start:g} to {end:g}" if end is not None else f"{start:g} to the end"
    print(f"  section:     {section} (quarter notes), {report['measures']} measures")
    print("  chords per measure:")
    for i, measure in enumerate(report["chords"], 1):
        changes = [c for j, c in enumerate(measure) if j == 0 or c["symbol"] != measure[j - 1]["symbol"]]
        print(f"    {i:3d}  " + "  ".join(c["symbol"] + (f"@{c['at']:g}" if c["at"] else "") for c in changes))
    print(f"  values ({report['tokenizer']}): corpus length {report['corpus_length']}, n_values {report['n_values']}")
    print(f"  first values: {' '.join(report['values'])}")


def tunes_source(path: str | None) -> str | Path:
    """What `tunes` lists: `path`, else WJAZZD_PATH where it is there, else the shipped lead sheets (one line
    on stderr says so)."""
    if path is None and not wjazzd.is_wjazzd(wjazzd.WJAZZD_PATH):
        print(f"{wjazzd.WJAZZD_PATH} is not here: listing {SHIPPED} (make wjazzd fetches the solos)", file=sys.stderr)
        return LEADSHEETS
    path = path or wjazzd.WJAZZD_PATH
    if not wjazzd.is_wjazzd(path):
        raise JazzSoloError(f"{path}: no WJazzD here (make wjazzd, or --path DIR for a copy you have)")
    return path


@one_line_errors
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m jazz_solo.corpus", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    corpus = commands.add_parser("corpus", help="write the embedded corpus as .mid files")
    corpus.add_argument("dest", type=Path, help="folder to write into")
    corpus.add_argument("--seed", type=int, default=DEFAULT_SEED)
    inspect = commands.add_parser("inspect", help="what a MIDI file or a corpus gives: parts, chords, values")
    inspect.add_argument("file", type=Path, help="a MIDI file, a folder of them, a WJazzD folder or wjazzd.db")
    inspect.add_argument("--solo", help="solo part: index, name or program:N (default: guessed)")
    inspect.add_argument("--chords-from", help="part the chords come from (default: every other part)")
    inspect.add_argument(
        "--lengths",
        choices=["onsets", "legato", "written"],
        help="onsets (default; WJazzD: legato): cut at the next onset; legato: held to it over a short silence; "
        "written: own lengths",
    )
    inspect.add_argument("--start", type=float, help="section start, quarter notes")
    inspect.add_argument("--end", type=float, help="section end, quarter notes")
    inspect.add_argument("--tokenizer", default="grammar", choices=sorted(TOKENIZERS))
    inspect.add_argument("--values", type=int, default=16, help="how many of the first (corpus: most common) values")
    inspect.add_argument("--min-count", type=int, default=1, help="corpus: the vocabulary policy (data.min_count)")
    inspect.add_argument("--metre", nargs="+", help="WJazzD: only solos whose every bar is in these, e.g. 4/4")
    inspect.add_argument("--chords-only", action="store_true", help="WJazzD: leave out the solos with no chord")
    inspect.add_argument("--json", action="store_true", help="one JSON object on stdout")
    tunes = commands.add_parser("tunes", help="list WJazzD's solos: title, performer, key, tempo and form")
    tunes.add_argument("pattern", nargs="?", default="", help="only titles or performers holding this (any case)")
    tunes.add_argument(
        "--path", help=f"a WJazzD folder or .db (default {wjazzd.WJAZZD_PATH}, else the lead sheets shipped here)"
    )
    sheets = commands.add_parser("leadsheets", help="maintainers: write the WJazzD lead sheets the package ships")
    sheets.add_argument("source", type=Path, help="a WJazzD CSV folder with wjd_meta.csv")
    sheets.add_argument("--dest", type=Path, default=LEADSHEETS, help="folder to write into (default: the package's)")
    fetch = commands.add_parser("download", help="fetch a corpus that is not shipped here")
    fetch.add_argument(
        "name",
        choices=["classic", "wjazzd"],
        help="classic: the exercise's MIDI file; wjazzd: the Weimar Jazz Database",
    )
    fetch.add_argument("dest", nargs="?", help=f"default {CLASSIC_DEST}, {WJAZZD_DEST} or (--db) {WJAZZD_DB_DEST}")
    fetch.add_argument("--url", help="where from (checked against the known sha256; wjazzd: the folder's URL)")
    fetch.add_argument("--db", action="store_true", help="wjazzd: the official wjazzd.db instead of the CSV files")
    args = parser.parse_args(argv)
    if args.command == "corpus":
        if args.dest.exists() and not args.dest.is_dir():
            raise JazzSoloError(f"{args.dest}: exists and is not a folder")
        for path in write_corpus(args.dest, args.seed):
            print(path)
    elif args.command == "inspect":
        if args.file.is_dir() or wjazzd.is_wjazzd(args.file):
            lengths = args.lengths or ("legato" if wjazzd.is_wjazzd(args.file) else "onsets")
            data = dict(path=str(args.file), tokenizer=args.tokenizer, lengths=lengths, min_count=args.min_count)
            if wjazzd.is_wjazzd(args.file):
                data |= dict(metre=args.metre, chordless=not args.chords_only)
            report = corpus_summary(DataConfig(**data), args.values)
            print(json.dumps(report) if args.json else "\n".join(f"{k}: {v}" for k, v in report.items()))
            return
        score = read_midi(args.file, args.solo, args.start, args.end, args.chords_from, args.lengths or "onsets")
        report = describe(score, str(args.file), args.tokenizer, args.values)
        if args.json:
            print(json.dumps(report))
        else:
            print_report(report)
    elif args.command == "tunes":
        wanted = args.pattern.lower()
        for info in wjazzd.read_infos(tunes_source(args.path)):
            if wanted in info.title.lower() or wanted in info.performer.lower():
                print(wjazzd.tune_line(info))
    elif args.command == "leadsheets":
        written = write_leadsheets(args.source, args.dest)
        print(f"{written} ({written.stat().st_size:,} bytes)")
    elif args.command == "download":
        if args.name == "classic":
            print(download_classic(args.dest or CLASSIC_DEST, args.url or CLASSIC_URL))
            return
        try:
            if args.db:
                where = download_db(args.dest or WJAZZD_DB_DEST, args.url or WJAZZD_DB_URL)
            else:
                where = download_csv(args.dest or WJAZZD_DEST, args.url or WJAZZD_CSV_URL)
        except JazzSoloError as err:  # offline, say: a copy already here needs no download
            raise JazzSoloError(f"{err}; a WJazzD copy you have needs none: train.py data.path=DIR ...") from None
        print(where)
        print(NOTICE)


if __name__ == "__main__":
    main()
