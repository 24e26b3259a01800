"""The waveform on a 3-hour 48 kHz recording: pyramid build speed against the decoder alone,
memory while building, the cache key, a cached second open, and repaint time at every zoom.

Targets (issue "player"): build >= 0.9x the decoder's throughput, shown from cache < 0.2 s,
repaint p95 < 8 ms, resident memory growth while building < 150 MB.

Run: QT_QPA_PLATFORM=offscreen python3 benchmarks/bench_waveform.py [--hours 3] [--work DIR]
(the FLAC is generated once into DIR, default /tmp/pencastviewer-bench, and reused)
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pencastviewer.media import cache, peaks
from pencastviewer.media.decode import open_audio

RATE = 48000
ZOOMS_S = (3 * 3600, 3600, 600, 60, 10, 1)


def speech_like_flac(path: Path, hours: float) -> Path:
    """Noise under a syllable-rate envelope (4 Hz) with pauses every few seconds."""
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    n_frames, chunk = int(hours * 3600 * RATE), 10 * RATE
    tmp = path.with_suffix(".part.flac")
    with sf.SoundFile(tmp, "w", RATE, 1, subtype="PCM_16") as out:
        for start in range(0, n_frames, chunk):
            t = (start + np.arange(min(chunk, n_frames - start))) / RATE
            talking = np.sin(2 * np.pi * t / 7.3) > -0.3
            envelope = (0.02 + 0.6 * np.abs(np.sin(2 * np.pi * 4 * t)) * talking).astype(np.float32)
            out.write(rng.standard_normal(len(t)).astype(np.float32) * envelope * 0.4)
    tmp.rename(path)
    return path


class RssSampler:
    """Peak resident set size (from /proc/self/statm) sampled every 5 ms in a thread."""

    def __init__(self) -> None:
        self.peak = self.start = self.rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.rss())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def decode_only(path: Path, block_frames: int) -> tuple[float, float]:
    """(wall, CPU) seconds to decode the whole file and do nothing with it."""
    wall, cpu = time.perf_counter(), time.process_time()
    with open_audio(path) as decoder:
        for _ in decoder.blocks(block_frames):
            pass
    return time.perf_counter() - wall, time.process_time() - cpu


def timed_build(path: Path) -> tuple[float, float, int, peaks.PeakPyramid]:
    """(wall, CPU of both threads) seconds and peak RSS growth (bytes) of one build."""
    with RssSampler() as rss:
        wall, cpu = time.perf_counter(), time.process_time()
        pyramid = peaks.build_pyramid([(path, None)])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, rss.peak - rss.start, pyramid


def bench_build(path: Path, runs: int) -> peaks.PeakPyramid:
    """Decoder alone and build alternate, so both see the same machine; best of `runs` is
    the figure least disturbed by other processes, the median is shown beside it."""
    decodes, builds = [], []
    for _ in range(runs):
        decodes.append(decode_only(path, peaks.READ_FRAMES))
        *figures, pyramid = timed_build(path)
        builds.append(figures)
    decode_s, decode_cpu = min(d[0] for d in decodes), min(d[1] for d in decodes)
    build_s, build_cpu = min(b[0] for b in builds), min(b[1] for b in builds)
    ratios = [round(d[0] / b[0], 2) for d, b in zip(decodes, builds, strict=True)]
    n = pyramid.n_frames
    print(f"audio: {n / RATE / 3600:.2f} h, {n} frames, {path.stat().st_size / 1e6:.0f} MB FLAC")
    print(
        f"decoder alone: best {decode_s:.2f} s ({n / decode_s / 1e6:.0f} Mframes/s), "
        f"CPU {decode_cpu:.2f} s, same {peaks.READ_FRAMES}-frame blocks as the build"
    )
    print(f"pyramid build: best {build_s:.2f} s ({n / build_s / 1e6:.0f} Mframes/s), CPU {build_cpu:.2f} s")
    print(
        f"throughput ratio build/decoder: best-of-{runs} {decode_s / build_s:.2f}, "
        f"median {float(np.median(ratios)):.2f}, each run {ratios}"
    )
    print(
        f"resident memory growth while building: max {max(b[2] for b in builds) / 1e6:.1f} MB "
        f"(level 0 alone: {pyramid.levels[0].nbytes / 1e6:.1f} MB)"
    )
    return pyramid


def bench_cache_key(path: Path) -> None:
    start = time.perf_counter()
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
    full_s = time.perf_counter() - start
    start = time.perf_counter()
    peaks.cache_key([(path, None)])
    quick_s = time.perf_counter() - start
    print(
        f"cache key: sha256 of the whole file {full_s:.2f} s; the key used (size, mtime, first and last "
        f"MiB above {cache.FULL_HASH_BYTES >> 20} MiB) {quick_s * 1e3:.1f} ms"
    )


def bench_second_open(path: Path, work: Path) -> None:
    """From the session selecting the recording to the waveform showing it, cache warm."""
    from PySide6.QtWidgets import QApplication

    from pencastviewer.app import peaks_job
    from pencastviewer.app.document import OpenedNotebook
    from pencastviewer.app.recording_peaks import RecordingPeaks
    from pencastviewer.app.session import Session
    from pencastviewer.audio.silent_output import SilentAudioOutput
    from pencastviewer.gui.waveform import WaveformView
    from pencastviewer.model import AudioFile, AudioStore, Notebook, Page, Recording, Timeline

    app = QApplication.instance() or QApplication([])
    peaks_job.peaks_cache_dir = lambda: work / "peaks"
    info = sf.info(path)
    audio = AudioFile(AudioStore.FILE, str(path), "flac", RATE, 1, info.frames, 0.0, info.duration * 1000)
    notebook = Notebook((Page(148.0, 210.0),), (Recording("bench", (audio,)),))
    silent = Notebook((Page(148.0, 210.0),))
    session = Session(SilentAudioOutput())
    view = WaveformView(session, RecordingPeaks(session))
    view.resize(1200, 260)
    view.show()
    times = []
    for _ in range(4):  # the first fills the cache (unless an earlier run did)
        start = time.perf_counter()
        session.set_document(OpenedNotebook(path, "bench", notebook, Timeline(notebook)))
        while view.detail.pyramid is None:
            app.processEvents()
            time.sleep(0.0005)
        times.append(time.perf_counter() - start)
        session.set_document(OpenedNotebook(path, "bench", silent, Timeline(silent)))
        app.processEvents()
    cached = [round(t, 3) for t in times[1:]]
    print(f"recording selected -> waveform shown: first {times[0]:.2f} s, then from cache {cached} s")
    view.close()


def bench_repaint(pyramid: peaks.PeakPyramid, width: int, height: int, per_zoom: int) -> None:
    from PySide6.QtWidgets import QApplication

    from pencastviewer.gui.waveform import WaveformPlot

    app = QApplication.instance() or QApplication([])
    plot = WaveformPlot()
    plot.resize(width, height)
    plot.show()
    app.processEvents()
    plot.set_content(pyramid, (np.empty(0), np.empty(0)))
    rng = np.random.default_rng(1)
    everything = []
    for span in ZOOMS_S:
        times = []
        for _ in range(per_zoom):
            x0 = rng.uniform(0.0, max(pyramid.duration_s - span, 0.0))
            start = time.perf_counter()
            plot.setXRange(x0, x0 + span, padding=0)  # -> query the pyramid, setData
            plot.grab()  # renders the whole widget: axis, curve, items
            times.append((time.perf_counter() - start) * 1e3)
        everything += times
        print(
            f"  span {span:>6} s: {len(plot.envelope.getData()[0]) // 2:>5} bars, "
            f"median {np.median(times):.2f} ms, p95 {np.percentile(times, 95):.2f} ms"
        )
    print(
        f"repaint {width}x{height} (range change + query + full widget grab): "
        f"p95 {np.percentile(everything, 95):.2f} ms, max {max(everything):.2f} ms over {len(everything)}"
    )
    plot.close()


def compare_drawing(pyramid: peaks.PeakPyramid, width: int, height: int, per_zoom: int) -> None:
    """The same repaint with other ways of drawing min/max bars, to justify the one used."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from pencastviewer.gui.waveform import WAVE_PEN, WaveformPlot

    app = QApplication.instance() or QApplication([])
    rng = np.random.default_rng(2)
    for name in ("pairs + drawLines (used)", "pairs as one path", "zigzag path", "fill between min and max"):
        plot = WaveformPlot()
        plot.resize(width, height)
        plot.show()
        app.processEvents()
        if name == "pairs as one path":
            plot.envelope.setSegmentedLineMode("off")
        elif name == "zigzag path":
            plot.envelope.opts["connect"] = "all"
        elif name.startswith("fill"):
            plot.envelope.hide()
            lows, highs = pg.PlotCurveItem(pen=WAVE_PEN), pg.PlotCurveItem(pen=WAVE_PEN)
            plot.addItem(pg.FillBetweenItem(lows, highs, brush=WAVE_PEN))

            def fill(*_: object, lows=lows, highs=highs, plot=plot) -> None:
                times, mins, maxs = pyramid.query(*plot.x_range(), plot.width_px())
                lows.setData(times, mins)
                highs.setData(times, maxs)

            plot.view.sigXRangeChanged.connect(fill)
        plot.set_content(pyramid, (np.empty(0), np.empty(0)))
        times = []
        for span in ZOOMS_S:
            for _ in range(per_zoom):
                x0 = rng.uniform(0.0, max(pyramid.duration_s - span, 0.0))
                start = time.perf_counter()
                plot.setXRange(x0, x0 + span, padding=0)
                plot.grab()
                times.append((time.perf_counter() - start) * 1e3)
        print(f"  {name:<26} median {np.median(times):6.2f} ms, p95 {np.percentile(times, 95):6.2f} ms")
        plot.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/pencastviewer-bench"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--per-zoom", type=int, default=40)
    args = parser.parse_args()
    start = time.perf_counter()
    path = speech_like_flac(args.work / f"speech-{args.hours:g}h-48k.flac", args.hours)
    print(f"test file ready in {time.perf_counter() - start:.1f} s: {path}")
    pyramid = bench_build(path, args.runs)
    bench_cache_key(path)
    bench_second_open(path, args.work)
    for width, height in ((1200, 220), (1920, 300)):
        bench_repaint(pyramid, width, height, args.per_zoom)
    print("drawing the bars other ways, 1920x300, all zooms:")
    compare_drawing(pyramid, 1920, 300, args.per_zoom // 2)


if __name__ == "__main__":
    main()
