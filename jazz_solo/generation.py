"""Generation: checkpoint -> sampler -> values -> notes over chords -> MIDI files.

Imports neither Lightning nor wandb, so `generate.py` starts fast.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pretty_midi
import torch

from jazz_solo.atomic import write_bytes
from jazz_solo.config import GenerateConfig
from jazz_solo.errors import JazzSoloError
from jazz_solo.music import wjazzd
from jazz_solo.music.chords import Progression
from jazz_solo.music.render import to_pretty_midi
from jazz_solo.music.score import MIDI_SUFFIXES, Note, read_midi
from jazz_solo.music.smf import solo_file
from jazz_solo.music.tokenizers import get_tokenizer
from jazz_solo.net import Checkpoint, load_checkpoint
from jazz_solo.runs import read_json, write_json
from jazz_solo.sampler import Condition, sample
from jazz_solo.sequences import durations, progression_features

log = logging.getLogger(__name__)
TUNE_PREFIX = "wjazzd:"  # chords=wjazzd:Anthropology: a WJazzD solo's tune
PROGRESS_FROM = 100  # solos: fewer are written before a bar would be worth showing


@dataclass
class Solo:
    values: list[str]
    notes: list[Note]
    log_prob: float
    seed: int


def backing_for(ckpt: Checkpoint, chords: str | None = None, tempo: float | None = None) -> Progression:
    """The progression to play over: the checkpoint's, or `chords` (text, a .txt file, a MIDI file's chords,
    or "wjazzd:<title or id>": that WJazzD solo's tune, from the checkpoint's WJazzD source or data/wjazzd).

    `tempo` overrides the tempo.
    """
    if chords is not None and chords.strip().lower().endswith(MIDI_SUFFIXES):
        progression = read_midi(chords.strip()).progression
    elif chords is not None and chords.strip().startswith(TUNE_PREFIX):
        path = ckpt.hparams.get("data", {}).get("path")
        source = path if path and wjazzd.is_wjazzd(path) else wjazzd.WJAZZD_PATH
        info, progression = wjazzd.tune_changes(source, chords.strip()[len(TUNE_PREFIX) :])
        log.info("playing over %s (%s)", info.title, info.id)
    else:
        progression = Progression.from_dict(ckpt.backing)
        if chords is not None:
            progression = Progression.read(chords, progression.tempo, progression.beats_per_bar, "chords=")
    if tempo is not None:
        progression.tempo = tempo
    return progression


def sample_solos(
    ckpt: Checkpoint,
    progression: Progression,
    n: int,
    length: int,
    strategy: str = "greedy",
    temperature: float = 1.0,
    seed: int = 0,
    device: str = "cpu",
    *,
    top_k: int = 10,
    top_p: float = 0.9,
    beam_width: int = 4,
    mask: torch.Tensor | None = None,
    realise: str = "centre",
    impl: str = "eager",  # not numba (`fast` at batch <= 8): its import and first call cost a CLI 0.7 s
) -> list[Solo]:
    """n solos of `length` values, realised as notes over `progression`.

    Solo i has its own seed, seed + i, for its starting value (drawn from the training corpus's value
    frequencies), its sampling noise and its decoding: it is the same solo whether drawn in a batch
    or alone with that seed (on the same device). With `beam`, each solo is its primer's best beam.
    """
    if strategy == "beam" and beam_width > len(ckpt.vocab):
        raise JazzSoloError(f"beam_width={beam_width} is more than the checkpoint's {len(ckpt.vocab)} values")
    seeds = [seed + i for i in range(n)]
    generators = [torch.Generator(device=device).manual_seed(s) for s in seeds]  # each: its primer, then its noise
    counts = torch.tensor(ckpt.value_counts, dtype=torch.float, device=device)
    primer = torch.cat([torch.multinomial(counts, 1, generator=g) for g in generators])
    condition = None
    if ckpt.condition == "chords":  # every solo over the progression, from its start
        features = progression_features(progression).to(device)
        condition = Condition.one_loop(features, n, durations(ckpt.vocab))
    samples = sample(
        ckpt.net,
        primer[:, None],
        length,
        strategy,
        temperature=temperature,
        top_k=top_k,
        top_p=top_p,
        beam_width=beam_width,
        generator=generators,
        mask=mask,
        condition=condition,
        impl=impl,
    )
    tokens, log_prob = samples.tokens, samples.log_prob
    if strategy == "beam":  # the best beam of each primer
        tokens, log_prob = tokens[:, 0], log_prob[:, 0]
    tokenizer = get_tokenizer(ckpt.tokenizer)
    solos = []
    for row, lp, s in zip(tokens.tolist(), log_prob.tolist(), seeds):
        values = [ckpt.vocab[j] for j in row]
        notes = tokenizer.decode(values, progression, seed=s, realise=realise, home=ckpt.hparams.get("home"))
        solos.append(Solo(values, notes, lp, s))
    return solos


def solo_midi(solo: Solo, progression: Progression, name: str | None = None) -> pretty_midi.PrettyMIDI:
    """The solo over its comping, named `name` (default: by its seed, as generate names its files)."""
    return to_pretty_midi(solo.notes, progression, name=name or f"seed {solo.seed}")


@contextmanager
def progress_bar(total: int, label: str):
    """Yield advance(): a bar on stderr for long jobs in a terminal (gone when done), nothing otherwise."""
    from tqdm import tqdm

    shown = total >= PROGRESS_FROM and sys.stderr.isatty()
    with tqdm(total=total, desc=label, unit="solo", file=sys.stderr, leave=False, disable=not shown) as bar:
        yield bar.update


def listed_solos(manifest: Path) -> set[str]:
    """The file names an earlier manifest.json lists (none when it is missing or unreadable)."""
    entries = (read_json(manifest) or {}).get("solos")
    try:
        return {e["file"] for e in entries if Path(e["file"]).name == e["file"]}  # names in the folder only
    except (KeyError, TypeError):
        return set()


def generate(cfg: GenerateConfig) -> list[Path]:
    """Write cfg.n solos as MIDI files in cfg.out, plus manifest.json; return the MIDI files' paths.

    manifest.json holds the settings and, for each solo, its file, seed, strategy and log-probability:
    `generate.py` with those settings, seed=<the solo's seed> and n=1 writes the same file again.
    """
    ckpt = load_checkpoint(cfg.ckpt, cfg.device)
    progression = backing_for(ckpt, cfg.chords, cfg.tempo)
    out = Path(cfg.out)
    digits = max(3, len(str(cfg.n - 1)))
    paths = [out / f"solo_{i:0{digits}d}.mid" for i in range(cfg.n)]
    manifest = out / "manifest.json"
    taken = [p for p in [*paths, manifest] if p.exists()]
    if taken and not cfg.overwrite:
        raise JazzSoloError(f"{taken[0]}: exists (choose another out= or pass overwrite=true)")
    stale = listed_solos(manifest) - {p.name for p in paths}  # an earlier run's solos this one does not write

    options = {"top_k": cfg.top_k, "top_p": cfg.top_p, "beam_width": cfg.beam_width, "realise": cfg.realise}
    with progress_bar(cfg.n, f"{cfg.n} solos") as advance:  # sampling and decoding, then one file at a time
        solos = sample_solos(
            ckpt, progression, cfg.n, cfg.length, cfg.strategy, cfg.temperature, cfg.seed, cfg.device, **options
        )
        for path, solo in zip(paths, solos):
            # named by its seed alone, so that re-creating a solo alone writes the same bytes
            write_bytes(path, solo_file(solo.notes, progression, name=f"seed {solo.seed}"))
            log.debug("%s: %d notes, log-prob %.2f", path.name, len(solo.notes), solo.log_prob)
            advance()
    settings = dataclasses.asdict(cfg)
    del settings["overwrite"]
    entries = [
        {"file": p.name, "seed": solo.seed, "strategy": cfg.strategy, "log_prob": solo.log_prob}
        for p, solo in zip(paths, solos)
    ]
    write_json(manifest, {"settings": settings, "solos": entries})
    for name in stale:  # so the folder holds what its manifest lists
        (out / name).unlink(missing_ok=True)
    log.info("wrote %d solos and %s", cfg.n, manifest)
    return paths
