"""The player on the issue's large notebook (100 pages, 50 000 strokes, a 3-hour 48 kHz Opus
recording, benchmarks/make_large_notebook.py), opened the way the program opens it: the real
MainWindow from gui.launch.build_window with the real audio output, playing into the null
sink of a private PulseAudio daemon (tests/support/pulse.py; the silent output without one).

Figures (targets from the issue "The player"):
- open → first page painted (< 1 s); → document ready; → Qt has the audio loaded;
- a press on ink as soon as the first page is painted (what a user does first), and play at
  2:13:20 as soon as the document is ready, before its page is painted (the notebook opened
  again): → first sound heard and where it starts (the copy for sample-exact seeks is made
  while it plays, from the tapped place first; the memory figures below include this reopen);
  and another notebook (another 3-hour recording) opened while the first one plays, played far
  in as soon as it is ready, then the first opened again and pressed on ink once it shows;
- seeks all over the 3 hours while the copy is being made, and after: start error, latency;
- recording selected → waveform shown: first open (peaks built; ratio to the decoder's own
  throughput, ≥ 0.9), later opens (from the cache, < 0.2 s);
- resident memory (VmRSS) before open, after open, after peaks, after playing 10 s and
  seeking around, after the copy is complete (growth < 150 MB);
- mouse press on ink → seek issued, p99, on a page of 500 strokes.

Run: QT_QPA_PLATFORM=offscreen python3 benchmarks/bench_large_notebook.py [--runs 3] [--taps 500]
[--latency: only the taps and seeks, ~40 s]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE), str(HERE.parent / "tests")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from make_large_notebook import LargeNotebookSpec, large_notebook  # noqa: E402

TAP_S = 8000.0  # 2:13:20, far into the recording, as a tap on a late page would be
SEEKS_S = (9500.0, 300.0, 5432.1, 10700.0, 2000.0, 7777.7, 60.0, 4000.0)
RATE = 48000


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        line = next(line for line in f if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def start_sink():
    """The private PulseAudio daemon (before any Qt multimedia object), or None."""
    from support.pulse import PulseSink, missing_tools

    if missing_tools():
        print(f"no PulseAudio ({', '.join(missing_tools())} missing): the silent output is measured")
        return None
    sink = PulseSink()
    try:
        sink.start()
    except (RuntimeError, OSError) as e:
        print(f"PulseAudio did not start ({e}): the silent output is measured")
        return None
    return sink


def run_until(predicate: Callable[[], bool], timeout_s: float) -> float | None:
    """Run an idle event loop (workers get the GIL, as in the program) until predicate();
    the perf_counter time it became true, or None on timeout."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop, deadline, when = QEventLoop(), time.perf_counter() + timeout_s, []

    def check() -> None:
        if predicate():
            when.append(time.perf_counter())
            loop.quit()
        elif time.perf_counter() > deadline:
            loop.quit()

    timer = QTimer()
    timer.timeout.connect(check)
    timer.start(2)
    loop.exec()
    timer.stop()
    return when[0] if when else None


def pause_s(seconds: float) -> None:
    run_until(lambda: False, seconds)


