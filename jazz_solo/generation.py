"""Generation: checkpoint -> sampler -> values -> notes over chords -> MIDI files.

Imports neither Lightning nor wandb, so `generate.py` starts fast.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pretty_midi
import torch

from jazz_solo.atomic import write_bytes
from jazz_solo.checkpoint import Checkpoint, load_checkpoint, resolve_checkpoint
from jazz_solo.conditioning import progression_condition, step_features
from jazz_solo.config import RENDERS, GenerateConfig
from jazz_solo.corpus import wjazzd
from jazz_solo.corpus.midi import MIDI_SUFFIXES, read_midi
from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import Progression
from jazz_solo.music.comping import to_pretty_midi
from jazz_solo.music.musicxml import write_musicxml
from jazz_solo.music.score import Note, snap
from jazz_solo.music.smf import solo_file
from jazz_solo.music.tokenizers import get_tokenizer, value_length
from jazz_solo.runs import file_record, own_folder, read_json, write_json
from jazz_solo.sampling import Condition, sample

log = logging.getLogger(__name__)
TUNE_PREFIX = "wjazzd:"  # chords=wjazzd:Anthropology: a WJazzD solo's tune
PROGRESS_FROM = 100  # solos: fewer are written before a bar would be worth showing
MAX_TRIES = 6  # timed solos: sample this many times, twice as many values each time, before giving up


@dataclass
class Solo:
    values: list[str]
    notes: list[Note]
    log_prob: float  # of the values after the first (the primer), under the model
    seed: int
    end: float = 0.0  # quarter notes: when its values end (a solo may end in a rest)


def backing_for(ckpt: Checkpoint, chords: str | None = None, tempo: float | None = None) -> Progression:
    """The progression to play over: the checkpoint's, or `chords` (text, a .txt file, a MIDI file's chords,
    or "wjazzd:<title or id>": that WJazzD solo's tune, from the checkpoint's WJazzD source or data/wjazzd).

    `tempo` overrides the tempo.
    """
    if chords is not None and chords.strip().lower().endswith(MIDI_SUFFIXES):
        progression = read_midi(chords.strip()).progression
    elif chords is not None and chords.strip().startswith(TUNE_PREFIX):
        path = ckpt.spec.data.get("path")
        source = path if path and wjazzd.is_wjazzd(path) else wjazzd.WJAZZD_PATH
        info, progression = wjazzd.tune_changes(source, chords.strip()[len(TUNE_PREFIX) :])
        log.info("playing over %s (%s)", info.title, info.id)
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
    decode: bool = True,  # False: values only, no notes yet (sample_timed_solos decodes what it keeps)
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
    counts = torch.tensor(ckpt.spec.value_counts, dtype=torch.float, device=device)
    primer = torch.cat([torch.multinomial(counts, 1, generator=g) for g in generators])
    condition = condition_for(ckpt, progression, n, device)
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
    tokenizer, home = get_tokenizer(ckpt.spec.tokenizer), ckpt.spec.home
    solos = []
    for row, lp, s in zip(tokens.tolist(), log_prob.tolist(), seeds):
        values = [ckpt.vocab[j] for j in row]
        notes = tokenizer.decode(values, progression, seed=s, realise=realise, home=home) if decode else []
        solos.append(Solo(values, notes, lp, s, onsets(values)[-1]))
    return solos


def condition_for(ckpt: Checkpoint, progression: Progression, n: int, device: str) -> Condition | None:
    """What a chord-conditioned network hears: n rows over the progression's loop, each from its start."""
    if ckpt.spec.condition != "chords":
        return None
    return progression_condition(progression, ckpt.vocab, n, device)


