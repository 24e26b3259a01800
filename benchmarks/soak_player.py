"""Soak test of the player (issue 10): the 3-hour notebook (benchmarks/make_large_notebook.py)
in the real window, playing into the null sink of a private PulseAudio daemon
(tests/support/pulse.py), mostly at 3× with random taps on ink, seeks, speed changes, page
turns and pauses, for N minutes. Not part of the test run.

Every `--check-every` seconds it measures the drift between the playhead and what is heard:
it plays 2.5 s at 1× from a random place, reads the playhead, and finds where the sound the
sink played at that moment lies in the recording (cross-correlation with FFmpeg's decode).
It samples resident memory (VmRSS) every 5 s and fits a line to it after a warm-up, and
counts Qt and Python warnings.

Run: QT_QPA_PLATFORM=offscreen python3 benchmarks/soak_player.py --minutes 30
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE), str(HERE.parent / "tests")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_large_notebook import RATE, Reference, pause_s, rss_mb, run_until, setup, start_sink  # noqa: E402
from make_large_notebook import LargeNotebookSpec, large_notebook  # noqa: E402

SPEEDS = (3.0, 3.0, 3.0, 2.0, 1.5, 1.0, 0.5)
WARM_UP_S = 120.0  # RSS slope fitted after this: caches and the PCM copy fill up first


class Messages:
    """Qt's warnings and Python's, counted (and the first few kept)."""

    def __init__(self) -> None:
        from PySide6.QtCore import QtMsgType, qInstallMessageHandler

        self.kept: list[str] = []
        self.count = 0
        self._serious = (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
        qInstallMessageHandler(self._on_qt)
        warnings.showwarning = self._on_python

    def _note(self, text: str) -> None:
        self.count += 1
        if len(self.kept) < 10:
            self.kept.append(text)

    def _on_qt(self, kind, _context, message: str) -> None:
        if kind in self._serious:
            self._note(f"Qt: {message}")

    def _on_python(self, message, category, filename, lineno, file=None, line=None) -> None:
        self._note(f"Python {category.__name__}: {message} ({filename}:{lineno})")


def drift_ms(session, sink, reference: Reference, duration_s: float, rng: random.Random) -> float:
    """Playhead minus heard position (ms) 2.5 s into playing at 1× from a random place."""
    from support.xcorr import locate

    session.playback.set_rate(1.0)
    start = rng.uniform(60.0, duration_s - 60.0)
    take = sink.start_recording()
    session.play_at(0, start)
    pause_s(2.0)
    marks = []
    for _ in range(3):  # three readings 0.2 s apart; the median is reported
        marks.append((time.monotonic(), session.playback.position_s()))
        pause_s(0.2)
    pause_s(0.2)
    session.playback.pause()
    pause_s(0.1)
    recording = take.stop()
    sink.forget_played()  # the monitor keeps every sample otherwise: 6 MB a minute, not the player's
    drifts = []
    for mark, playhead_s in marks:
        at = recording.index_at(mark)
        heard = recording.samples[at : at + RATE // 10]
        around_start = round((playhead_s - 1.0) * RATE)
        around = reference.decoder.read(around_start, 2 * RATE)[:, 0]
        if len(heard) == RATE // 10 and np.any(heard):
            drifts.append((playhead_s - (around_start + locate(heard, around)) / RATE) * 1000.0)
    return statistics.median(drifts) if drifts else float("nan")


def random_action(window, rng: random.Random, duration_s: float) -> str:
    session = window.session
    document = session.document
    roll = rng.random()
    if roll < 0.30:  # a tap on ink of the page shown
        page_index = session.page
        page = document.notebook.pages[page_index]
        if page.strokes:
            stroke = page.strokes[rng.randrange(len(page.strokes))]
            x, y = stroke.xy_mm[len(stroke.xy_mm) // 2]
            session.tap(page_index, float(x), float(y))
            return "tap"
    if roll < 0.50:
        session.seek(rng.uniform(0.0, duration_s - 1.0))
        return "seek"
    if roll < 0.65:
        session.playback.set_rate(rng.choice(SPEEDS))
        return "speed"
    if roll < 0.85:
        session.set_page(rng.randrange(len(document.notebook.pages)))
        return "page"
    session.toggle_play()
    return "play/pause"


def rss_parts_mb() -> tuple[float, float]:
    """(anonymous, file-backed) resident memory: a mapped file read all over (the PCM
    copy) raises RSS without any leak; anonymous memory is what a leak grows."""
    parts = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("RssAnon:", "RssFile:")):
                parts[line.split(":")[0]] = int(line.split()[1]) / 1024
    return parts.get("RssAnon", float("nan")), parts.get("RssFile", float("nan"))


def slope_mb_per_min(samples: list[tuple[float, float]]) -> float:
    late = [(t, m) for t, m in samples if t >= WARM_UP_S]
    if len(late) < 3:
        return float("nan")
    t, m = np.array(late).T
    return float(np.polyfit(t / 60.0, m, 1)[0])


def soak(args: argparse.Namespace, work: Path) -> int:
    path = large_notebook(LargeNotebookSpec(hours=args.hours))
    sink = start_sink()
    if sink is None:
        print("no PulseAudio null sink: the soak needs one")
        return 2
    _, window = setup(work)
    messages = Messages()
    session = window.session
    window.open_file(path)
    run_until(lambda: session.document is not None, 120.0)
    run_until(lambda: session.playback.is_silent or session.playback.backend.is_ready(), 120.0)
    # The waveform's peaks are built once, first (minutes for 3 hours): the soak measures
    # the steady state, and quitting while they build is not what it is about.
    run_until(lambda: window.waveform.detail.pyramid is not None, 1800.0)
    from pencastviewer.app.audio_files import playable_path

    reference = Reference(str(playable_path(session.document.notebook.recordings[0].files[0])))
    duration_s = session.document.notebook.recordings[0].duration_s
    rng = random.Random(args.seed)
    start = time.monotonic()
    memory: list[tuple[float, float]] = [(0.0, rss_mb())]
    anon: list[tuple[float, float]] = [(0.0, rss_parts_mb()[0])]
    mapped: list[tuple[float, float]] = [(0.0, rss_parts_mb()[1])]
    drifts: list[float] = []
    actions: dict[str, int] = {}
    next_check, next_rss = args.check_every, 5.0
    session.playback.set_rate(args.speed)
    session.play_at(0, rng.uniform(0.0, duration_s - 60.0))
    if args.trace_malloc:
        import tracemalloc

        tracemalloc.start(12)
        first_snapshot = None
    while (elapsed := time.monotonic() - start) < args.minutes * 60:
        name = random_action(window, rng, duration_s)
        actions[name] = actions.get(name, 0) + 1
        if name != "speed" and rng.random() < 0.7:
            session.playback.set_rate(args.speed)
        pause_s(rng.uniform(0.2, 3.0))
        if elapsed >= next_rss:
            memory.append((elapsed, rss_mb()))
            anon.append((elapsed, rss_parts_mb()[0]))
            mapped.append((elapsed, rss_parts_mb()[1]))
            next_rss += 5.0
        if args.trace_malloc and first_snapshot is None and elapsed > WARM_UP_S:
            first_snapshot = tracemalloc.take_snapshot()
        if elapsed >= next_check:
            drifts.append(drift_ms(session, sink, reference, duration_s, rng))
            print(
                f"{elapsed / 60:5.1f} min: drift {drifts[-1]:+.1f} ms, RSS {memory[-1][1]:.0f} MB", flush=True
            )
            session.playback.set_rate(args.speed)
            session.toggle_play()
            next_check += args.check_every
    session.playback.pause()
    if args.trace_malloc and first_snapshot is not None:
        growth = tracemalloc.take_snapshot().compare_to(first_snapshot, "traceback")
        for stat in growth[:8]:
            print(f"{stat.size_diff / 1e6:+.2f} MB in {stat.count_diff:+d} blocks:")
            print("\n".join("    " + line for line in stat.traceback.format()[-8:]))
    report(args, memory, drifts, actions, messages)
    print(
        f"  of which anonymous: slope {slope_mb_per_min(anon):+.3f} MB/min (end {anon[-1][1]:.0f} MB); "
        f"file-backed: slope {slope_mb_per_min(mapped):+.3f} MB/min (end {mapped[-1][1]:.0f} MB)"
    )
    sink.stop()
    return 0


def report(args, memory, drifts, actions, messages: Messages) -> None:
    clean = [abs(d) for d in drifts if d == d]
    print(f"\nsoak: {args.minutes:g} min at {args.speed:g}× on a {args.hours:g}-hour recording")
    print(f"seed {args.seed}, drift checked every {args.check_every:g} s")
    print(f"actions: {', '.join(f'{k} {v}' for k, v in sorted(actions.items()))}")
    if clean:
        print(
            f"drift |playhead − heard| ms: median {statistics.median(clean):.1f}, max {max(clean):.1f} "
            f"(n={len(clean)}, unmeasurable {len(drifts) - len(clean)})"
        )
    print(
        f"RSS MB: start {memory[0][1]:.0f}, end {memory[-1][1]:.0f}, max {max(m for _, m in memory):.0f}; "
        f"slope after {WARM_UP_S:.0f} s: {slope_mb_per_min(memory):+.3f} MB/min"
    )
    print(f"warnings: {messages.count}")
    for text in messages.kept:
        print(f"  {text}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--hours", type=float, default=3.0, help="length of the recording")
    parser.add_argument("--speed", type=float, default=3.0)
    parser.add_argument("--check-every", type=float, default=60.0, help="seconds between drift checks")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--trace-malloc", action="store_true", help="print the Python allocations that grew most (slow)"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pv-soak-"))
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")
    os.environ["XDG_CONFIG_HOME"] = str(work / "config")
    try:
        return soak(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
