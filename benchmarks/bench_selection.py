"""Stroke selection on a dense page: figures, not pass/fail.

A 5 000-stroke page in a 1920×1080 canvas (offscreen):
1. select all (Ctrl+A): the session's selection, the highlight painted into the page
   picture where it changed, the paint of that region;
2. a full repaint of the page picture (a zoom) with every stroke highlighted and with none;
3. ink reveal frames (1/60 s steps of the playhead) with every stroke highlighted and with none;
4. one pointer move of a rectangle band and of a lasso, with the paint of what it dirtied;
5. releasing a lasso drawn around half the page: which strokes are mostly inside.

Run: QT_QPA_PLATFORM=offscreen python3 benchmarks/bench_selection.py
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_canvas import FRAME_S, dense_session, percentile_ms, pump, settle
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication

from pencastviewer.gui.page_canvas import PageCanvas
from pencastviewer.gui.selection_tool import LASSO, RECTANGLE


def timed(app: QApplication, action) -> float:
    t = time.perf_counter()
    action()
    app.processEvents()
    return time.perf_counter() - t


def full_repaints(canvas: PageCanvas, n: int = 5) -> list[float]:
    times = []
    for _ in range(n):
        canvas.layer.valid = False
        t = time.perf_counter()
        canvas.viewport().repaint()
        times.append(time.perf_counter() - t)
    return times


def reveal_frames(app: QApplication, session, n_frames: int = 600) -> list[float]:
    page = session.document.notebook.pages[0]
    start_s = session.audio_position_s(0, page.strokes[len(page.strokes) // 2].start_ms)
    session.seek(start_s)
    pump(app, 0.05)
    frames = []
    for k in range(1, n_frames + 1):
        frames.append(timed(app, lambda k=k: session.seek(start_s + k * FRAME_S)))
    session.playback.stop()
    return frames


def band_moves(app: QApplication, canvas: PageCanvas, shape: str, points: list[QPointF]) -> list[float]:
    tool = canvas.selection_tool
    tool._begin(points[0], shape)
    moves = [timed(app, lambda p=p: tool._drag_to(p)) for p in points[1:]]
    t = time.perf_counter()
    tool._finish()
    moves.append(time.perf_counter() - t)  # (the last figure: the release)
    return moves


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        session = dense_session(Path(tmp))
        canvas = PageCanvas(session)
        canvas.resize(1920, 1080)
        canvas.show()
        canvas._on_session_page_changed()
        pump(app, 0.2)
        settle(app, canvas)
        n = len(session.document.notebook.pages[0].strokes)
        select_s = timed(app, lambda: session.select_strokes(0, range(n)))
        print(f"select all {n} strokes (highlight painted where it changed): {select_s * 1000:.0f} ms")
        clear_s = timed(app, session.clear_selection)
        print(f"clear the selection: {clear_s * 1000:.0f} ms")
        plain = full_repaints(canvas)
        session.select_strokes(0, range(n))
        lit = full_repaints(canvas)
        print(
            f"full repaint of the page picture: {percentile_ms(plain, 50):.0f} ms plain, "
            f"{percentile_ms(lit, 50):.0f} ms with every stroke highlighted"
        )
        frames_lit = reveal_frames(app, session)
        session.clear_selection()
        frames_plain = reveal_frames(app, session)
        print(
            f"reveal frame: median {percentile_ms(frames_plain, 50):.2f} ms plain, "
            f"{percentile_ms(frames_lit, 50):.2f} ms all highlighted "
            f"(p95 {percentile_ms(frames_plain, 95):.2f} / {percentile_ms(frames_lit, 95):.2f} ms)"
        )
        centre = QPointF(960, 540)
        diagonal = [centre + QPointF(4 * k, 2.5 * k) for k in range(200)]
        rect = band_moves(app, canvas, RECTANGLE, diagonal)
        circle = [centre + QPointF(700 * math.cos(a / 40), 420 * math.sin(a / 40)) for a in range(252)]
        lasso = band_moves(app, canvas, LASSO, circle)
        moves = lasso[:-1]
        print(
            f"band move + its paint: rectangle median {percentile_ms(rect[:-1], 50):.2f} ms, "
            f"lasso median {percentile_ms(moves, 50):.2f} ms (p95 {percentile_ms(moves, 95):.2f})"
        )
        chosen = session.selected_strokes[1] if session.selected_strokes else ()
        print(
            f"lasso release ({len(circle)} points) → {len(chosen)} of {n} strokes selected: "
            f"{lasso[-1] * 1000:.0f} ms"
        )
        canvas.close()


if __name__ == "__main__":
    main()