def sample_timed_solos(ckpt: Checkpoint, progression: Progression, n: int, quarters: float, **options) -> list[Solo]:
    """n solos that last `quarters` quarter notes: sample_solos(**options) with enough values to get there
    (twice as many again while one falls short), then each cut there: the values that start before
    it are kept and realised (as sample_solos would: the notes are the same as far as they go), a note
    that crosses the end stops there, log_prob is that of the values kept.
    """
    counts = torch.tensor(ckpt.spec.value_counts, dtype=torch.float)
    lengths = torch.tensor([value_length(v) for v in ckpt.vocab])
    mean = float((counts * lengths).sum() / counts.sum())  # quarter notes a value takes, over the corpus
    length = int(quarters / mean * 1.25) + 8
    for _ in range(MAX_TRIES):
        solos = sample_solos(ckpt, progression, n, length, **options, decode=False)
        if all(solo.end >= quarters - 1e-6 for solo in solos):
            break
        length *= 2
    else:
        raise JazzSoloError(f"after {length // 2} values a solo is still shorter than {quarters:g} quarter notes")
    kept = [next(i for i, t in enumerate(onsets(solo.values)) if t >= quarters - 1e-6) for solo in solos]
    index = {value: j for j, value in enumerate(ckpt.vocab)}
    tokens = torch.tensor([[index[v] for v in solo.values] for solo in solos], device=ckpt.net.head.weight.device)
    condition = condition_for(ckpt, progression, n, tokens.device)
    kept_t = torch.tensor(kept, device=tokens.device)
    log_probs = prefix_log_probs(ckpt.net, tokens, kept_t, options.get("mask"), condition)
    tokenizer, realise, home = get_tokenizer(ckpt.spec.tokenizer), options.get("realise", "centre"), ckpt.spec.home
    cut = []
    for solo, k, lp in zip(solos, kept, log_probs.tolist()):
        notes = tokenizer.decode(solo.values[:k], progression, seed=solo.seed, realise=realise, home=home)
        notes = [replace(n, duration=min(n.duration, quarters - n.start)) for n in notes if n.start < quarters - 1e-6]
        cut.append(Solo(solo.values[:k], notes, lp, solo.seed, quarters))
    return cut


def onsets(values: list[str]) -> list[float]:
    """When each value starts, quarter notes, then when the last one ends."""
    times = [0.0]
    for value in values:
        times.append(snap(times[-1] + value_length(value)))
    return times


@torch.no_grad()
def prefix_log_probs(
    net, tokens: torch.Tensor, kept: torch.Tensor, mask: torch.Tensor | None = None, condition: Condition | None = None
) -> torch.Tensor:
    """(n,) log-probability under `net` of tokens[i, 1:kept[i]], each given the ones before it.

    tokens: (n, L) int64, the primer first; kept: (n,) int64 in [1, L]; mask and condition as in
    sampler.sample. Rows go through the network 1024 at a time.
    """
    features = None if condition is None else step_features(condition, tokens[:, :-1])  # (n, L - 1, n_features)
    totals = []
    for i, (rows, keep) in enumerate(zip(tokens.split(1024), kept.split(1024))):
        chunk = None if features is None else features[i * 1024 : (i + 1) * 1024]
        logits, _ = net(rows[:, :-1], features=chunk)  # (rows, L - 1, n_values)
        if mask is not None:
            logits = logits.masked_fill(mask.to(logits.device, torch.bool), float("-inf"))
        picked = logits.log_softmax(-1).gather(-1, rows[:, 1:, None])[..., 0]  # (rows, L - 1)
        steps = torch.arange(1, rows.shape[1], device=rows.device)
        totals.append(torch.where(steps < keep[:, None], picked, torch.zeros_like(picked)).sum(1))
    return torch.cat(totals)


def solo_midi(solo: Solo, progression: Progression, name: str | None = None) -> pretty_midi.PrettyMIDI:
    """The solo over its comping, named `name` (default: by its seed, as generate names its files)."""
    return to_pretty_midi(solo.notes, progression, name=name or f"seed {solo.seed}", end=solo.end)


# a kind of file (generate's render=) -> its suffix
SUFFIXES = {"mid": ".mid", "png": ".png", "wav": ".wav", "musicxml": ".musicxml"}


def write_solo(solo: Solo, progression: Progression, path: Path, title: str = "") -> Path:
    """Write the solo as the file `path`'s suffix names: .mid (the solo over its comping, as generate.py writes
    it), .png (a piano roll over its chords, plots.py), .wav (the MIDI file's sound, music/audio.py) or .musicxml
    (a lead sheet: notes, chord symbols, bars, tempo, music/musicxml.py)."""
    kind = next((k for k, suffix in SUFFIXES.items() if path.suffix.lower() == suffix), None)
    if kind == "mid":  # named by its seed alone, so that re-creating a solo alone writes the same bytes
        return write_bytes(path, solo_file(solo.notes, progression, name=f"seed {solo.seed}", end=solo.end))
    if kind == "png":
        from jazz_solo.music.pianoroll import save_piano_roll  # matplotlib: imported only when asked for

        return save_piano_roll(solo.notes, progression, path, title, solo.end)
    if kind == "wav":
        from jazz_solo.music.audio import write_wav

        return write_wav(solo_midi(solo, progression), path)
    if kind == "musicxml":
        return write_musicxml(solo.notes, progression, path, solo.end, title or f"seed {solo.seed}")
    raise JazzSoloError(
        f"{path}: cannot write a solo as {path.suffix or 'a file without a suffix'} (choose from "
        f"{', '.join(SUFFIXES.values())})"
    )


