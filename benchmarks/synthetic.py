"""Synthetic notebooks for benchmarks: handwriting-like strokes at a realistic density."""

from __future__ import annotations

import numpy as np

from pencastviewer.model import Page, Stroke

A5_MM = (148.0, 210.0)


def handwriting_page(
    n_strokes: int,
    *,
    seed: int = 0,
    t0_ms: float = 0.0,
    recording: int | None = 0,
    size_mm: tuple[float, float] = A5_MM,
) -> Page:
    """`n_strokes` word-sized wiggles laid out in lines like dense notes, 75 Hz samples."""
    rng = np.random.default_rng(seed)
    width, height = size_mm
    strokes, t = [], t0_ms
    per_line = max(1, int(np.sqrt(n_strokes * width / height)))
    rows = int(np.ceil(n_strokes / per_line))
    for i in range(n_strokes):
        row, col = divmod(i, per_line)
        x0 = 5 + (width - 10) * col / per_line
        y0 = 5 + (height - 10) * (row + 0.5) / rows
        n = int(rng.integers(8, 40))
        steps = rng.normal(0, 0.6, (n, 2)) + [0.35, 0]
        xy = np.array([x0, y0]) + np.cumsum(steps, axis=0)
        times = t + np.arange(n) * (1000 / 75)
        strokes.append(Stroke(xy, times, recording=recording, color=(20, 20, 120, 255)))
        t = times[-1] + rng.uniform(80, 400)
    return Page(width, height, tuple(strokes))
