"""Video export speed: a synthetic 10-minute lecture (dense notes over several ruled pages,
a 16 kHz recording) and the bundled demo, exported to .mp4 at 720p / 30 fps.
Target: at least 2× real time (a 10-minute clip in under 5 minutes). The lecture's web
page (.html) export is timed too, for comparison.

Run: python3 benchmarks/bench_export_video.py [--minutes 10] [--pages 4] [--size 1280x720]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import av  # noqa: E402
from synthetic import handwriting_page  # noqa: E402

from pencastviewer.app.document import OpenedNotebook, open_notebook  # noqa: E402
from pencastviewer.app.export.core import ClipSpec  # noqa: E402
from pencastviewer.app.export.registry import export_clip  # noqa: E402
from pencastviewer.model import (  # noqa: E402
    AudioFile,
    AudioStore,
    Background,
    Notebook,
    Recording,
    Ruling,
    Timeline,
)

SAMPLE_RATE = 16000


def lecture(folder: Path, minutes: float, n_pages: int) -> OpenedNotebook:
    """`minutes` of speech-like noise and handwriting that fills `n_pages` pages one after
    the other while it plays."""
    duration_s = minutes * 60
    rng = np.random.default_rng(7)
    n = int(duration_s * SAMPLE_RATE)
    envelope = 0.5 + 0.5 * np.sin(np.arange(n) * 2 * np.pi * 3 / SAMPLE_RATE)  # syllable-rate bursts
    wav = folder / "lecture.wav"
    sf.write(wav, (0.2 * rng.standard_normal(n) * envelope).astype(np.float32), SAMPLE_RATE)
    audio = AudioFile(AudioStore.FILE, str(wav), "pcm", SAMPLE_RATE, 1, n, 0.0, duration_s * 1000)
    ruling = Ruling(style="lined", spacing_mm=7.0, margin_mm=24.0)
    pages, t0_ms, per_page_ms = [], 0.0, duration_s * 1000 / n_pages
    for p in range(n_pages):
        page = handwriting_page(400, seed=p, t0_ms=t0_ms)
        # squeeze the page's writing into its share of the recording
        span = page.strokes[-1].end_ms - t0_ms
        scale = per_page_ms * 0.98 / span
        strokes = tuple(s.with_changes(t_ms=t0_ms + (s.t_ms - t0_ms) * scale) for s in page.strokes)
        pages.append(dataclasses.replace(page, strokes=strokes, background=Background(ruling=ruling)))
        t0_ms += per_page_ms
    notebook = Notebook(tuple(pages), (Recording("lecture", (audio,)),))
    return OpenedNotebook(wav, "synthetic", notebook, Timeline(notebook))


def run(name: str, document: OpenedNotebook, spec: ClipSpec, out: Path) -> None:
    start = time.perf_counter()
    export_clip(document, spec, out)
    elapsed = time.perf_counter() - start
    with av.open(str(out)) as container:
        n_frames = container.streams.video[0].frames
        duration_s = container.duration / 1e6
    print(
        f"{name}: {spec.duration_s:.1f} s clip at {spec.size[0]}×{spec.size[1]} in {elapsed:.1f} s "
        f"= {spec.duration_s / elapsed:.1f}× real time, {elapsed / n_frames * 1e3:.2f} ms/frame, "
        f"{out.stat().st_size / 1e6:.1f} MB, {n_frames} frames, duration {duration_s:.3f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--pages", type=int, default=4)
    parser.add_argument("--size", default="1280x720")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    print(f"{os.cpu_count()} CPUs, PyAV {av.__version__}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        document = lecture(folder, args.minutes, args.pages)
        length = document.notebook.recordings[0].duration_s
        run("synthetic lecture", document, ClipSpec(0, 0.0, length, size=size), folder / "lecture.mp4")
        start = time.perf_counter()
        export_clip(document, ClipSpec(0, 0.0, length), folder / "lecture.html")
        print(
            f"synthetic lecture as a web page: {time.perf_counter() - start:.1f} s, "
            f"{(folder / 'lecture.html').stat().st_size / 1e6:.1f} MB"
        )
        demo = open_notebook(ROOT / "pencastviewer" / "resources" / "demo.pencast")
        length = demo.notebook.recordings[0].duration_s
        run("bundled demo", demo, ClipSpec(0, 0.0, length, size=size), folder / "demo.mp4")


if __name__ == "__main__":
    main()
