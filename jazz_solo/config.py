"""Typed configs: the schemas only. Hydra composes YAML from conf/; `cli.load` checks it against these dataclasses.

A wrong key or type fails in OmegaConf, a wrong value in `__post_init__`; both become
one line on stderr (see errors.one_line_errors) before any work starts. This module imports neither
Hydra nor OmegaConf, so the corpus code can take a DataConfig without them.
"""

from __future__ import annotations

import collections.abc
import typing
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from jazz_solo.errors import JazzSoloError
from jazz_solo.music.grammar import REALISE
from jazz_solo.sampling import STRATEGIES

MISSING = "???"  # OmegaConf's mark of a value that must be given
CELLS = ("lstm", "rnn", "gru")
WINDOWS = ("sliding", "exercise")
LENGTHS = ("onsets", "legato", "written")
HOLDOUTS = ("spaced", "solos", "performers")
RENDERS = ("png", "wav", "musicxml")  # what generate can write beside each solo's MIDI file
CONDITIONS = ("none", "chords", "chords_tempo")
SCHEDULES = ("constant", "cosine")


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise JazzSoloError(f"config: {message}")


@dataclass
class DataConfig:
    path: str | None = None  # a .mid file or a folder of them; None: the embedded corpus
    tokenizer: str = "grammar"  # grammar (the classic values) or pitch
    solo: str | None = None  # solo part: instrument index, name or "program:N"; None: guess
    chords_from: str | None = None  # accompaniment part the chords come from (as solo); None: all others
    lengths: str = "onsets"  # onsets: cut at the next onset; legato: held to it over a short silence; written: own
    chords: str | None = None  # progression (text or a .txt file) instead of the file's chords, e.g. "Dm7 G7 | Cmaj7"
    start: float | None = None  # section start, quarter notes
    end: float | None = None  # section end, quarter notes
    Tx: int = 30  # window length (time steps)
    windows: str = "sliding"  # sliding: every window; exercise: m random windows, first input zeroed
    m: int = 60  # windows=exercise: how many windows
    stride: int = 1  # windows=sliding: step between training windows
    val_stride: int = 1  # windows=sliding: step between validation windows (evaluate.py scores the same ones)
    val_fraction: float = 0.1
    batch_size: int = 64
    seed: int = 0  # the embedded corpus's seed; holdout=solos/performers: which ones are held out
    holdout: str = "spaced"  # validation: spaced (evenly spaced pieces), solos or performers (drawn from seed)
    min_count: int = 1  # vocabulary: a value seen fewer times maps to the nearest kept one (music/vocabulary.py)
    transpose: int = 0  # tokenizer=pitch: training solos also shifted by -k..+k semitones (6: all 12 keys)
    # WJazzD only (data=wjazzd): which solos, from their metadata; null: any. Case does not matter.
    performer: list[str] | None = None  # part of a name, e.g. [Coltrane, Charlie Parker]
    title: list[str] | None = None  # part of a title
    instrument: list[str] | None = None  # as the metadata writes it: ts, as, tp, tb, ss, cl, ...
    style: list[str] | None = None  # BEBOP, COOL, HARDBOP, POSTBOP, SWING, TRADITIONAL, FUSION, FREE
    rhythmfeel: list[str] | None = None  # SWING, LATIN, FUNK, TWOBEAT, MIX
    metre: list[str] | None = None  # every bar of the solo in one of these, e.g. [4/4]
    chordless: bool = False  # keep the solos with no chord at all

    def __post_init__(self) -> None:
        _check(self.Tx >= 2, f"data.Tx must be >= 2, got {self.Tx}")
        _check(self.windows in WINDOWS, f"data.windows must be one of {', '.join(WINDOWS)}, got {self.windows!r}")
        _check(self.lengths in LENGTHS, f"data.lengths must be one of {', '.join(LENGTHS)}, got {self.lengths!r}")
        _check(self.m >= 1, f"data.m must be >= 1, got {self.m}")
        _check(self.stride >= 1, f"data.stride must be >= 1, got {self.stride}")
        _check(self.val_stride >= 1, f"data.val_stride must be >= 1, got {self.val_stride}")
        _check(0 < self.val_fraction < 1, f"data.val_fraction must be in (0, 1), got {self.val_fraction}")
        _check(self.batch_size >= 1, f"data.batch_size must be >= 1, got {self.batch_size}")
        _check(self.holdout in HOLDOUTS, f"data.holdout must be one of {', '.join(HOLDOUTS)}, got {self.holdout!r}")
        _check(self.min_count >= 1, f"data.min_count must be >= 1, got {self.min_count}")
        _check(0 <= self.transpose <= 6, f"data.transpose must be 0..6 semitones, got {self.transpose}")
        _check(
            self.transpose == 0 or self.tokenizer == "pitch",
            "data.transpose needs data.tokenizer=pitch (the grammar's values are roles against the chord: a key "
            "change leaves them as they are)",
        )
        for metre in self.metre or []:
            top, _, bottom = str(metre).partition("/")
            _check(top.isdigit() and bottom.isdigit(), f"data.metre: {metre!r} is not a metre like 4/4")


