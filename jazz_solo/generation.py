"""Generation: checkpoint + SamplingConfig -> sampler -> values -> notes over chords -> Solo -> files.

Imports neither Lightning nor wandb, so `generate.py` starts fast.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import torch

from jazz_solo.checkpoint import Checkpoint, load_checkpoint, resolve_checkpoint
from jazz_solo.conditioning import CONDITION_FEATURES, onset_grid, progression_condition
from jazz_solo.config import RENDERS, GenerateConfig, SamplingConfig
from jazz_solo.corpus import wjazzd
from jazz_solo.corpus.download import NOTICE
from jazz_solo.corpus.midi import MIDI_SUFFIXES, read_midi
from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import Progression
from jazz_solo.music.score import snap
from jazz_solo.music.solo import SUFFIXES, Solo, write_solo
from jazz_solo.music.tokenizers import get_tokenizer, value_length
from jazz_solo.runs import file_record, listed_files, own_folder, write_json
from jazz_solo.sampling import Condition, Grid, sample
from jazz_solo.scoring import prefix_log_probs

log = logging.getLogger(__name__)
TUNE_PREFIX = "wjazzd:"  # chords=wjazzd:Anthropology: a WJazzD solo's tune
PROGRESS_FROM = 100  # solos: fewer are written before a bar would be worth showing
MAX_TRIES = 6  # timed solos: sample this many times, twice as many values each time, before giving up


def progression_for(ckpt: Checkpoint, chords: str | None = None, tempo: float | None = None) -> Progression:
    """What a solo plays over: the checkpoint's progression (its spec's `backing`), or `chords` (text, a .txt
    file, a MIDI file's chords, or "wjazzd:<title or id>": that WJazzD solo's tune, from the checkpoint's WJazzD
    source where it is here, else data/wjazzd, else the lead sheets shipped with the package: wjazzd.tunes_path).

    `tempo` overrides the tempo.
    """
    if chords is not None and chords.strip().lower().endswith(MIDI_SUFFIXES):
        progression = read_midi(chords.strip()).progression
    elif chords is not None and chords.strip().startswith(TUNE_PREFIX):
        source = wjazzd.tunes_path(ckpt.spec.data, ckpt.spec.licence)
        info, progression = wjazzd.tune_changes(source, chords.strip()[len(TUNE_PREFIX) :])
        progression.title = f"{info.title} ({info.performer})"
        progression.licence = NOTICE  # WJazzD's lead sheet: its ODbL notice goes with every solo over it
    else:
        progression = Progression.from_dict(ckpt.spec.backing)
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
    sampling: SamplingConfig,
    device: str = "cpu",
    *,
    mask: torch.Tensor | None = None,
    impl: str = "eager",  # not numba (`fast` at batch <= 8): its import and first call cost a CLI 0.7 s
    decode: bool = True,  # False: values only, no notes yet (sample_timed_solos decodes what it keeps)
    seeds: list[int] | None = None,  # the n solos' seeds; None: sampling.seed + i for solo i
) -> list[Solo]:
    """n solos of `length` values (not sampling.length: sample_timed_solos asks for more), drawn with
    `sampling`'s strategy and realised as notes over `progression`.

    Solo i has its own seed, sampling.seed + i (or seeds[i]), for its starting value (drawn from the training corpus's
    value frequencies), its sampling noise and its decoding: it is the same solo whether drawn in a batch
    or alone with that seed (on the same device). With `beam`, each solo is its primer's best beam.
    With sampling.grid, the starting value is drawn among those that end on the grid, and so are the rest
    (the sampler's grid): log_prob is then under the model renormalised over the values allowed at each step.
    """
    if sampling.strategy == "beam" and sampling.beam_width > len(ckpt.vocab):
        raise JazzSoloError(f"beam_width={sampling.beam_width} is more than the checkpoint's {len(ckpt.vocab)} values")
    seeds = [sampling.seed + i for i in range(n)] if seeds is None else seeds
    generators = [torch.Generator(device=device).manual_seed(s) for s in seeds]  # each: its primer, then its noise
    counts = torch.tensor(ckpt.spec.value_counts, dtype=torch.float, device=device)
    grid = grid_for(ckpt, sampling)
    if grid is not None and bool((counts * grid.allowed[0].to(device)).sum() > 0):  # the first onset is at 0
        counts = counts * grid.allowed[0].to(device)
    primer = torch.cat([torch.multinomial(counts, 1, generator=g) for g in generators])
    samples = sample(
        ckpt.net,
        primer[:, None],
        length,
        sampling.strategy,
        temperature=sampling.temperature,
        top_k=sampling.top_k,
        top_p=sampling.top_p,
        beam_width=sampling.beam_width,
        generator=generators,
        mask=mask,
        condition=condition_for(ckpt, progression, n, device),
        grid=grid,
        impl=impl,
    )
    tokens, log_prob = samples.tokens, samples.log_prob
    if sampling.strategy == "beam":  # the best beam of each primer
        tokens, log_prob = tokens[:, 0], log_prob[:, 0]
    tokenizer, home = get_tokenizer(ckpt.spec.tokenizer), ckpt.spec.home
    licence = "\n".join(dict.fromkeys(text for text in (ckpt.spec.licence, progression.licence) if text))
    solos = []
    for row, lp, s in zip(tokens.tolist(), log_prob.tolist(), seeds):
        values = [ckpt.vocab[j] for j in row]
        notes = tokenizer.decode(values, progression, seed=s, realise=sampling.realise, home=home) if decode else []
        solos.append(Solo(values, notes, lp, s, onsets(values)[-1], progression, licence))
    return solos


def condition_for(ckpt: Checkpoint, progression: Progression, n: int, device: str) -> Condition | None:
    """What a chord-conditioned network hears: n rows over the progression's loop, each from its start."""
    if ckpt.spec.condition == "none":
        return None
    return progression_condition(progression, ckpt.vocab, n, device, CONDITION_FEATURES[ckpt.spec.condition])


def grid_for(ckpt: Checkpoint, sampling: SamplingConfig) -> Grid | None:
    """The values that keep onsets on the grid where each may start, when `sampling` asks for the grid."""
    return onset_grid(ckpt.vocab) if sampling.grid else None


def sample_timed_solos(
    ckpt: Checkpoint,
    progression: Progression,
    n: int,
    quarters: float,
    sampling: SamplingConfig,
    device: str = "cpu",
    mask: torch.Tensor | None = None,
    seeds: list[int] | None = None,
) -> list[Solo]:
    """n solos that last `quarters` quarter notes: sample_solos with enough values to get there (twice as
    many again while one falls short), then each cut there: the values that start before it are kept and
    realised as sample_solos would realise them (the onsets are the same as far as they go; with
    realise=line the pitches are chosen for the kept values alone), a note that crosses the end stops
    there, log_prob is that of the values kept.
    """
    counts = torch.tensor(ckpt.spec.value_counts, dtype=torch.float)
    lengths = torch.tensor([value_length(v) for v in ckpt.vocab])
    mean = float((counts * lengths).sum() / counts.sum())  # quarter notes a value takes, over the corpus
    length = int(quarters / mean * 1.25) + 8
    for _ in range(MAX_TRIES):
        solos = sample_solos(ckpt, progression, n, length, sampling, device, mask=mask, decode=False, seeds=seeds)
        if all(solo.end >= quarters - 1e-6 for solo in solos):
            break
        length *= 2
    else:
        raise JazzSoloError(f"after {length // 2} values a solo is still shorter than {quarters:g} quarter notes")
    kept = [next(i for i, t in enumerate(onsets(solo.values)) if t >= quarters - 1e-6) for solo in solos]
    index = {value: j for j, value in enumerate(ckpt.vocab)}
    tokens = torch.tensor([[index[v] for v in solo.values] for solo in solos], device=ckpt.net.head.weight.device)
    condition = condition_for(ckpt, progression, n, tokens.device)
    kept_rows = torch.tensor(kept, device=tokens.device)
    log_probs = prefix_log_probs(ckpt.net, tokens, kept_rows, mask, condition, grid_for(ckpt, sampling))
    tokenizer, home = get_tokenizer(ckpt.spec.tokenizer), ckpt.spec.home
    cut = []
    for solo, k, lp in zip(solos, kept, log_probs.tolist()):
        notes = tokenizer.decode(solo.values[:k], progression, seed=solo.seed, realise=sampling.realise, home=home)
        notes = [replace(n, duration=min(n.duration, quarters - n.start)) for n in notes if n.start < quarters - 1e-6]
        cut.append(Solo(solo.values[:k], notes, lp, solo.seed, quarters, progression, solo.licence))
    return cut


def onsets(values: list[str]) -> list[float]:
    """When each value starts, quarter notes, then when the last one ends."""
    times = [0.0]
    for value in values:
        times.append(snap(times[-1] + value_length(value)))
    return times


@contextmanager
def progress_bar(total: int, label: str):
    """Yield advance(): a bar on stderr for long jobs in a terminal (gone when done), nothing otherwise."""
    from tqdm import tqdm

    shown = total >= PROGRESS_FROM and sys.stderr.isatty()
    with tqdm(total=total, desc=label, unit="solo", file=sys.stderr, leave=False, disable=not shown) as bar:
        yield bar.update


def solo_time(sampling: SamplingConfig, progression: Progression) -> float | None:
    """How long each solo lasts, in quarter notes, when `sampling` asks in bars or choruses; None: its length
    in values."""
    if sampling.bars is not None:
        return float(sampling.bars * progression.beats_per_bar)
    if sampling.choruses is not None:
        return sampling.choruses * progression.length
    return None


def solos_for(ckpt: Checkpoint, sampling: SamplingConfig, n: int, device: str = "cpu") -> list[Solo]:
    """n solos as `sampling` asks: over its chords (or the checkpoint's progression) at its tempo,
    sampling.length values long or as long as sampling.bars or sampling.choruses ask."""
    progression = progression_for(ckpt, sampling.chords, sampling.tempo)
    log.info("playing over %s", progression.describe())
    return solos_over(ckpt, progression, sampling, [sampling.seed + i for i in range(n)], device)


def solos_over(
    ckpt: Checkpoint, progression: Progression, sampling: SamplingConfig, seeds: list[int], device: str = "cpu"
) -> list[Solo]:
    """A solo per seed over `progression`, sampling.length values long or as long as sampling.bars or
    sampling.choruses ask."""
    quarters = solo_time(sampling, progression)
    if quarters is None:
        return sample_solos(ckpt, progression, len(seeds), sampling.length, sampling, device, seeds=seeds)
    return sample_timed_solos(ckpt, progression, len(seeds), quarters, sampling, device, seeds=seeds)


def spread_solos(
    ckpt: Checkpoint, progressions: list[Progression], sampling: SamplingConfig, n: int, device: str = "cpu"
) -> list[Solo]:
    """n solos spread over the progressions as evenly as possible: solo i over progressions[i % k], with
    seed sampling.seed + i, so it is the very solo solos_for makes over that progression with that seed.
    Each progression's solos are drawn in one batch."""
    solos: dict[int, Solo] = {}
    for j, progression in enumerate(progressions):
        numbers = list(range(j, n, len(progressions)))
        if numbers:  # more progressions than solos: the last ones get none
            drawn = solos_over(ckpt, progression, sampling, [sampling.seed + i for i in numbers], device)
            solos |= dict(zip(numbers, drawn))
    return [solos[i] for i in range(n)]


def generate(cfg: GenerateConfig) -> list[Path]:
    """Write cfg.n solos as MIDI files in cfg.out (beside each, the cfg.render files) and manifest.json (the
    settings, the checkpoint file and its sha256, the licence if any, each solo's file, seed, strategy and
    log-probability: the same settings with seed=<its seed> n=1 write it again); return the MIDI files' paths."""
    ckpt = load_checkpoint(cfg.ckpt, cfg.device)
    ckpt_file = resolve_checkpoint(cfg.ckpt)  # the file a run folder stands for, for the manifest
    out = Path(cfg.out)
    digits = max(3, len(str(cfg.n - 1)))
    paths = [out / f"solo_{i:0{digits}d}.mid" for i in range(cfg.n)]
    renders = [p.with_suffix(SUFFIXES[kind]) for p in paths for kind in cfg.render]
    manifest = out / "manifest.json"
    with own_folder(out):  # the check too: a second run at once is refused, not overwriting the first
        taken = [p for p in [*paths, *renders, manifest] if p.exists()]
        if taken and not cfg.overwrite:
            raise JazzSoloError(f"{taken[0]}: exists (choose another out= or pass overwrite=true)")
        # an earlier run's files not rewritten
        stale = listed_files(manifest, "solos", ("file", *RENDERS)) - {p.name for p in [*paths, *renders]}

        with progress_bar(cfg.n, f"{cfg.n} solos") as advance:  # sampling and decoding, then one file at a time
            solos = solos_for(ckpt, cfg, cfg.n, cfg.device)
            for path, solo in zip(paths, solos):
                title = f"{path.name}: seed {solo.seed}, {cfg.strategy}, log-prob {solo.log_prob:.1f}"
                for file in [path, *(path.with_suffix(SUFFIXES[kind]) for kind in cfg.render)]:
                    write_solo(solo, file, title)
                log.debug("%s: %d notes, log-prob %.2f", path.name, len(solo.notes), solo.log_prob)
                advance()
        settings = dataclasses.asdict(cfg)
        del settings["overwrite"]
        entries = [
            {"file": p.name, "seed": solo.seed, "strategy": cfg.strategy, "log_prob": solo.log_prob}
            | {kind: p.with_suffix(SUFFIXES[kind]).name for kind in cfg.render}
            for p, solo in zip(paths, solos)
        ]
        licence = {"licence": solos[0].licence} if solos and solos[0].licence else {}  # WJazzD's ODbL notice too
        write_json(manifest, {"settings": settings, "checkpoint": file_record(ckpt_file), "solos": entries} | licence)
        for name in stale:  # so the folder holds what its manifest lists
            (out / name).unlink(missing_ok=True)
    log.info("wrote %d solo%s and %s", cfg.n, "" if cfg.n == 1 else "s", manifest)
    return paths
