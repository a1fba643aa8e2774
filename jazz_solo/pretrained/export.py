"""A maintainer's export of a trained model into the pretrained folder: NAME.pt and, if none yet, NAME.md.

The model card is written by hand; the skeleton written here lists what the checkpoint and its run say
(settings, vocabulary, validation loss, provenance, licence), for the maintainer to complete.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from jazz_solo.atomic import write_text
from jazz_solo.checkpoint import (
    Spec,
    export_pretrained,
    load_checkpoint,
    read_checkpoint_file,
    read_spec,
    resolve_checkpoint,
)
from jazz_solo.corpus.wjazzd import WJAZZD_PATH, trained_on_wjazzd
from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import Progression
from jazz_solo.pretrained import CARD_SUFFIX, PRETRAINED_PREFIX, SUFFIX, folder
from jazz_solo.runs import RESULTS, file_record, read_json

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # a file stem that needs no quoting on a command line


def run_results(ckpt_or_run: str | os.PathLike) -> dict:
    """The run's results.json (best_val_loss, ...) for a run folder or a checkpoint in <run>/checkpoints/;
    {} where there is none."""
    path = Path(ckpt_or_run)
    run = path if path.is_dir() else path.parent.parent if path.parent.name == "checkpoints" else path.parent
    return read_json(run / RESULTS) or {}


def settings_lines(settings: dict) -> list[str]:
    """One Markdown bullet per setting that is set."""
    return [f"- `{key}`: {value}" for key, value in settings.items() if value is not None]


def card_skeleton(name: str, spec: Spec, results: dict, source: dict) -> str:
    """The model card's skeleton: what the spec and the run say; the prose is the maintainer's."""
    loss = results.get("best_val_loss")
    scores = (
        f"best validation loss {loss:.4f} (perplexity {results.get('val_perplexity'):.2f}, "
        f"epoch {results.get('best_epoch')})"
        if loss is not None
        else "no results.json with a validation loss beside the checkpoint"
    )
    return "\n".join(
        [
            f"# {PRETRAINED_PREFIX}{name}",
            "",
            "TODO: what it is for, what its solos sound like, its evaluation (evaluate.py's verdict).",
            "",
            "## Use",
            "",
            f"    python generate.py ckpt={PRETRAINED_PREFIX}{name}",
            f"    python evaluate.py ckpt={PRETRAINED_PREFIX}{name}   # needs its training corpus",
            f'    jazz_solo.load("{PRETRAINED_PREFIX}{name}")',
            "",
            "## Training",
            "",
            f"- corpus: {spec.data.get('path') or 'the embedded corpus'}",
            f"- vocabulary: {len(spec.vocab)} values (tokenizer `{spec.tokenizer}`, condition `{spec.condition}`)",
            f"- {scores}",
            f"- plays over, unless told otherwise: {Progression.from_dict(spec.backing).describe()}",
            "",
            "Data settings:",
            "",
            *settings_lines(spec.data),
            "",
            "Model settings:",
            "",
            *settings_lines(spec.model),
            "",
            "## Provenance",
            "",
            *settings_lines(spec.provenance or {"written": "not recorded (a checkpoint older than provenance)"}),
            f"- exported from: `{Path(source['file']).name}` (sha256 {source['sha256']})",
            "",
            "## Licence",
            "",
            spec.licence or "Its corpus asks for no notice; the package's licence (Apache-2.0) applies.",
            "",
        ]
    )


def export(ckpt_or_run: str | os.PathLike, name: str) -> tuple[Path, Path | None]:
    """Write pretrained model `name` from a checkpoint or run folder: (NAME.pt, NAME.md if written here:
    a card already there is the maintainer's and is kept)."""
    if not NAME.fullmatch(name):
        raise JazzSoloError(f"{name!r}: a pretrained model's name is letters, digits, '.', '-' and '_'")
    source = resolve_checkpoint(ckpt_or_run)
    spec = read_spec(read_checkpoint_file(source), source)  # export_pretrained loads and checks it whole
    # a WJazzD model records where `make wjazzd` puts the database, not where its trainer kept it
    portable = WJAZZD_PATH if trained_on_wjazzd(spec.data, spec.licence) else None
    dest = export_pretrained(source, folder() / f"{name}{SUFFIX}", portable)
    card = dest.with_suffix(CARD_SUFFIX)
    if card.exists():
        return dest, None
    spec = load_checkpoint(dest).spec  # the card describes what was written
    return dest, write_text(card, card_skeleton(name, spec, run_results(ckpt_or_run), file_record(source)))