@dataclass
class ModelConfig:
    cell: str = "lstm"
    n_a: int = 64  # hidden units
    dropout: float = 0.0  # on the hidden state, before the softmax head
    weight_drop: float = 0.0  # share of the recurrent weights dropped in each training forward (DropConnect)
    value_drop: float = 0.0  # share of the values left unheard in each training forward (embedding dropout)
    lr: float = 0.01
    betas: list[float] = field(default_factory=lambda: [0.9, 0.999])
    weight_decay: float = 0.0
    condition: str = "none"  # none: the values alone (the exercise); chords: also the chord and bar position;
    # chords_tempo: and the tempo
    schedule: str = "constant"  # constant: lr throughout; cosine: lr falls to 0 along the run's steps
    shared: bool = False  # each value's input and output weights add those of its pitch (role) and its length
    tied: bool = False  # a value's input weights are its head row through a learnt (4 n_a, n_a) map (weight tying)

    def __post_init__(self) -> None:
        _check(self.cell in CELLS, f"model.cell must be one of {', '.join(CELLS)}, got {self.cell!r}")
        _check(
            self.condition in CONDITIONS,
            f"model.condition must be one of {', '.join(CONDITIONS)}, got {self.condition!r}",
        )
        _check(self.n_a > 0, f"model.n_a must be > 0, got {self.n_a}")
        _check(0 <= self.dropout < 1, f"model.dropout must be in [0, 1), got {self.dropout}")
        _check(0 <= self.weight_drop < 1, f"model.weight_drop must be in [0, 1), got {self.weight_drop}")
        _check(0 <= self.value_drop < 1, f"model.value_drop must be in [0, 1), got {self.value_drop}")
        _check(self.lr > 0, f"model.lr must be > 0, got {self.lr}")
        _check(
            self.schedule in SCHEDULES, f"model.schedule must be one of {', '.join(SCHEDULES)}, got {self.schedule!r}"
        )


@dataclass
class TrainConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    trainer: dict[str, Any] = field(default_factory=dict)  # keyword arguments of lightning's Trainer
    logger: dict[str, Any] = field(default_factory=dict)  # name -> {_target_: ..., ...}
    callbacks: dict[str, Any] = field(default_factory=dict)  # name -> {_target_: ..., ...}
    seed: int = 0
    name: str = ""  # names the run's folder (Hydra uses it; see conf/train.yaml)
    ckpt_path: str | None = None  # resume from this checkpoint; "last": the newest last*.ckpt of the run
    output_dir: str = "."  # the run's folder (Hydra sets it)
    overwrite: bool = False  # a new run in the folder of an earlier one of the same name: clear that one first

    def __post_init__(self) -> None:
        check_trainer_args(self.trainer)


def _fits(value: Any, hint: Any) -> bool:
    """Whether a config value (YAML's types: None, bool, int, float, str, list, dict) fits a type hint."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return True
    if origin is Union:
        return any(_fits(value, arg) for arg in args)
    if origin is Literal:
        return any(value == arg and type(value) is type(arg) for arg in args)
    if origin in (list, tuple, collections.abc.Iterable, collections.abc.Sequence):
        return isinstance(value, (list, tuple)) and all(_fits(item, args[0]) for item in value) if args else True
    if origin is dict:
        return isinstance(value, dict) and all(_fits(item, args[1]) for item in value.values())
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint if isinstance(hint, type) else object)


def _describe(hint: Any) -> str:
    """A type hint in words: Optional[int] -> 'int or None'."""

    def alternatives(hint: Any) -> list[str]:
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin is Union:
            return [word for arg in args for word in alternatives(arg)]
        if origin is Literal:
            return [repr(arg) for arg in args]
        if origin in (list, tuple, collections.abc.Iterable, collections.abc.Sequence) and args:
            return [f"a list of {_describe(args[0])}"]
        if origin is not None:
            return [origin.__name__]
        return ["None" if hint is type(None) else getattr(hint, "__name__", str(hint))]

    words = alternatives(hint)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def check_trainer_args(trainer: dict[str, Any]) -> None:
    """Every trainer.* value is an argument of Lightning's Trainer, of a type its signature allows."""
    import pytorch_lightning as pl

    hints = typing.get_type_hints(pl.Trainer.__init__)
    for key, value in trainer.items():
        _check(key in hints and key != "return", f"trainer.{key} is not an argument of Lightning's Trainer")
        _check(_fits(value, hints[key]), f"trainer.{key} must be {_describe(hints[key])}, got {value!r}")


