"""The one train/validation split: which pieces validation holds out, and the sequences cut by it.

Training (training/data.py), evaluation and the corpus report all split here, so a checkpoint's
held-out pieces are the same wherever they are asked for.
"""

from __future__ import annotations

import random

from jazz_solo.config import DataConfig
from jazz_solo.corpus import wjazzd
from jazz_solo.corpus.embedded import default_backing
from jazz_solo.corpus.encoding import EncodedCorpus
from jazz_solo.music.chords import Progression


def held_out_pieces(n_pieces: int, val_fraction: float) -> set[int]:
    """Indices of the pieces validation holds out when there are several: evenly spaced."""
    n_val = max(1, round(n_pieces * val_fraction))
    step = n_pieces / n_val
    return {int(step * (i + 0.5)) for i in range(n_val)}


def held_out(corpus: EncodedCorpus, cfg: DataConfig) -> set[int]:
    """The pieces validation holds out (data.holdout): evenly spaced, or whole pieces or whole performers
    drawn from data.seed, about val_fraction of the pieces (performers: at least that, at least one)."""
    n = len(corpus.sequences)
    n_val = max(1, round(n * cfg.val_fraction))
    rng = random.Random(cfg.seed)
    if cfg.holdout == "spaced":
        return held_out_pieces(n, cfg.val_fraction)
    if cfg.holdout == "solos":
        return set(rng.sample(range(n), n_val))
    chosen: set[int] = set()
    for group in rng.sample(sorted(set(corpus.groups)), len(set(corpus.groups))):
        if len(chosen) >= n_val:
            break
        chosen |= {i for i, g in enumerate(corpus.groups) if g == group}
    return chosen


def split_sequences(
    sequences: list[list[int]], val_fraction: float, held: set[int] | None = None
) -> tuple[list[list[int]], list[list[int]]]:
    """(train, val): whole sequences held out (`held`, default evenly spaced), or the tail of a single one."""
    if len(sequences) == 1:
        seq = sequences[0]
        cut = len(seq) - max(1, round(len(seq) * val_fraction))
        return [seq[:cut]], [seq[cut:]]
    val_idx = held_out_pieces(len(sequences), val_fraction) if held is None else held
    train = [s for i, s in enumerate(sequences) if i not in val_idx]
    val = [s for i, s in enumerate(sequences) if i in val_idx]
    return train, val


def default_progression(corpus: EncodedCorpus, cfg: DataConfig, held: set[int] | None) -> Progression:
    """What solos play over unless told (a checkpoint's `backing`): one piece, its own chords; WJazzD, the
    tune of the first held-out solo with a lead sheet (titled, so logs and reports can name it); any other
    corpus, the embedded corpus's first ii-V-I."""
    if len(corpus.sequences) == 1:
        return corpus.scores[0].progression
    if corpus.infos and held:
        first = next((i for i in sorted(held) if corpus.infos[i].chord_changes.strip()), min(held))
        info, progression = wjazzd.tune_changes(cfg.path, corpus.infos[first].id)
        progression.title = f"{info.title} ({info.performer}, a held-out solo's tune)"
        return progression
    return default_backing(cfg.seed)


def held_out_tunes(corpus: EncodedCorpus, held: set[int]) -> list[wjazzd.SoloInfo]:
    """The held-out WJazzD solos whose tunes solos may play over: one per title (the first of the held-out
    solos of that title), in the held-out set's order (by piece); none for a corpus without metadata."""
    tunes: dict[str, wjazzd.SoloInfo] = {}
    for i in sorted(held) if corpus.infos else []:
        tunes.setdefault(corpus.infos[i].title.strip().lower(), corpus.infos[i])
    return list(tunes.values())
