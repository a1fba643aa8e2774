"""The corpus as value sequences: read, select, encode, apply the vocabulary policy (pure Python).

The corpus is the one `data.path` names: the embedded corpus (None), a MIDI file or folder, or WJazzD
(a CSV folder or wjazzd.db, see wjazzd.py). WJazzD solos are selected by their metadata and beat
track (data.performer, title, instrument, style, rhythmfeel, metre; solos with no chord at all only
with data.chordless) and their values come from a cache (jazz_solo/cache.py) keyed by the source
files' content and the encoding settings: the whole database is encoded once, the selection is made
after, so every selection shares one cache entry.

The scores themselves are read again only when asked for (`EncodedCorpus.scores`): training needs
only the values, unless it hears the chords (model.condition=chords), which are read from the scores.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import astuple, dataclass, field
from functools import cached_property
from pathlib import Path

from jazz_solo.config import DataConfig
from jazz_solo.corpus import wjazzd
from jazz_solo.corpus.cache import cached
from jazz_solo.corpus.download import CLASSIC_DEST
from jazz_solo.corpus.embedded import embedded_scores
from jazz_solo.corpus.midi import midi_files, read_midi
from jazz_solo.corpus.vocabulary import vocabulary
from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import NO_CHORD
from jazz_solo.music.context import Context, value_contexts
from jazz_solo.music.score import Score, over_progression
from jazz_solo.music.tokenizers import get_tokenizer

CACHE_FORMAT = 2  # bump when what the cache holds changes
# The code that turns the files into values: its source is part of the cache key, so an edited reader or
# grammar never reads values an older one wrote.
PACKAGE = Path(__file__).resolve().parents[1]
ENCODERS = [
    *(f"music/{name}.py" for name in ("score", "chords", "symbols", "grammar", "spelling", "tokenizers")),
    *(f"corpus/{name}.py" for name in ("wjazzd", "wjazzd_csv", "wjazzd_db", "wjazzd_meta", "wjazzd_score")),
    "corpus/encoding.py",
]
FILTERS = ("performer", "title", "instrument", "style", "rhythmfeel", "metre")
SUBSTRING = ("performer", "title")  # matched anywhere in the field; the others: the whole field


@dataclass
class EncodedCorpus:
    vocab: list[str]  # index -> value, sorted
    sequences: list[list[int]]  # one per piece: value indices
    names: list[str]  # one per piece
    groups: list[str]  # one per piece: who played it (performers for WJazzD, else the piece's name)
    read: Callable[[], list[Score]] = field(repr=False)  # the pieces' scores, read again
    pitches: list[dict[int, int]] = field(default_factory=list)  # one per piece: pitch -> its notes
    replaced: Counter[str] = field(default_factory=Counter)  # value -> times the vocabulary policy replaced it
    infos: list[wjazzd.SoloInfo] = field(default_factory=list)  # WJazzD: one per piece
    contexts: list[list[int]] | None = None  # condition=chords: per piece, the id of the context each value ends in
    context_keys: list[Context] = field(default_factory=list)  # condition=chords: id -> its active features

    @cached_property
    def scores(self) -> list[Score]:
        return self.read()

    @property
    def coverage(self) -> float:
        """Share of the corpus's values kept as they are."""
        total = sum(map(len, self.sequences))
        return 1 - sum(self.replaced.values()) / total if total else 1.0


def load_scores(
    path: str | None,
    solo: int | str | None = None,
    start: float | None = None,
    end: float | None = None,
    chords_from: int | str | None = None,
    lengths: str = "onsets",
) -> list[Score]:
    """The training corpus: a .mid file, a folder of them, or (path None) the embedded corpus.

    In a folder, unreadable files are skipped with one warning as long as one good file remains.
    """
    if path is None:
        return embedded_scores()
    where = Path(path).expanduser()
    if where.is_dir():
        files = midi_files(where)
        if not files:
            raise JazzSoloError(f"{path}: folder has no .mid or .midi files")
        scores, bad = [], []
        for file in files:
            try:
                scores.append(read_midi(file, solo, start, end, chords_from, lengths))
            except JazzSoloError as err:
                bad.append(str(err))
        if not scores:
            raise JazzSoloError(f"{path}: no usable MIDI file ({'; '.join(bad)})")
        if bad:
            warnings.warn(f"skipped {len(bad)} unusable file(s): {'; '.join(bad)}", stacklevel=2)
        return scores
    if not where.exists():
        fetch = {CLASSIC_DEST.name: "make data", "wjazzd": "make wjazzd", "wjazzd.db": "make wjazzd"}
        hint = f" (fetch it with `{fetch[where.name]}`)" if where.name in fetch else ""
        raise JazzSoloError(f"{path}: no such file or folder{hint}")
    return [read_midi(where, solo, start, end, chords_from, lengths)]