@dataclass
class SamplingConfig:
    """How solos are drawn from a checkpoint: over what, how long, with which strategy and seeds.

    generate.py, evaluate.py and the API take it whole: GenerateConfig and EvaluateConfig extend it, so
    its keys stay top-level on their command lines (`generate.py strategy=sample bars=8`).
    """

    chords: str | None = None  # progression (text, a .txt or .mid file, wjazzd:<tune>); None: the checkpoint's
    tempo: float | None = None  # None: the progression's
    length: int = 64  # values per solo (unless bars or choruses is given)
    bars: int | None = None  # each solo lasts this many bars (cut at the bar line)
    choruses: int | None = None  # each solo lasts this many times through the progression
    strategy: str = "greedy"
    temperature: float = 1.0  # sample, top_k, top_p
    top_k: int = 10  # top_k: sample among the k most likely values
    top_p: float = 0.9  # top_p: sample among the fewest values holding this much probability
    beam_width: int = 4  # beam: continuations kept per step (each solo is its best one)
    seed: int = 0  # solo i uses seed + i
    realise: str = "line"  # grammar values: line (fitted over the whole solo), centre or random (the exercise's)
    # onsets stay on the 1/4 + 1/3 beat grid: a value that would end off it is never chosen (probabilities
    # renormalised over the rest); false: the network's own choices (solos made before the grid, again)
    grid: bool = True

    def __post_init__(self) -> None:
        _check(self.length >= 1, f"length must be >= 1, got {self.length}")
        _check(self.bars is None or self.bars >= 1, f"bars must be >= 1, got {self.bars}")
        _check(self.choruses is None or self.choruses >= 1, f"choruses must be >= 1, got {self.choruses}")
        _check(self.bars is None or self.choruses is None, "give bars or choruses, not both")
        _check(self.strategy in STRATEGIES, f"strategy must be one of {', '.join(STRATEGIES)}, got {self.strategy!r}")
        greedy = "the likeliest line: strategy=greedy"
        _check(self.temperature > 0, f"temperature must be > 0, got {self.temperature} ({greedy})")
        _check(self.top_k >= 1, f"top_k must be >= 1, got {self.top_k}")
        _check(0 < self.top_p <= 1, f"top_p must be in (0, 1], got {self.top_p}")
        _check(self.beam_width >= 1, f"beam_width must be >= 1, got {self.beam_width}")
        _check(self.realise in REALISE, f"realise must be one of {', '.join(REALISE)}, got {self.realise!r}")
        _check(self.tempo is None or self.tempo > 0, f"tempo must be > 0, got {self.tempo}")


@dataclass
class GenerateConfig(SamplingConfig):
    ckpt: str = MISSING
    n: int = 1  # number of solos
    out: str = "solos"  # folder for the MIDI files
    overwrite: bool = False
    device: str = "cpu"
    render: list[str] = field(default_factory=list)  # also write these beside each MIDI file: png, wav, musicxml

    def __post_init__(self) -> None:
        _check(self.n >= 1, f"n must be >= 1, got {self.n}")
        unknown = [r for r in self.render if r not in RENDERS]
        _check(not unknown, f"render: {', '.join(map(repr, unknown))} unknown (choose from {', '.join(RENDERS)})")
        super().__post_init__()


@dataclass
class EvaluateConfig(SamplingConfig):
    ckpt: str = MISSING
    n: int = 200  # generated solos
    strategy: str = "sample"  # the model's own distribution; any generate strategy
    # a WJazzD model: the solos play over the tunes of this many held-out solos (distinct titles), n / tunes
    # each; None: all over one progression (chords=, or the checkpoint's)
    tunes: int | None = None
    segment_bars: int | None = None  # corpus pieces are cut into this many bars; None: the solos' median length
    out: str | None = None  # report folder; None: `evaluation/` in the checkpoint's run folder
    overwrite: bool = False
    audio: bool = True  # WAV renders of the most and least likely solos
    device: str = "cpu"

    def __post_init__(self) -> None:
        _check(self.n >= 2, f"n must be >= 2 (distances inside the generated set need two solos), got {self.n}")
        _check(self.length >= 2, f"length must be >= 2, got {self.length}")
        _check(self.tunes is None or self.tunes >= 1, f"tunes must be >= 1, got {self.tunes}")
        _check(self.tunes is None or self.tunes <= self.n, f"tunes must be <= n (a solo per tune), got {self.tunes}")
        _check(self.tunes is None or self.chords is None, "give chords or tunes, not both")
        super().__post_init__()
        _check(
            self.segment_bars is None or self.segment_bars >= 1, f"segment_bars must be >= 1, got {self.segment_bars}"
        )
