"""A solo, and the one writer of solo files: .mid, .png, .wav and .musicxml (pure Python).

generate.py, evaluate.py, the training run's sample solo and the API all write through `write_solo`, so
the same solo gives the same bytes wherever it is written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from jazz_solo.atomic import write_bytes
from jazz_solo.errors import JazzSoloError
from jazz_solo.music.chords import Progression
from jazz_solo.music.comping import to_pretty_midi
from jazz_solo.music.musicxml import write_musicxml
from jazz_solo.music.score import Note
from jazz_solo.music.smf import solo_file


@dataclass
class Solo:
    """An improvised solo over its progression.

    values: the model's values, the first (the primer) drawn from the corpus's value frequencies;
    notes: the values realised as notes over the progression (times in quarter notes);
    log_prob: the log-probability of the values after the first under the model;
    seed: its seed (the same settings with `seed=<it> n=1` make it again);
    end: when its values end, quarter notes (a solo may end in a rest);
    licence: the notices its model's corpus and its chords' source ask to travel with it (WJazzD's ODbL; "" for none).
    """

    values: list[str]
    notes: list[Note]
    log_prob: float
    seed: int
    end: float
    progression: Progression
    licence: str = ""

    def write(self, path: str | os.PathLike, title: str = "") -> Path:
        """Write the solo as `path`'s suffix says (write_solo): .mid (the solo over its comping, byte for byte
        what generate.py writes), .png (a piano roll), .wav (sound) or .musicxml (a lead sheet); return the path."""
        return write_solo(self, Path(path), title or f"seed {self.seed}, log-prob {self.log_prob:.1f}")

    render = write  # the name users typed before write

    def write_midi(self, path: str | os.PathLike) -> Path:
        """The solo over its comping as a MIDI file (`path` with the suffix .mid)."""
        return self.write(Path(path).with_suffix(".mid"))


# a kind of file (generate's render=) -> its suffix
SUFFIXES = {"mid": ".mid", "png": ".png", "wav": ".wav", "musicxml": ".musicxml"}


def write_solo(solo: Solo, path: Path, title: str = "") -> Path:
    """Write the solo as the file `path`'s suffix names: .mid (the solo over its comping), .png (a piano roll
    over its chords, music/pianoroll.py), .wav (the MIDI file's sound, music/audio.py) or .musicxml (a lead
    sheet: notes, chord symbols, bars, tempo, music/musicxml.py). The one writer of solo files: generate.py,
    evaluate.py, the training's sample solo and the API write the same solo as the same bytes."""
    kind = next((k for k, suffix in SUFFIXES.items() if path.suffix.lower() == suffix), None)
    progression, name = solo.progression, f"seed {solo.seed}"  # named by its seed alone: re-made alone, the same
    if kind == "mid":
        return write_bytes(path, solo_file(solo.notes, progression, name=name, end=solo.end, notice=solo.licence))
    if kind == "png":
        from jazz_solo.music.pianoroll import save_piano_roll  # matplotlib: imported only when asked for

        return save_piano_roll(solo.notes, progression, path, title, solo.end)
    if kind == "wav":
        from jazz_solo.music.audio import write_wav

        return write_wav(to_pretty_midi(solo.notes, progression, name=name, end=solo.end), path)
    if kind == "musicxml":
        return write_musicxml(solo.notes, progression, path, solo.end, title or name, solo.licence)
    raise JazzSoloError(
        f"{path}: cannot write a solo as {path.suffix or 'a file without a suffix'} (choose from "
        f"{', '.join(SUFFIXES.values())})"
    )
