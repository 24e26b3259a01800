"""Helpers for tests of the player window: notebooks made to order, and reading pixels of
the page canvas where a stroke lies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QColor, QImage

from pencastviewer.app.document import OpenedNotebook
from pencastviewer.model import AudioFile, AudioStore, Notebook, Page, Recording, Stroke, Timeline


def horizontal_stroke(
    y_mm: float,
    t0_ms: float,
    *,
    recording: int | None = 0,
    x0_mm: float = 20.0,
    length_mm: float = 60.0,
    duration_ms: float = 2000.0,
    n: int = 30,
) -> Stroke:
    """A straight, thick stroke from (x0, y) rightwards, written evenly over duration_ms."""
    xy = np.column_stack([np.linspace(x0_mm, x0_mm + length_mm, n), np.full(n, y_mm)])
    return Stroke(
        xy,
        np.linspace(t0_ms, t0_ms + duration_ms, n),
        width_mm=1.5,
        color=(20, 20, 120, 255),
        recording=recording,
    )


def notebook_of(
    pages: list[Page], durations_s: list[float], folder: Path, names: list[str] | None = None
) -> OpenedNotebook:
    """Recordings of the given lengths, each starting at notebook time 0 + 1000 s × index
    (stand-in files: the silent backend only needs their length)."""
    recordings = []
    for r, duration_s in enumerate(durations_s):
        path = folder / f"talk{r}.wav"
        path.write_bytes(b"")
        audio = AudioFile(
            AudioStore.FILE,
            str(path),
            "pcm",
            8000,
            1,
            int(duration_s * 8000),
            r * 1_000_000.0,
            duration_s * 1000,
        )
        recordings.append(Recording((names or [f"talk {r}"] * len(durations_s))[r], (audio,)))
    notebook = Notebook(tuple(pages), tuple(recordings), title="made to order")
    return OpenedNotebook(folder / "made.pencast", "pencast", notebook, Timeline(notebook))


def viewport_image(canvas) -> QImage:
    canvas.viewport().repaint()
    return canvas.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def darkest_near(image: QImage, pos: QPointF, radius: int = 2) -> QColor:
    """The darkest pixel within `radius` of `pos` (ink is thin: its centre pixel may be
    only partly covered)."""
    best, best_sum = QColor(255, 255, 255), 3 * 256
    centre = pos.toPoint()
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            p = centre + QPoint(dx, dy)
            if 0 <= p.x() < image.width() and 0 <= p.y() < image.height():
                color = image.pixelColor(p)
                total = color.red() + color.green() + color.blue()
                if total < best_sum:
                    best, best_sum = color, total
    return best


def ink_darkness(canvas, image: QImage, stroke: Stroke) -> float:
    """Mean over the stroke's points of 1 − lightness of the darkest pixel near each
    (0 = paper white, about 0.8 = the demo's full-colour ink)."""
    values = []
    for x, y in stroke.xy_mm.tolist():
        color = darkest_near(image, canvas.widget_point(x, y))
        values.append(1.0 - color.lightnessF())
    return float(np.mean(values))
