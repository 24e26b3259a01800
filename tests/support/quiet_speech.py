"""A quiet lecture made to order: espeak-ng speech at 48 kHz brought to −38 LUFS, with pen
clicks at 0 dBFS between and inside the phrases (what smartpen recordings sound like),
and a .pencast whose ink was written while it was said."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pencastviewer.formats.pencast.writer import write_pencast
from pencastviewer.media.loudness import measure
from pencastviewer.model import AudioFile, AudioStore, Notebook, Page, Recording, Stroke

RATE = 48_000
PHRASES = (
    "Today we look at the water cycle.",
    "Water evaporates from the sea and rises as vapour.",
    "It cools in the clouds and falls again as rain.",
    "Rivers carry it back to the sea.",
)
GAP_S = 2.0  # silence between phrases: what skip-silence shortens


def _espeak(text: str, folder: Path, n: int) -> np.ndarray:
    wav = folder / f"phrase{n}.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(wav), text], check=True, capture_output=True)
    out = folder / f"phrase{n}-48k.wav"
    subprocess.run(["sox", str(wav), "-r", str(RATE), str(out)], check=True, capture_output=True)
    samples, rate = sf.read(out, dtype="float32")
    assert rate == RATE
    return samples


def quiet_lecture(
    folder: Path, lufs: float = -38.0, clicks: bool = True
) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """(mono samples, [(start_s, end_s) of each phrase]): speech at `lufs` over a faint
    noise floor, with 0 dBFS clicks."""
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (Debian packages espeak-ng, sox)")
    rng = np.random.default_rng(5)
    parts, spans, t = [np.zeros(round(GAP_S * RATE), np.float32)], [], GAP_S
    for n, text in enumerate(PHRASES):
        phrase = _espeak(text, folder, n)
        spans.append((t, t + len(phrase) / RATE))
        parts += [phrase, np.zeros(round(GAP_S * RATE), np.float32)]
        t += len(phrase) / RATE + GAP_S
    speech = np.concatenate(parts)
    speech *= np.float32(10 ** ((lufs - measure(speech, RATE).integrated_lufs) / 20))
    speech += rng.normal(0, 10 ** (-75 / 20), len(speech)).astype(np.float32)  # never digitally silent
    clean = speech.copy()
    for at in np.linspace(0.5, t - 0.5, 24):
        i = round(at * RATE)
        speech[i : i + 48] += (np.hanning(48) * rng.choice([-1.0, 1.0])).astype(np.float32)
    return np.clip(speech, -1.0, 1.0), clean, spans


def lecture_notebook(folder: Path, samples: np.ndarray, spans: list[tuple[float, float]]) -> Path:
    """A .pencast: the recording as a 16-bit WAV and one stroke written during each phrase."""
    wav = folder / "lecture.wav"
    sf.write(wav, samples, RATE, subtype="PCM_16")
    audio = AudioFile(
        AudioStore.FILE, str(wav), "pcm", RATE, 1, len(samples), 0.0, len(samples) * 1000 / RATE
    )
    strokes = []
    for n, (start_s, end_s) in enumerate(spans):
        xy = np.column_stack([np.linspace(20, 150, 30), np.full(30, 30.0 + 15 * n)])
        strokes.append(Stroke(xy, np.linspace(start_s * 1000, end_s * 1000, 30), width_mm=0.6, recording=0))
    notebook = Notebook(
        (Page(210, 297, strokes=tuple(strokes)),), (Recording("lecture", (audio,)),), title="quiet"
    )
    out = folder / "quiet-lecture.pencast"
    write_pencast(notebook, out)
    return out
