"""What one fuzz input goes through: the one read entry point, then what `info`,
`locate` and the window do with a notebook (info's JSON and text, the timeline, the
hit index of every page), and the invariant that every float leaving a reader is finite."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from pencastviewer.formats import FormatError, ReadOptions, detect, read_notebook
from pencastviewer.model import Notebook, PageHitIndex, Timeline


class NonFinite(Exception):
    """A reader let a NaN or an infinity out."""


def _check_finite(notebook: Notebook) -> None:
    for p, page in enumerate(notebook.pages):
        if not (math.isfinite(page.width_mm) and math.isfinite(page.height_mm)):
            raise NonFinite(f"page {p} size")
        for s, stroke in enumerate(page.strokes):
            arrays = [stroke.xy_mm, stroke.t_ms] + (
                [stroke.widths_mm] if stroke.widths_mm is not None else []
            )
            if not all(np.isfinite(a).all() for a in arrays) or not math.isfinite(stroke.width_mm):
                raise NonFinite(f"page {p} stroke {s}")
    for r, rec in enumerate(notebook.recordings):
        for f in rec.files:
            if not (math.isfinite(f.clock_start_ms) and math.isfinite(f.clock_duration_ms)):
                raise NonFinite(f"recording {r} clock")


def _use(notebook: Notebook, name: str) -> None:
    from pencastviewer.cli.info import _text, describe

    doc = describe(notebook, name)
    json.dumps(doc, allow_nan=False)
    _text(doc)
    Timeline(notebook)
    for page in notebook.pages:
        index = PageHitIndex(page)
        index.hit(page.width_mm / 2, page.height_mm / 2, 5.0)
        for stroke in page.strokes[:3]:
            if stroke.n_points:
                x, y = stroke.xy_mm[0]
                index.hit(float(x), float(y), 3.0)


def run(path: Path, reader: list[str]) -> str:
    """The outcome: 'ok', 'FormatError' or the name of what escaped; `reader` gets the
    name of the reader the entry point chose (before anything can escape)."""
    try:
        name = detect(path).name
    except FormatError:
        reader.append("(not recognised)")
        return "FormatError"
    reader.append(name)
    try:
        notebook = read_notebook(path, ReadOptions())
    except FormatError as e:
        context = e.__context__
        while context is not None:  # read_notebook wraps MemoryError; count it apart
            if isinstance(context, MemoryError):
                return "MemoryError"
            context = context.__context__
        if not str(e).startswith(str(path)):
            return "FormatError without the file's name"
        return "FormatError"
    _check_finite(notebook)
    _use(notebook, name)
    return "ok"