@contextmanager
def progress_bar(total: int, label: str):
    """Yield advance(): a bar on stderr for long jobs in a terminal (gone when done), nothing otherwise."""
    from tqdm import tqdm

    shown = total >= PROGRESS_FROM and sys.stderr.isatty()
    with tqdm(total=total, desc=label, unit="solo", file=sys.stderr, leave=False, disable=not shown) as bar:
        yield bar.update


def listed_solos(manifest: Path) -> set[str]:
    """The file names an earlier manifest.json lists, renders included (none when it is missing or unreadable)."""
    entries = (read_json(manifest) or {}).get("solos")
    try:
        names = {e[key] for e in entries for key in ("file", *RENDERS) if key in e}
    except TypeError:
        return set()
    return {name for name in names if isinstance(name, str) and Path(name).name == name}  # names in the folder only


def solo_time(cfg: GenerateConfig, progression: Progression) -> float | None:
    """How long each solo lasts, in quarter notes, when cfg asks in bars or choruses; None: cfg.length values."""
    if cfg.bars is not None:
        return float(cfg.bars * progression.beats_per_bar)
    if cfg.choruses is not None:
        return cfg.choruses * progression.length
    return None


def solos_for(ckpt: Checkpoint, progression: Progression, cfg: GenerateConfig) -> list[Solo]:
    """cfg.n solos over `progression`, with cfg's sampling settings, cfg.length values long or as long as
    cfg.bars or cfg.choruses ask."""
    options = {"top_k": cfg.top_k, "top_p": cfg.top_p, "beam_width": cfg.beam_width, "realise": cfg.realise}
    sampling = dict(strategy=cfg.strategy, temperature=cfg.temperature, seed=cfg.seed, device=cfg.device, **options)
    quarters = solo_time(cfg, progression)
    if quarters is None:
        return sample_solos(ckpt, progression, cfg.n, cfg.length, **sampling)
    return sample_timed_solos(ckpt, progression, cfg.n, quarters, **sampling)


def generate(cfg: GenerateConfig) -> list[Path]:
    """Write cfg.n solos as MIDI files in cfg.out (and, beside each, the cfg.render files), plus manifest.json;
    return the MIDI files' paths.

    manifest.json holds the settings, the checkpoint file and its sha256 and, for each solo, its file, seed,
    strategy and log-probability: `generate.py` with those settings, seed=<the solo's seed> and n=1 writes
    the same file again.
    """
    ckpt = load_checkpoint(cfg.ckpt, cfg.device)
    ckpt_file = resolve_checkpoint(cfg.ckpt)  # the file a run folder stands for, for the manifest
    progression = backing_for(ckpt, cfg.chords, cfg.tempo)
    out = Path(cfg.out)
    digits = max(3, len(str(cfg.n - 1)))
    paths = [out / f"solo_{i:0{digits}d}.mid" for i in range(cfg.n)]
    renders = [p.with_suffix(SUFFIXES[kind]) for p in paths for kind in cfg.render]
    manifest = out / "manifest.json"
    with own_folder(out):  # the check too: a second run at once is refused, not overwriting the first
        taken = [p for p in [*paths, *renders, manifest] if p.exists()]
        if taken and not cfg.overwrite:
            raise JazzSoloError(f"{taken[0]}: exists (choose another out= or pass overwrite=true)")
        stale = listed_solos(manifest) - {p.name for p in [*paths, *renders]}  # an earlier run's files not rewritten

        with progress_bar(cfg.n, f"{cfg.n} solos") as advance:  # sampling and decoding, then one file at a time
            solos = solos_for(ckpt, progression, cfg)
            for path, solo in zip(paths, solos):
                title = f"{path.name}: seed {solo.seed}, {cfg.strategy}, log-prob {solo.log_prob:.1f}"
                for file in [path, *(path.with_suffix(SUFFIXES[kind]) for kind in cfg.render)]:
                    write_solo(solo, progression, file, title)
                log.debug("%s: %d notes, log-prob %.2f", path.name, len(solo.notes), solo.log_prob)
                advance()
        settings = dataclasses.asdict(cfg)
        del settings["overwrite"]
        entries = [
            {"file": p.name, "seed": solo.seed, "strategy": cfg.strategy, "log_prob": solo.log_prob}
            | {kind: p.with_suffix(SUFFIXES[kind]).name for kind in cfg.render}
            for p, solo in zip(paths, solos)
        ]
        write_json(manifest, {"settings": settings, "checkpoint": file_record(ckpt_file), "solos": entries})
        for name in stale:  # so the folder holds what its manifest lists
            (out / name).unlink(missing_ok=True)
    log.info("wrote %d solos and %s", cfg.n, manifest)
    return paths
