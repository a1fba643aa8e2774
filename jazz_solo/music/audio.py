"""MIDI -> sound you can listen to: a WAV file, written atomically.

FluidSynth with a General MIDI soundfont when pyfluidsynth is installed (optional: Debian's
fluidsynth + `pip install pyfluidsynth`; Debian's fluid-soundfont-gm is used when present, else
pretty_midi's bundled soundfont), else pretty_midi's own sine-wave synthesiser.
"""

from __future__ import annotations

import os
import wave
from pathlib import Path

import numpy as np
import pretty_midi

from jazz_solo.atomic import atomic_file

SAMPLE_RATE = 22_050
GM_SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")  # Debian's fluid-soundfont-gm


def synthesize(pm: pretty_midi.PrettyMIDI, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Mono float audio in [-1, 1]: FluidSynth if available, else sine waves."""
    try:
        audio = pm.fluidsynth(fs=sample_rate, synthesizer=str(GM_SOUNDFONT) if GM_SOUNDFONT.exists() else None)
    except (ImportError, ValueError, OSError):
        audio = pm.synthesize(fs=sample_rate)
    peak = float(np.abs(audio).max()) if audio.size else 0.0
    return audio / peak if peak > 0 else audio


def write_wav(pm: pretty_midi.PrettyMIDI, path: str | os.PathLike, sample_rate: int = SAMPLE_RATE) -> Path:
    """Render `pm` to a 16-bit mono WAV at `path` (temporary file, then rename)."""
    samples = (synthesize(pm, sample_rate) * 32767 * 0.9).astype("<i2")
    with atomic_file(path) as file, wave.open(file, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(samples.tobytes())
    return Path(path)
