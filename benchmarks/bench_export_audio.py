"""Benchmark: a 10-minute audio clip from a 3-hour FLAC, and a page as a 300 dpi PNG.

Run from the project root: python3 benchmarks/bench_export_audio.py [runs]
Builds a 3-hour 44.1 kHz mono 16-bit FLAC (speech-like noise bursts, ~1 GB of PCM) in a
temporary folder, then times export_clip — the code path of the CLI and the dialog — for
a 10-minute clip from 1:30:00 to each lossless format (targets: < 2 s), and the demo's
page 1 and a dense synthetic page as 300 dpi PNG (target: < 1 s).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from synthetic import handwriting_page  # noqa: E402

from pencastviewer.app.document import OpenedNotebook, open_notebook  # noqa: E402
from pencastviewer.app.export.core import ClipSpec  # noqa: E402
from pencastviewer.app.export.registry import export_clip  # noqa: E402
from pencastviewer.model import AudioFile, AudioStore, Notebook, Recording, Timeline  # noqa: E402

RATE = 44100
HOURS = 3
CLIP = (5400.0, 6000.0)  # 1:30:00 to 1:40:00


def write_long_flac(path: Path) -> int:
    """Speech-like: noise whose loudness changes every 0.25 s, written a minute at a time."""
    rng = np.random.default_rng(0)
    n_frames = HOURS * 3600 * RATE
    with sf.SoundFile(path, "w", RATE, 1, subtype="PCM_16") as f:
        for _ in range(0, n_frames, 60 * RATE):
            envelope = np.repeat(rng.uniform(0.0, 0.3, 240), RATE // 4)
            f.write((rng.standard_normal(60 * RATE) * envelope).astype(np.float32))
    return n_frames


def long_notebook(path: Path, n_frames: int) -> OpenedNotebook:
    audio = AudioFile(AudioStore.FILE, str(path), "flac", RATE, 1, n_frames, 0.0, n_frames * 1000 / RATE)
    page = handwriting_page(3000, t0_ms=CLIP[0] * 1000)
    notebook = Notebook((page,), (Recording("lecture", (audio,)),), title="Lecture")
    return OpenedNotebook(path, "bench", notebook, Timeline(notebook))


def timed(action, runs: int) -> tuple[float, float, float]:
    """Median and best wall-clock seconds, and the median CPU seconds (all threads): on a
    busy machine the CPU time says what the export itself costs."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), min(walls), statistics.median(cpus)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        source = folder / "lecture.flac"
        start = time.perf_counter()
        n_frames = write_long_flac(source)
        os.sync()  # else the exports' fsync waits for the freshly written 800 MB to reach the disk
        print(
            f"built a {HOURS}-hour FLAC ({source.stat().st_size / 1e6:.0f} MB) in "
            f"{time.perf_counter() - start:.1f} s"
        )
        document = long_notebook(source, n_frames)
        spec = ClipSpec(0, *CLIP)
        for ext in (".flac", ".wav", ".ogg", ".m4a"):
            out = folder / f"clip{ext}"
            median, best, cpu = timed(lambda out=out: export_clip(document, spec, out), runs)
            target = "  (target < 2 s)" if ext in (".flac", ".wav") else ""
            print(
                f"10-minute clip -> {ext:6} median {median:.3f} s, best {best:.3f} s, CPU {cpu:.3f} s, "
                f"{out.stat().st_size / 1e6:.1f} MB{target}"
            )
        _bench_png(document, folder, runs)


def _bench_png(long_document: OpenedNotebook, folder: Path, runs: int) -> None:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(["bench"])  # noqa: F841 - painting needs it
    demo = open_notebook(ROOT / "pencastviewer" / "resources" / "demo.pencast")
    cases = (("demo page 1 (171 strokes)", demo), ("synthetic page (3000 strokes)", long_document))
    for label, document in cases:
        out = folder / "page.png"
        spec = ClipSpec(None, 0.0, 0.0, page=0, dpi=300)
        median, best, cpu = timed(lambda d=document, o=out, s=spec: export_clip(d, s, o), max(runs, 5))
        print(
            f"{label} -> 300 dpi PNG median {median:.3f} s, best {best:.3f} s, CPU {cpu:.3f} s (target < 1 s)"
        )


if __name__ == "__main__":
    main()
