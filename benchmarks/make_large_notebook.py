"""The large notebook of the issue "The player": a real .pencast with 100 pages, 50 000
handwriting-like strokes and a 3-hour 48 kHz mono Ogg Opus recording of speech-like
sound, the strokes written all through the recording. Made once per set of parameters
into a cache folder (default: <temp>/pencastviewer-bench) and reused by the benchmarks.

    python3 benchmarks/make_large_notebook.py [--pages 100] [--strokes 50000] [--hours 3]

Opus rather than FLAC: a 3-hour FLAC of this sound is 820 MB, an Opus at 32 kbit/s 43 MB,
which is what a recorded lecture looks like. Encoded with libopus through PyAV in blocks
(complexity 3: 3 times faster than libsndfile's encoder, whose 1.2.2 also crashes on long
Vorbis written in one call).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import handwriting_page

from pencastviewer.formats.pencast.writer import write_pencast
from pencastviewer.model import AudioFile, AudioStore, Notebook, Page, Recording

BLOCK_S = 10  # seconds of sound made and encoded at a time
OPUS_FRAME = 960  # 20 ms at 48 kHz
WRITING_SHARE = 0.9  # a page's writing fills this part of its time slot; the rest is listening


@dataclasses.dataclass(frozen=True)
class LargeNotebookSpec:
    pages: int = 100
    strokes: int = 50_000
    hours: float = 3.0
    sample_rate: int = 48000
    bit_rate: int = 32000
    seed: int = 0

    @property
    def n_frames(self) -> int:
        return round(self.hours * 3600 * self.sample_rate)

    def key(self) -> str:
        text = repr(dataclasses.astuple(self)) + " v1"
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def default_folder() -> Path:
    return Path(tempfile.gettempdir()) / "pencastviewer-bench"


def speech_like(start_frame: int, n_frames: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    """Noise under a syllable-rate envelope (4 Hz) with a pause every few seconds, plus a
    voiced hum: as hard to encode as speech, and no two moments alike (seeks can be located)."""
    t = (start_frame + np.arange(n_frames)) / rate
    talking = np.sin(2 * np.pi * t / 7.3) > -0.3
    envelope = 0.02 + 0.6 * np.abs(np.sin(2 * np.pi * 4 * t)) * talking
    voiced = 0.15 * np.sin(2 * np.pi * (120 + 20 * np.sin(2 * np.pi * 0.3 * t)) * t) * talking
    noise = rng.standard_normal(n_frames) * 0.3
    return ((noise + voiced) * envelope).astype(np.float32)


def write_speech_opus(path: Path, spec: LargeNotebookSpec) -> None:
    """The recording, made and encoded BLOCK_S seconds at a time (memory stays flat)."""
    rng = np.random.default_rng(spec.seed)
    block = BLOCK_S * spec.sample_rate
    with av.open(str(path), "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=spec.sample_rate, layout="mono")
        stream.bit_rate = spec.bit_rate
        stream.codec_context.options = {"compression_level": "3", "application": "voip"}
        for start in range(0, spec.n_frames, block):
            samples = speech_like(start, min(block, spec.n_frames - start), spec.sample_rate, rng)
            frame = av.AudioFrame.from_ndarray(samples[np.newaxis, :], format="flt", layout="mono")
            frame.sample_rate, frame.pts = spec.sample_rate, start
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def retimed(page: Page, start_ms: float, span_ms: float) -> Page:
    """The page's strokes moved and scaled in time to [start_ms, start_ms + span_ms]."""
    first = page.strokes[0].start_ms
    scale = span_ms / max(page.strokes[-1].end_ms - first, 1.0)
    strokes = [s.with_changes(t_ms=start_ms + (s.t_ms - first) * scale) for s in page.strokes]
    return dataclasses.replace(page, strokes=tuple(strokes))


def make_notebook(spec: LargeNotebookSpec, audio_path: Path | None) -> Notebook:
    """Pages of strokes/pages strokes each, page i written during the i-th slice of the
    recording; audio_path None: the same ink with no recording (a control for memory)."""
    duration_ms = spec.n_frames * 1000 / spec.sample_rate
    slot_ms = duration_ms / spec.pages
    pages = []
    for i in range(spec.pages):
        n = spec.strokes // spec.pages + (1 if i < spec.strokes % spec.pages else 0)
        page = handwriting_page(n, seed=spec.seed * 1000 + i, recording=None if audio_path is None else 0)
        pages.append(retimed(page, i * slot_ms + 0.02 * slot_ms, WRITING_SHARE * slot_ms))
    title = f"{spec.hours:g}-hour lecture, {spec.pages} pages"
    if audio_path is None:
        return Notebook(tuple(pages), (), title=title)
    audio = AudioFile(
        AudioStore.FILE, str(audio_path), "opus", spec.sample_rate, 1, spec.n_frames, 0.0, duration_ms
    )
    recording = Recording("lecture", (audio,))
    return Notebook(tuple(pages), (recording,), title=title)


def large_notebook(
    spec: LargeNotebookSpec | None = None,
    folder: Path | None = None,
    verbose: bool = True,
    ink_only: bool = False,
) -> Path:
    """The .pencast for `spec`, made now unless an earlier run left it in `folder`.
    ink_only: the same pages without the recording."""
    spec = spec or LargeNotebookSpec()
    folder = folder or default_folder()
    path = folder / f"large-{spec.key()}{'-ink' if ink_only else ''}.pencast"
    if path.is_file():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    if ink_only:
        write_pencast(make_notebook(spec, None), path)
        return path
    start = time.perf_counter()
    fd, audio_name = tempfile.mkstemp(dir=folder, prefix=".audio-", suffix=".opus")
    os.close(fd)
    audio_path = Path(audio_name)
    try:
        write_speech_opus(audio_path, spec)
        encoded_s = time.perf_counter() - start
        write_pencast(make_notebook(spec, audio_path), path)  # atomic: all or nothing
    finally:
        audio_path.unlink(missing_ok=True)
    if verbose:
        print(
            f"made {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - start:.0f} s "
            f"(audio {encoded_s:.0f} s)",
            file=sys.stderr,
        )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    defaults = LargeNotebookSpec()
    parser.add_argument("--pages", type=int, default=defaults.pages)
    parser.add_argument("--strokes", type=int, default=defaults.strokes)
    parser.add_argument("--hours", type=float, default=defaults.hours)
    parser.add_argument("--folder", type=Path, default=None)
    args = parser.parse_args()
    spec = LargeNotebookSpec(pages=args.pages, strokes=args.strokes, hours=args.hours)
    print(large_notebook(spec, args.folder))


if __name__ == "__main__":
    main()
