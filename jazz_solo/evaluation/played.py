"""What evaluate's solos play over, and how metrics.json names it: one progression (chords=, or the
checkpoint's), or with tunes=k the tunes of k held-out WJazzD solos, solo i over tune i mod k.

A solo over a tune is the one `generate.py chords=wjazzd:<its id> seed=<its seed> n=1` makes with the same
settings, so any solo of the report can be made again alone.
"""

from __future__ import annotations

import logging

from jazz_solo.checkpoint import Checkpoint
from jazz_solo.config import EvaluateConfig
from jazz_solo.corpus.encoding import EncodedCorpus
from jazz_solo.corpus.split import held_out_tunes
from jazz_solo.corpus.wjazzd import SoloInfo
from jazz_solo.errors import JazzSoloError
from jazz_solo.evaluation.verdict import progression_line
from jazz_solo.generation import TUNE_PREFIX, progression_for, solos_for, spread_solos
from jazz_solo.music.solo import Solo

log = logging.getLogger(__name__)


def played_solos(
    ckpt: Checkpoint, cfg: EvaluateConfig, corpus: EncodedCorpus, held: set[int] | None
) -> tuple[list[Solo], dict]:
    """cfg.n solos as cfg asks, and metrics.json's keys for what they played over: `progression` (the chords
    bar by bar) and `progression_name`; with cfg.tunes, a list of each per tune, and `tunes` (per tune: id,
    title, performer, tempo, n_solos)."""
    if cfg.tunes is None:
        solos = solos_for(ckpt, cfg, cfg.n, cfg.device)
        progression = solos[0].progression
        return solos, {"progression": progression_line(progression), "progression_name": progression.describe()}
    infos = chosen_tunes(cfg, corpus, held)
    progressions = [progression_for(ckpt, TUNE_PREFIX + info.id, cfg.tempo) for info in infos]
    name = f"{len(infos)} held-out tunes: " + ", ".join(f"{info.title} ({info.performer})" for info in infos)
    log.info("playing over %s", name)
    solos = spread_solos(ckpt, progressions, cfg, cfg.n, cfg.device)
    tunes = [
        {"id": info.id, "title": info.title, "performer": info.performer, "tempo": progression.tempo}
        | {"n_solos": len(range(j, cfg.n, len(infos)))}  # solo i plays over tune i mod k
        for j, (info, progression) in enumerate(zip(infos, progressions))
    ]
    return solos, {"progression": list(map(progression_line, progressions)), "progression_name": name, "tunes": tunes}


def chosen_tunes(cfg: EvaluateConfig, corpus: EncodedCorpus, held: set[int] | None) -> list[SoloInfo]:
    """The first cfg.tunes distinct tunes of the held-out solos (all of them, with a warning, when fewer)."""
    infos = held_out_tunes(corpus, held or set())
    if not infos:
        raise JazzSoloError(
            f"tunes={cfg.tunes}: {cfg.ckpt} was not trained on WJazzD solos with some held out (tunes= plays "
            "held-out WJazzD solos' tunes; chords= takes any progression)"
        )
    if len(infos) < cfg.tunes:
        log.warning(
            "tunes=%d: the held-out solos have %d distinct tunes; playing over all of them", cfg.tunes, len(infos)
        )
    return infos[: cfg.tunes]
