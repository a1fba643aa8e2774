"""Generation: checkpoint -> sampler -> values -> notes over chords -> MIDI files.

Imports neither Lightning nor wandb, so `generate.py` starts fast.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pretty_midi
import torch

from jazz_solo.config import GenerateConfig
from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import Progression
from jazz_solo.music.render import to_pretty_midi, write_midi
from jazz_solo.music.score import MIDI_SUFFIXES, Note, read_midi
from jazz_solo.music.tokenizers import get_tokenizer
from jazz_solo.net import Checkpoint, load_checkpoint
from jazz_solo.sampler import sample

log = logging.getLogger(__name__)


@dataclass
class Solo:
    values: list[str]
    notes: list[Note]
    log_prob: float
    seed: int


def backing_for(ckpt: Checkpoint, chords: str | None = None, tempo: float | None = None) -> Progression:
    """The progression to play over: the checkpoint's, or `chords` (text, or a MIDI file's chords).

    `tempo` overrides the tempo.
    """
    if chords is not None and chords.strip().lower().endswith(MIDI_SUFFIXES):
        progression = read_midi(chords.strip()).progression
    else:
        progression = Progression.from_dict(ckpt.backing)
        if chords is not None:
            progression = Progression.parse(chords, progression.tempo, progression.beats_per_bar)
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
) -> list[Solo]:
    """n solos of `length` values, realised as notes over `progression`, reproducible from `seed`."""
    generator = torch.Generator(device=device).manual_seed(seed)
    # Each solo starts from a value drawn from the training corpus's value frequencies.
    counts = torch.tensor(ckpt.value_counts, dtype=torch.float, device=device)
    primer = torch.multinomial(counts, n, replacement=True, generator=generator)[:, None]
    samples = sample(ckpt.net, primer, length, strategy, temperature, generator)
    tokenizer = get_tokenizer(ckpt.tokenizer)
    solos = []
    for i, row in enumerate(samples.tokens.tolist()):
        values = [ckpt.vocab[j] for j in row]
        notes = tokenizer.decode(values, progression, seed=seed + i)
        solos.append(Solo(values, notes, float(samples.log_prob[i]), seed + i))
    return solos


def solo_midi(solo: Solo, progression: Progression, name: str = "solo") -> pretty_midi.PrettyMIDI:
    return to_pretty_midi(solo.notes, progression, name=name)


def generate(cfg: GenerateConfig) -> list[Path]:
    """Write cfg.n solos as MIDI files in cfg.out; return their paths."""
    ckpt = load_checkpoint(cfg.ckpt, cfg.device)
    progression = backing_for(ckpt, cfg.chords, cfg.tempo)
    out = Path(cfg.out)
    paths = [out / f"solo_{i:03d}.mid" for i in range(cfg.n)]
    taken = [p for p in paths if p.exists()]
    if taken and not cfg.overwrite:
        raise JazzSoloError(f"{taken[0]}: exists (choose another out= or pass overwrite=true)")
    solos = sample_solos(ckpt, progression, cfg.n, cfg.length, cfg.strategy, cfg.temperature, cfg.seed, cfg.device)
    for i, (path, solo) in enumerate(zip(paths, solos)):
        write_midi(solo_midi(solo, progression, name=f"solo {i}"), path)
        log.info("solo %d: %d values, %d notes, log-prob %.2f", i, len(solo.values), len(solo.notes), solo.log_prob)
    return paths
