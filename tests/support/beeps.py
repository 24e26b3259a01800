"""A notebook made to order for timing checks: one page, a line of ink per stroke written
at given times, and a recording that is silent but for beeps at given moments."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from pencastviewer.app.document import OpenedNotebook
from pencastviewer.model import AudioFile, AudioStore, Notebook, Page, Recording, Stroke, Timeline

RATE = 48000
PAGE_MM = (100.0, 140.0)


def notebook_with_beeps(
    folder: Path, strokes_s: list[tuple[float, float]], beeps_s: list[float], seconds: float = 4.0
) -> OpenedNotebook:
    """One page, a line per stroke (written over the given seconds of ink time), and a
    recording that is silent but for a 1 kHz beep starting at each of `beeps_s`."""
    sound = np.random.default_rng(1).normal(0, 1e-4, round(seconds * RATE)).astype(np.float32)
    for at_s in beeps_s:
        i = round(at_s * RATE)
        sound[i : i + RATE // 5] += 0.5 * np.sin(2 * np.pi * 1000 * np.arange(RATE // 5) / RATE)
    wav = folder / "beeps.wav"
    sf.write(wav, sound, RATE, subtype="FLOAT")
    audio = AudioFile(AudioStore.FILE, str(wav), "pcm", RATE, 1, len(sound), 0.0, seconds * 1000)
    strokes = []
    for line, (start_s, end_s) in enumerate(strokes_s):
        xy = np.column_stack([np.linspace(10, 90, 40), np.full(40, 20.0 + 20 * line)])
        strokes.append(Stroke(xy, np.linspace(start_s * 1000, end_s * 1000, 40), width_mm=1.5, recording=0))
    notebook = Notebook((Page(*PAGE_MM, tuple(strokes)),), (Recording("beeps", (audio,)),), title="Beeps")
    return OpenedNotebook(wav, "test", notebook, Timeline(notebook))