class Reference:
    """The recording's samples around a position, decoded with FFmpeg (which seeks)."""

    def __init__(self, path: str) -> None:
        from pencastviewer.media.decode_av import FFmpegDecoder

        self.path = path
        self.decoder = FFmpegDecoder(path, path)

    def locate_ms(self, heard: np.ndarray, target_s: float) -> float:
        """Where `heard` (starting 10 ms into what was heard) lies, relative to target, ms."""
        from support.xcorr import locate

        start = round((target_s - 1.0) * RATE)
        around = self.decoder.read(start, 2 * RATE)[:, 0]
        lead = RATE // 100
        found = locate(heard[lead : lead + RATE // 10], around)
        return (found - lead - RATE) / RATE * 1000


def heard_from(
    sink_take, command_t: float, reference: Reference, target_s: float, *, after_silence: bool = False
) -> tuple[float, float]:
    """(ms from the command to the first sound, start error in ms) of a take. after_silence:
    another recording was playing at the command; its sound ends first (the null sink plays
    digital silence between the two)."""
    from support.xcorr import first_sound

    recording = sink_take.stop()
    search_from = max(0, recording.index_at(command_t) - RATE // 50)
    if after_silence:
        quiet = np.abs(recording.samples[search_from:]) <= 2e-3
        run = RATE // 50  # 20 ms of silence: the other recording has stopped
        windows = np.convolve(quiet, np.ones(run, dtype=np.int32), mode="valid")
        ended = np.flatnonzero(windows == run)
        search_from += int(ended[0]) if len(ended) else 0
    first = first_sound(recording.samples[search_from:])
    if first is None:
        return float("nan"), float("nan")
    start = search_from + first
    latency_ms = (start / RATE - (command_t - recording.start_monotonic)) * 1000
    return latency_ms, reference.locate_ms(recording.samples[start : start + RATE // 2], target_s)


class Opening:
    """One open of the file in the window, with the times of what followed (perf_counter)."""

    def __init__(self, window, path: Path, tap_s: float | None, sink, *, on_ink: bool = False) -> None:
        """tap_s: tap there as soon as the document is ready (None: no tap); on_ink: press
        on ink of the first page as soon as it is painted instead (the tap a user makes)."""
        self.times: dict[str, float] = {}
        self.tap_s, self.sink, self.take, self.on_ink = tap_s, sink, None, on_ink
        self.copying_when_ready = False
        self.window, session = window, window.session
        original = window.canvas.paintEvent

        def paint_event(event) -> None:
            original(event)
            if "opened" in self.times and window.canvas.page is not None and "painted" not in self.times:
                self.times["painted"] = time.perf_counter()
                if self.on_ink:
                    from PySide6.QtCore import QTimer

                    QTimer.singleShot(0, self._tap_ink)  # the next event: a click on what is shown

        window.canvas.paintEvent = paint_event
        detail, original_detail = window.waveform.detail, window.waveform.detail.paintEvent

        def detail_paint_event(event) -> None:  # the waveform is shown once painted with its peaks
            original_detail(event)
            if "selected" in self.times and detail.pyramid is not None:
                self.times.setdefault("waveform", time.perf_counter())

        detail.paintEvent = detail_paint_event
        self._restore = lambda: (
            setattr(window.canvas, "paintEvent", original),
            setattr(detail, "paintEvent", original_detail),
        )
        session.recording_changed.connect(self._on_recording_changed)
        window.peaks.finished.connect(self._on_peaks_finished)
        session.opened.connect(self._on_opened)
        session.playback.backend.ready_changed.connect(self._on_ready)
        self.times["open"] = time.perf_counter()
        window.open_file(path)

    def _on_recording_changed(self, index: int) -> None:
        if index >= 0:
            self.times.setdefault("selected", time.perf_counter())

    def _on_peaks_finished(self, _pyramid) -> None:
        self.times.setdefault("peaks", time.perf_counter())  # the waveform has its content

    def _tap_ink(self) -> None:
        """A mouse press on a stroke of the page shown (where a tap plays from: tap_s)."""
        canvas, session = self.window.canvas, self.window.session
        page = canvas.page
        recorded = np.flatnonzero(page.ink.recording >= 0)
        stroke = page.strokes[int(recorded[len(recorded) // 2])]
        x, y = stroke.xy_mm[len(stroke.xy_mm) // 2]
        self.take = self.sink.start_recording() if self.sink else None
        self.times["tap"] = time.perf_counter()
        self.tap_monotonic = time.monotonic()
        press(canvas, canvas.widget_point(float(x), float(y)))
        self.times["tap handled"] = time.perf_counter()
        self.tap_s = session.playback.position_s()

    def _on_opened(self) -> None:
        self.times["opened"] = time.perf_counter()
        if self.tap_s is not None and not self.on_ink:  # a tap right after the window shows the notebook
            self.take = self.sink.start_recording() if self.sink else None
            self.times["tap"] = time.perf_counter()
            self.tap_monotonic = time.monotonic()
            self.window.session.play_at(0, self.tap_s)

    def _on_ready(self, ready: bool) -> None:
        if ready:
            self.times.setdefault("ready", time.perf_counter())
            backend = self.window.session.playback.backend
            self.copying_when_ready = getattr(backend, "is_copying", lambda: False)()

    def wait_shown(
        self, reference_of: Callable[[], Reference], *, after_silence: bool = False
    ) -> tuple[float, float]:
        """Until the first page is painted; with a tap, play 1.5 s and tell how it sounded
        (after_silence: see heard_from)."""
        run_until(lambda: "painted" in self.times and (not self.on_ink or "tap" in self.times), 60.0)
        if self.tap_s is None:
            return float("nan"), float("nan")
        pause_s(1.5)
        self.window.session.playback.pause()
        pause_s(0.2)  # the sound of the pause dies away (Qt's buffers: ~0.1 s)
        if self.take is None:
            return float("nan"), float("nan")
        return heard_from(
            self.take, self.tap_monotonic, reference_of(), self.tap_s, after_silence=after_silence
        )

    def wait(self, timeout_s: float = 300.0) -> None:
        """Until the waveform shows the recording."""
        output = self.window.session.playback.backend
        if run_until(lambda: "opened" in self.times and "waveform" in self.times, timeout_s) is None:
            self.times["waveform"] = float("nan")
        run_until(lambda: output.is_silent or "ready" in self.times, 30.0)
        session = self.window.session
        session.recording_changed.disconnect(self._on_recording_changed)
        self.window.peaks.finished.disconnect(self._on_peaks_finished)
        session.opened.disconnect(self._on_opened)
        session.playback.backend.ready_changed.disconnect(self._on_ready)
        self._restore()

    def ms(self, a: str, b: str) -> float:
        return (self.times.get(b, float("nan")) - self.times.get(a, float("nan"))) * 1000


def seeks_while_playing(session, sink, reference: Reference, positions: tuple[float, ...]) -> list:
    """(latency ms, start error ms) of a seek-and-play to each position, 0.6 s each."""
    results = []
    for target in positions:
        take = sink.start_recording() if sink else None
        command = time.monotonic()
        session.play_at(0, target)
        pause_s(0.6)
        session.playback.pause()
        pause_s(0.2)
        results.append(heard_from(take, command, reference, target) if take else (float("nan"),) * 2)
    return results


def press(canvas, pos) -> None:
    """A left click at `pos` of the canvas's viewport, press and release."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    left, none, keys = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    where = canvas.viewport().mapToGlobal(pos)
    for kind, buttons in ((QEvent.Type.MouseButtonPress, left), (QEvent.Type.MouseButtonRelease, none)):
        QApplication.sendEvent(canvas.viewport(), QMouseEvent(kind, pos, where, left, buttons, keys))


def press_to_seek(app, window, n_taps: int) -> list[float]:
    """Presses on ink of the page shown, timed until the output's seek() is called."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    canvas, output = window.canvas, window.session.playback.backend
    page = canvas.page
    seeks: list[float] = []
    original = output.seek
    output.seek = lambda position_s: (seeks.append(time.perf_counter()), original(position_s))[1]
    left, none, keys = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    latencies = []
    for i in np.random.default_rng(2).integers(0, len(page.strokes), n_taps).tolist():
        stroke = page.strokes[i]
        x, y = stroke.xy_mm[len(stroke.xy_mm) // 2]
        pos = canvas.widget_point(float(x), float(y))
        where = canvas.viewport().mapToGlobal(pos)
        seeks.clear()
        t = time.perf_counter()
        QApplication.sendEvent(
            canvas.viewport(), QMouseEvent(QEvent.Type.MouseButtonPress, pos, where, left, left, keys)
        )
        if seeks:
            latencies.append(seeks[0] - t)
        QApplication.sendEvent(
            canvas.viewport(), QMouseEvent(QEvent.Type.MouseButtonRelease, pos, where, left, none, keys)
        )
        app.processEvents()
    output.seek = original
    window.session.playback.pause()
    return latencies


def decoder_alone_s(path: str) -> float:
    from pencastviewer.media.decode import open_audio
    from pencastviewer.media.peaks import READ_FRAMES

    start = time.perf_counter()
    with open_audio(path) as decoder:
        for _ in decoder.blocks(READ_FRAMES):
            pass
    return time.perf_counter() - start


def fmt(values: list[float]) -> str:
    clean = [v for v in values if v == v]
    if not clean:
        return "n/a"
    return f"median {statistics.median(clean):.1f}, max {max(clean):.1f} (n={len(clean)})"


class CopyWatch:
    """Notes when the output's copy is complete (polled every 20 ms)."""

    def __init__(self, output) -> None:
        from PySide6.QtCore import QTimer

        self.done_at: float | None = None
        self._output = output
        self._timer = QTimer()
        self._timer.timeout.connect(self._check)
        self._timer.start(20)

    def _check(self) -> None:
        if not getattr(self._output, "is_copying", lambda: False)():
            self.done_at = time.perf_counter()
            self._timer.stop()


def describe(results: list[tuple[float, float]], positions: tuple[float, ...]) -> str:
    per_seek = ", ".join(
        f"{p:.0f} s: {lat:.0f} ms/{err:+.1f} ms" for p, (lat, err) in zip(positions, results, strict=True)
    )
    return (
        f"latency ms {fmt([r[0] for r in results])}; |start error| ms {fmt([abs(r[1]) for r in results])}"
        f"\n    (position: latency/start error) {per_seek}"
    )


def ink_only_growth_mb(hours: float) -> float:
    """RSS growth of opening the same ink with no recording, in a process of its own."""
    import subprocess

    command = [sys.executable, __file__, "--ink-only", "--hours", str(hours)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    lines = [line for line in done.stdout.splitlines() if line.startswith("INK-ONLY GROWTH MB")]
    return float(lines[-1].split()[-1]) if lines else float("nan")


def setup(work: Path):
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from pencastviewer.gui.launch import build_window

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("pencastviewer")
    app.setOrganizationName("pencastviewer")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "config"))
    window = build_window(app)
    window.resize(1600, 1000)
    window.show()
    pause_s(0.5)
    return app, window


def ink_only(hours: float, work: Path) -> None:
    path = large_notebook(LargeNotebookSpec(hours=hours), ink_only=True)
    _, window = setup(work)
    before = rss_mb()
    window.open_file(path)
    run_until(lambda: window.session.document is not None, 60.0)
    pause_s(3.0)
    print(f"INK-ONLY GROWTH MB {rss_mb() - before:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="later opens (cache warm)")
    parser.add_argument("--taps", type=int, default=500)
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--ink-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--latency", action="store_true", help="only the taps and seeks of the first opens")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pv-bench-large-"))
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")  # a cold cache: peaks and copies made anew
    os.environ["XDG_CONFIG_HOME"] = str(work / "config")
    try:
        if args.ink_only:
            ink_only(args.hours, work)
        else:
            measure(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def shown_reference(window) -> Reference:
    """The Reference of the first recording of the notebook the window shows."""
    from pencastviewer.app.audio_files import playable_path

    return Reference(str(playable_path(window.session.document.notebook.recordings[0].files[0])))


def first_open(window, path: Path, sink, memory: dict[str, float]) -> tuple[Opening, Reference]:
    """Open, press on ink as soon as the page shows, seek all over while the copy is made,
    wait for the peaks."""
    first = Opening(window, path, 0.0, sink, on_ink=True)
    tap = first.wait_shown(lambda: shown_reference(window))
    memory["after open"] = rss_mb()
    reference = shown_reference(window)
    print(
        f"first open: first page painted {first.ms('open', 'painted'):.0f} ms after open; document ready "
        f"{first.ms('open', 'opened'):.0f} ms; audio loaded in Qt {first.ms('open', 'ready'):.0f} ms"
    )
    print(
        f"  press on ink as soon as the page shows (at {first.tap_s:.1f} s): first sound {tap[0]:.0f} ms "
        f"after the press ({first.ms('open', 'tap') + tap[0]:.0f} ms after open; the press handled in "
        f"{first.ms('tap', 'tap handled'):.1f} ms), start error {tap[1]:+.2f} ms"
    )
    during = seeks_while_playing(window.session, sink, reference, SEEKS_S)
    print(f"  seeks over the 3 hours while the copy is made: {describe(during, SEEKS_S)}")
    latencies = [r[0] for r in during]
    heard = [v for v in latencies if v == v] or [float("nan")]
    print(f"RATIO press on ink as soon as the page shows, ms to first sound: {tap[0]:.0f} (< 150)")
    print(f"RATIO seeks while the copy is made, median ms: {statistics.median(heard):.0f} (< 150)")
    print(f"RATIO seeks while the copy is made, max ms: {max(heard):.0f} (< 150)")
    print(f"RATIO silent seeks while the copy is made: {sum(v != v for v in latencies)} (0)")
    first.wait()
    memory["after peaks"] = rss_mb()
    return first, reference


def ready_tap_open(window, path: Path, sink, reference: Reference) -> None:
    """Open again (the same files: the player keeps its source, the unfinished copy goes on)
    and play far in as soon as the document is ready, before its page is painted (Play
    pressed at once)."""
    again = Opening(window, path, TAP_S, sink)
    tap = again.wait_shown(lambda: reference)
    print(
        f"  open again, play at {TAP_S:.0f} s as soon as the document is ready: first sound {tap[0]:.0f} ms "
        f"after play() ({again.ms('open', 'tap') + tap[0]:.0f} ms after open, first page painted "
        f"{again.ms('open', 'painted'):.0f} ms after open), start error {tap[1]:+.2f} ms"
    )
    print(f"RATIO play as soon as the document is ready, ms to first sound: {tap[0]:.0f} (< 150)")
    again.wait()


def other_open(window, path: Path, sink, *, on_ink: bool) -> None:
    """While the notebook plays, open another one (another 3-hour recording), and play far in
    as soon as it is ready (before its page is painted), or press on ink as soon as its page
    shows (on_ink): the old recording's player is let go while the new one is read."""
    window.session.play_at(0, 3000.0)
    pause_s(1.0)
    other = Opening(window, path, None if on_ink else TAP_S, sink, on_ink=on_ink)
    tap = other.wait_shown(lambda: shown_reference(window), after_silence=True)
    what = "press on ink as soon as its page shows" if on_ink else "play as soon as it is ready"
    print(
        f"  open another notebook while one plays, {what} (at {other.tap_s:.1f} s): first sound "
        f"{tap[0]:.0f} ms after the command ({other.ms('open', 'tap') + tap[0]:.0f} ms after open, first "
        f"page painted {other.ms('open', 'painted'):.0f} ms after open), start error {tap[1]:+.2f} ms"
    )
    print(f"RATIO another notebook, {what}, ms to first sound: {tap[0]:.0f} (< 150)")
    other.wait()


def other_opens(window, paths: tuple[Path, Path], sink) -> None:
    """The first notebook's recording let go of for another's, and back."""
    other_open(window, paths[1], sink, on_ink=False)
    other_open(window, paths[0], sink, on_ink=True)


def play_and_copy(window, sink, first: Opening, reference: Reference, memory: dict[str, float]) -> None:
    """Play 10 s, wait for the whole copy, seek again."""
    output, watch = window.session.playback.backend, CopyWatch(window.session.playback.backend)
    window.session.play_at(0, 1000.0)
    pause_s(10.0)
    output.pause()
    memory["after playing 10 s and seeking"] = rss_mb()
    run_until(lambda: watch.done_at is not None, 600.0)
    print(f"  copy complete {(watch.done_at or float('nan')) - first.times['open']:.1f} s after open")
    after = seeks_while_playing(window.session, sink, reference, SEEKS_S[:4])
    print(f"  seeks after the copy: {describe(after, SEEKS_S[:4])}")
    memory["after the copy"] = rss_mb()


def later_opens(window, path: Path, sink, reference: Reference, runs: int, first: Opening) -> None:
    later = []
    for _ in range(runs):
        opening = Opening(window, path, None, sink)
        opening.wait_shown(lambda: reference)
        opening.wait()
        later.append(opening)
        pause_s(0.5)
    print(
        f"later opens ({runs}): first page painted ms "
        f"{fmt([o.ms('open', 'painted') for o in later])}; recording selected → waveform shown ms "
        f"{fmt([o.ms('selected', 'waveform') for o in later])}; audio loaded ms "
        f"{fmt([o.ms('open', 'ready') for o in later])}"
    )
    copied = sum(bool(getattr(o, "copying_when_ready", False)) for o in later)
    print(f"RATIO later opens that decode the recording again: {copied}/{runs} (0: the kept copy plays)")
    painted = statistics.median([o.ms("open", "painted") for o in later]) / first.ms("open", "painted")
    print(f"RATIO later open / first open, first page painted: {painted:.2f} (≤ 1.0)")
    shown = statistics.median([o.ms("selected", "waveform") for o in later])
    print(f"RATIO waveform from the cache with the writing marks, s: {shown / 1000:.3f} (< 0.2)")


def measure(args: argparse.Namespace, work: Path) -> None:
    path = large_notebook(LargeNotebookSpec(hours=args.hours))
    large_notebook(LargeNotebookSpec(hours=args.hours), ink_only=True)
    other = large_notebook(LargeNotebookSpec(hours=args.hours, seed=1))  # another recording
    sink = start_sink()
    app, window = setup(work)
    output = window.session.playback.backend
    print(
        f"{path.name}: {path.stat().st_size / 1e6:.1f} MB; output: "
        f"{'silent' if output.is_silent else 'QtMultimedia into a private PulseAudio null sink'}"
    )
    memory = {"before open": rss_mb()}
    first, reference = first_open(window, path, sink, memory)
    ready_tap_open(window, path, sink, reference)
    if args.latency:
        other_opens(window, (path, other), sink)
        window.close()
        output.unload()
        pause_s(0.2)
        if sink:
            sink.stop()
        return
    play_and_copy(window, sink, first, reference, memory)
    build_s = first.times["waveform"] - first.times["selected"]
    decode_s = decoder_alone_s(str(reference.path))
    print(
        f"recording selected → waveform shown, first open (peaks built while the copy is made): "
        f"{build_s:.1f} s; decoder alone {decode_s:.1f} s; throughput ratio {decode_s / build_s:.2f}"
    )
    latencies = press_to_seek(app, window, args.taps)
    print(
        f"mouse press → seek issued, page of {len(window.canvas.page.strokes)} strokes: median "
        f"{np.percentile(latencies, 50) * 1000:.2f} ms, p99 {np.percentile(latencies, 99) * 1000:.2f} ms "
        f"over {len(latencies)} presses on ink"
    )
    later_opens(window, path, sink, reference, args.runs, first)
    memory["after later opens"] = rss_mb()
    other_opens(window, (path, other), sink)
    window.close()
    output.unload()
    pause_s(0.2)
    if sink:
        sink.stop()
    base, ink = memory["before open"], ink_only_growth_mb(args.hours)
    figures = "; ".join(f"{name} {mb:.0f} ({mb - base:+.0f})" for name, mb in memory.items())
    print(f"resident memory (VmRSS) MB: {figures}")
    worst = max(mb for name, mb in memory.items() if name != "after later opens") - base
    print(
        f"  the same ink without a recording grows {ink:.0f} MB: growth for the recording "
        f"{worst - ink:.0f} MB at most (target < 150)"
    )


if __name__ == "__main__":
    main()
