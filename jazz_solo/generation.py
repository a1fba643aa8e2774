"""Generation: checkpoint -> sampler -> values -> notes over chords -> MIDI files.

Imports neither Lightning nor wandb, so `generate.py` starts fast.
"""

from __future__ import annotations

import logging
from pathlib import Path

import torch

from jazz_solo.config import GenerateConfig
from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import Progression
from jazz_solo.music.render import to_pretty_midi, write_midi
from jazz_solo.music.tokenizers import get_tokenizer
from jazz_solo.net import load_checkpoint
from jazz_solo.sampler import sample

log = logging.getLogger(__name__)


def generate(cfg: GenerateConfig) -> list[Path]:
    """Write cfg.n solos as MIDI files in cfg.out; return their paths."""
    ckpt = load_checkpoint(cfg.ckpt, cfg.device)
    progression = Progression.from_dict(ckpt.backing)
    if cfg.chords is not None:
        progression = Progression.parse(cfg.chords, progression.tempo, progression.beats_per_bar)
    if cfg.tempo is not None:
        progression.tempo = cfg.tempo
    out = Path(cfg.out)
    paths = [out / f"solo_{i:03d}.mid" for i in range(cfg.n)]
    taken = [p for p in paths if p.exists()]
    if taken and not cfg.overwrite:
        raise JazzSoloError(f"{taken[0]}: exists (choose another out= or pass overwrite=true)")

    generator = torch.Generator(device=cfg.device).manual_seed(cfg.seed)
    # Each solo starts from a value drawn from the training corpus's value frequencies.
    counts = torch.tensor(ckpt.value_counts, dtype=torch.float, device=cfg.device)
    primer = torch.multinomial(counts, cfg.n, replacement=True, generator=generator)[:, None]
    samples = sample(ckpt.net, primer, cfg.length, cfg.strategy, cfg.temperature, generator)

    tokenizer = get_tokenizer(ckpt.tokenizer)
    for i, (path, row) in enumerate(zip(paths, samples.tokens.tolist())):
        values = [ckpt.vocab[j] for j in row]
        notes = tokenizer.decode(values, progression, seed=cfg.seed + i)
        write_midi(to_pretty_midi(notes, progression, name=f"solo {i}"), path)
        log.info("solo %d: %d values, %d notes, log-prob %.2f", i, len(values), len(notes), samples.log_prob[i])
    return paths
