"""Speech made to order: espeak-ng phrases laid on a recording at known start times, and
notebooks whose ink was written while each phrase was said."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pencastviewer.formats.pencast.writer import write_pencast
from pencastviewer.model import AudioFile, AudioStore, Notebook, Page, Recording, Stroke

RATE = 22_050  # espeak-ng's own rate
GAP_S = 1.2
# (phrase, content words said in it that the tests look for)
PHRASES = [
    ("Good morning, today we talk about volcanoes.", ("volcanoes",)),
    ("The teacher wrote the equation on the blackboard.", ("equation", "blackboard")),
    ("The hospital is near the station.", ("hospital", "station")),
    ("The museum opens on Wednesday.", ("museum", "wednesday")),
    ("An elephant walked across the river.", ("elephant", "river")),
    ("Please remember the homework for Friday.", ("homework", "friday")),
]


@dataclass(frozen=True)
class Said:
    text: str
    words: tuple[str, ...]
    start_s: float  # on the recording's clock (as played)
    end_s: float


def _phrase(text: str, folder: Path, n: int) -> np.ndarray:
    path = folder / f"phrase{n}.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(path), text], check=True, capture_output=True)
    samples, rate = sf.read(path, dtype="float32")
    assert rate == RATE
    return samples


def speech(folder: Path) -> tuple[np.ndarray, list[Said]]:
    """The phrases one after another with GAP_S of silence (and GAP_S before the first)."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    parts, said, t = [np.zeros(round(GAP_S * RATE), np.float32)], [], GAP_S
    for n, (text, words) in enumerate(PHRASES):
        samples = _phrase(text, folder, n)
        said.append(Said(text, words, t, t + len(samples) / RATE))
        parts += [samples, np.zeros(round(GAP_S * RATE), np.float32)]
        t += len(samples) / RATE + GAP_S
    return np.concatenate(parts), said


def _stroke(n: int, t0_ms: float, duration_ms: float) -> Stroke:
    xy = np.column_stack([np.linspace(20, 80, 20), np.full(20, 20.0 + 12 * n)])
    return Stroke(xy, np.linspace(t0_ms, t0_ms + duration_ms, 20), width_mm=0.6, recording=0)


def notebook_file(
    folder: Path,
    samples: np.ndarray,
    said: list[Said],
    *,
    split_at_s: float | None = None,
    clock0_ms: float = 0.0,
) -> Path:
    """A .pencast: one stroke per phrase, begun when the phrase begins (two pages: phrases
    0-2 on page 0, 3-5 on page 1). split_at_s: the recording is two files with a 40 s pause
    between them there (Livescribe); clock0_ms: notebook time of the first sample."""
    cuts = [0, len(samples)] if split_at_s is None else [0, round(split_at_s * RATE), len(samples)]
    files, clock_ms, played_ms = [], clock0_ms, 0.0
    for i, (a, b) in enumerate(itertools.pairwise(cuts)):
        path = folder / f"part{i}.wav"
        sf.write(path, samples[a:b], RATE, subtype="PCM_16")
        duration_ms = (b - a) * 1000 / RATE
        files.append(AudioFile(AudioStore.FILE, str(path), "pcm", RATE, 1, b - a, clock_ms, duration_ms))
        clock_ms, played_ms = clock_ms + duration_ms + 40_000.0, played_ms + duration_ms

    def notebook_ms(played_s: float) -> float:  # the recording's clock -> the notebook's
        ms, pause = played_s * 1000, 40_000.0 if split_at_s is not None and played_s >= split_at_s else 0.0
        return clock0_ms + ms + pause

    strokes = [_stroke(n, notebook_ms(s.start_s), (s.end_s - s.start_s) * 1000) for n, s in enumerate(said)]
    pages = (Page(210, 297, strokes=tuple(strokes[:3])), Page(210, 297, strokes=tuple(strokes[3:])))
    notebook = Notebook(pages, (Recording("talk", tuple(files)),), title="spoken")
    out = folder / f"spoken-{'split' if split_at_s else 'one'}-{clock0_ms:g}.pencast"
    write_pencast(notebook, out)
    return out
