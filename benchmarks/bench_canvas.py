"""The player window on large notebooks: figures, not pass/fail.

1. open → first page shown: a 100-page, 50 000-stroke .pencast written to a temporary
   folder, opened in the real window (reading in the worker included) until the canvas
   has painted its first page.
2. page repaint during ink reveal: a 5 000-stroke page in a 1920×1080 canvas, the playhead
   stepped a frame (1/60 s) at a time through the writing; each frame = the session's
   playhead signal, the canvas's incremental update and the paint of what changed.
3. mouse press → seek issued: presses on the ink of that page sent to the canvas, timed
   until the audio output's seek() is called.

Run: QT_QPA_PLATFORM=offscreen python3 benchmarks/bench_canvas.py [--frames 3000] [--taps 2000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QEventLoop, QSettings, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication
from synthetic import handwriting_page

from pencastviewer.app.document import OpenedNotebook
from pencastviewer.app.session import Session
from pencastviewer.audio.silent_output import SilentAudioOutput
from pencastviewer.formats.pencast.writer import write_pencast
from pencastviewer.gui.main_window import MainWindow
from pencastviewer.gui.page_canvas import PageCanvas
from pencastviewer.model import AudioFile, AudioStore, Notebook, Recording, Timeline

FRAME_S = 1 / 60
NO_KEYS = Qt.KeyboardModifier.NoModifier


def notebook_of(pages, audio_path: Path) -> Notebook:
    """The pages with one recording spanning all their ink (a stand-in file: the silent
    backend only needs the length, the .pencast writer copies the bytes as they are)."""
    end_ms = max(s.end_ms for p in pages for s in p.strokes) + 1000
    audio = AudioFile(AudioStore.FILE, str(audio_path), "pcm", 8000, 1, int(end_ms * 8), 0.0, end_ms)
    return Notebook(tuple(pages), (Recording("talk", (audio,)),), title="benchmark")


def pump(app: QApplication, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()


def settle(app: QApplication, canvas: PageCanvas) -> float:
    """Let the canvas finish making its stroke sprites (idle work after a full paint)."""
    start = time.perf_counter()
    pump(app, 0.1)
    while canvas._warm_timer.isActive() and time.perf_counter() - start < 60:
        app.processEvents()
    return time.perf_counter() - start


def percentile_ms(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q))


def bench_open(app: QApplication, folder: Path) -> None:
    audio = folder / "talk.wav"
    audio.write_bytes(b"RIFF")  # never decoded here
    pages, t0 = [], 0.0
    for i in range(100):
        page = handwriting_page(500, seed=i, t0_ms=t0)
        pages.append(page)
        t0 = page.strokes[-1].end_ms + 5000
    path = folder / "big.pencast"
    write_pencast(notebook_of(pages, audio), path)
    session = Session(SilentAudioOutput())
    window = MainWindow(session)
    window.resize(1600, 1000)
    window.show()
    pump(app, 0.3)
    painted: list[float] = []
    loop = QEventLoop()
    original = window.canvas.paintEvent

    def paint_event(event):
        original(event)
        if window.canvas.page is not None and not painted:
            painted.append(time.perf_counter())
            loop.quit()

    window.canvas.paintEvent = paint_event
    QTimer.singleShot(30_000, loop.quit)
    start = time.perf_counter()
    window.open_file(path)
    loop.exec()  # an idle event loop, as in the program (a busy loop would starve the reader)
    print(
        f"open → first page shown: {(painted[0] - start) * 1000:.0f} ms "
        f"({path.stat().st_size / 1e6:.1f} MB .pencast, 100 pages, 50 000 strokes)"
    )
    window.close()
    window.deleteLater()
    pump(app, 0.2)


def dense_session(folder: Path) -> Session:
    page = handwriting_page(5000)
    notebook = notebook_of([page], folder / "talk.wav")
    session = Session(SilentAudioOutput())
    session.set_document(OpenedNotebook(folder / "dense.pencast", "pencast", notebook, Timeline(notebook)))
    return session


def bench_reveal(app: QApplication, session: Session, canvas: PageCanvas, n_frames: int) -> None:
    page = session.document.notebook.pages[0]
    rng = np.random.default_rng(0)
    windows = 10
    starts = rng.uniform(page.strokes[0].start_ms, page.strokes[-1].end_ms - 60_000, windows) / 1000
    frames = []
    for start_s in starts:
        session.seek(float(start_s))
        pump(app, 0.05)  # the jump itself repaints much: not a reveal frame
        for k in range(1, n_frames // windows + 1):
            t = time.perf_counter()
            session.seek(float(start_s + k * FRAME_S))
            app.processEvents()  # the queued paint of the dirty region
            frames.append(time.perf_counter() - t)
    full = []
    for _ in range(5):
        canvas.layer.valid = False
        t = time.perf_counter()
        canvas.viewport().repaint()
        full.append(time.perf_counter() - t)
    size = f"{canvas.viewport().width()}×{canvas.viewport().height()}"
    print(
        f"repaint during reveal, 5 000 strokes at {size}: "
        f"median {percentile_ms(frames, 50):.2f} ms, p95 {percentile_ms(frames, 95):.2f} ms, "
        f"max {max(frames) * 1000:.1f} ms over {len(frames)} frames"
    )
    print(
        f"  (a jump that changes every stroke, e.g. a tap: full repaint from the sprites "
        f"{percentile_ms(full, 50):.0f} ms)"
    )


def bench_tap(app: QApplication, session: Session, canvas: PageCanvas, n_taps: int) -> None:
    page = session.document.notebook.pages[0]
    seeks: list[float] = []
    output = session.playback.backend
    original_seek = output.seek

    def timed_seek(position_s: float) -> None:
        seeks.append(time.perf_counter())
        original_seek(position_s)

    output.seek = timed_seek
    rng = np.random.default_rng(2)
    latencies = []
    viewport = canvas.viewport()
    for i in rng.integers(0, len(page.strokes), n_taps).tolist():
        stroke = page.strokes[i]
        x, y = stroke.xy_mm[len(stroke.xy_mm) // 2]
        pos = canvas.widget_point(float(x), float(y))
        left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
        where = viewport.mapToGlobal(pos)
        press = QMouseEvent(QEvent.Type.MouseButtonPress, pos, where, left, left, NO_KEYS)
        release = QMouseEvent(QEvent.Type.MouseButtonRelease, pos, where, left, none, NO_KEYS)
        seeks.clear()
        t = time.perf_counter()
        QApplication.sendEvent(viewport, press)
        if seeks:
            latencies.append(seeks[0] - t)
        QApplication.sendEvent(viewport, release)
        app.processEvents()
    output.seek = original_seek
    print(
        f"mouse press → seek issued: median {percentile_ms(latencies, 50):.2f} ms, "
        f"p99 {percentile_ms(latencies, 99):.2f} ms over {len(latencies)} presses on ink "
        f"({n_taps - len(latencies)} missed)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=3000)
    parser.add_argument("--taps", type=int, default=2000)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder / "settings"))
        bench_open(app, folder)
        session = dense_session(folder)
        canvas = PageCanvas(session)
        canvas.resize(1920, 1080)
        canvas.show()
        canvas._on_session_page_changed()  # made after the session opened: show its page
        pump(app, 0.2)
        canvas._warm_timer.stop()
        canvas.layer.set_renderer(canvas.layer.renderer)  # as on a page change: no sprites yet
        t = time.perf_counter()
        canvas.viewport().repaint()
        first_s = time.perf_counter() - t
        warm_s = settle(app, canvas)
        n_points = session.document.notebook.pages[0].n_points
        print(
            f"dense page: 5 000 strokes, {n_points} points, zoom {canvas.zoom_percent:.0f} % (fit page), "
            f"device pixel ratio {canvas.devicePixelRatioF():g}"
        )
        print(
            f"  first paint after a page change or zoom {first_s * 1000:.0f} ms; stroke sprites then made "
            f"in idle time within {warm_s:.1f} s"
        )
        bench_reveal(app, session, canvas, args.frames)
        bench_tap(app, session, canvas, args.taps)


if __name__ == "__main__":
    main()