def solo_passes(cfg: DataConfig, info: wjazzd.SoloInfo, metres: list[str], has_chords: bool) -> bool:
    """Whether a WJazzD solo passes the data config's filters (see the module docstring)."""
    if not (has_chords or cfg.chordless):
        return False
    if cfg.metre is not None and not set(metres) <= set(cfg.metre):
        return False
    for name in FILTERS[:-1]:
        wanted = getattr(cfg, name)
        have = getattr(info, name).lower()
        if wanted is not None and not any(
            w.lower() in have if name in SUBSTRING else w.lower() == have for w in wanted
        ):
            return False
    return True


def wjazzd_values(cfg: DataConfig) -> list[dict]:
    """Every solo of the database, cached: {"info": SoloInfo fields, "metres": ["4/4", ...], "chords": has a
    chord, "pitches": {pitch: notes}, "values": [value, ...]}."""
    infos = wjazzd.read_infos(cfg.path)
    tokenizer = get_tokenizer(cfg.tokenizer)

    def build() -> list:
        scores = wjazzd.read_solos(cfg.path, infos, cfg.lengths)
        if cfg.chords is not None:
            scores = [over_progression(score, cfg.chords) for score in scores]
        table: dict[str, int] = {}  # value -> its number: the entry holds each value's text once
        solos = []
        for info, score in zip(infos, scores):
            solos.append(
                {
                    "info": astuple(info),
                    "metres": sorted({f"{a}/{b}" for a, b in score.bar_metres}),
                    "chords": any(span.chord != NO_CHORD for span in score.progression.spans),
                    "pitches": dict(Counter(note.pitch for note in score.notes)),
                    "values": [table.setdefault(v, len(table)) for v in tokenizer.encode(score)],
                }
            )
        return [list(table), solos]

    settings = {"format": CACHE_FORMAT, "tokenizer": cfg.tokenizer, "lengths": cfg.lengths, "chords": cfg.chords}
    code = [PACKAGE / name for name in ENCODERS]
    if cfg.chords is not None and cfg.chords.strip().lower().endswith(".txt"):  # an edited file: other values
        code.append(Path(cfg.chords.strip()).expanduser())
    table, solos = cached("wjazzd", code + wjazzd.source_files(cfg.path, infos), settings, build)
    return [
        solo | {"info": wjazzd.SoloInfo(*solo["info"]), "values": [table[i] for i in solo["values"]]} for solo in solos
    ]


def encode_values(cfg: DataConfig, condition: str = "none") -> EncodedCorpus:
    """Read the corpus `cfg` names, select its pieces, encode each one and apply the vocabulary policy.

    With a condition (chords, chords_tempo), also the context each value ends in (music/context.py),
    walked with the values as kept (as the sampler's clock walks them)."""
    chosen = [name for name in FILTERS if getattr(cfg, name) is not None]
    if cfg.path is not None and wjazzd.is_wjazzd(cfg.path):
        solos = [s for s in wjazzd_values(cfg) if solo_passes(cfg, s["info"], s["metres"], s["chords"])]
        if not solos:
            settings = ", ".join(f"data.{name}={getattr(cfg, name)}" for name in chosen) or "data.chordless=false"
            raise JazzSoloError(f"{cfg.path}: no WJazzD solo passes the filters ({settings})")
        infos = [solo["info"] for solo in solos]
        encoded = [solo["values"] for solo in solos]
        pitches = [solo["pitches"] for solo in solos]

        def read() -> list[Score]:
            scores = wjazzd.read_solos(cfg.path, infos, cfg.lengths)
            return [over_progression(s, cfg.chords) for s in scores] if cfg.chords is not None else scores

        names, groups = [info.id for info in infos], [info.performer for info in infos]
    else:
        if chosen:
            raise JazzSoloError(f"data.{chosen[0]}: a WJazzD filter, but data.path is not a WJazzD folder or .db")
        scores = load_scores(cfg.path, cfg.solo, cfg.start, cfg.end, cfg.chords_from, cfg.lengths)
        if cfg.chords is not None:
            scores = [over_progression(score, cfg.chords) for score in scores]
        tokenizer = get_tokenizer(cfg.tokenizer)
        encoded = [tokenizer.encode(score) for score in scores]
        infos, names = [], [score.name for score in scores]
        groups = names
        pitches = [dict(Counter(note.pitch for note in score.notes)) for score in scores]

        def read() -> list[Score]:
            return scores

    vocab, mapping = vocabulary(encoded, cfg.min_count, cfg.tokenizer)
    index = {v: i for i, v in enumerate(vocab)}
    sequences = [[index[k] for v in values for k in mapping[v]] for values in encoded]
    replaced = Counter(v for values in encoded for v in values if mapping[v] != (v,))
    corpus = EncodedCorpus(vocab, sequences, names, groups, read, pitches, replaced, infos)
    if condition != "none":
        values = [[vocab[i] for i in seq] for seq in sequences]
        contexts = [value_contexts(v, score.progression) for v, score in zip(values, corpus.scores)]
        known: dict[Context, int] = {}
        corpus.contexts = [[known.setdefault(c, len(known)) for c in piece] for piece in contexts]
        corpus.context_keys = list(known)
    return corpus
