"""W3C InkML ink (.inkml), standard and as Livescribe writes it, with an audio file beside."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ...model import Notebook, Page, Stroke
from ..errors import CorruptFileError, TooLargeError
from ..limits import unix_ms_datetime
from ..registry import FormatSpec, ReadOptions
from ..timing import next_start, writing_times
from ..xmlsafe import local_name, parse_xml
from .audio import attach_recording
from .reader import Group, InkReader, Trace

MAX_INKML_BYTES = 512 * 1024 * 1024
MARGIN_MM = 10.0  # around the ink when a page's size has to come from the ink itself
FIT_MM = 180.0  # ink in unknown units is scaled to this width (or height)
UNTIMED_GAP_MS = 200.0  # between traces that carry no time at all
_SNIFF = re.compile(rb"<(?:[\w.-]+:)?ink[\s>/]")


def sniff(head: bytes, path: Path) -> bool:
    return _SNIFF.search(head) is not None and (b"InkML" in head or path.suffix.lower() == ".inkml")


def read(path: Path, options: ReadOptions) -> Notebook:
    path = Path(path)
    if path.stat().st_size > MAX_INKML_BYTES:
        raise TooLargeError(path, f"InkML file larger than {MAX_INKML_BYTES} bytes")
    root = parse_xml(path.read_bytes(), path, what="InkML")
    if local_name(root.tag) != "ink":
        raise CorruptFileError(path, f"root element is <{local_name(root.tag)}>, not <ink>")
    warnings: list[str] = []
    reader = InkReader(path, root, warnings.append)
    groups = reader.groups()
    pages = _pages(groups, warnings.append)
    if not pages:
        raise CorruptFileError(path, "the InkML file holds no traces")
    pages, recordings = attach_recording(
        path, options, pages, reader.absolute_time, reader.livescribe_audio_ms, warnings.append
    )
    span = [s.start_ms for p in pages for s in p.strokes]
    created = unix_ms_datetime(min(span)) if reader.absolute_time and span else None
    return Notebook(
        tuple(pages),
        tuple(recordings),
        title=path.stem,
        source_format="inkml",
        created=created,
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _pages(groups: list[Group], warn: Callable[[str], None]) -> list[Page]:
    if any(not t.context.units_known for g in groups for t in g.traces):
        warn("the ink's length units are not given; it is scaled to fit the page")
    fit = _fit_scale(groups)
    scaled = [
        [t.xy * (t.context.mm_per_unit if t.context.mm_per_unit is not None else fit) for t in g.traces]
        for g in groups
    ]
    times = _all_times([t for g in groups for t in g.traces], [xy for g in scaled for xy in g])
    pages, k = [], 0
    for group, xys in zip(groups, scaled, strict=True):
        strokes = [
            _model_stroke(xy, t, times[k + i])
            for i, (xy, t) in enumerate(zip(xys, group.traces, strict=True))
        ]
        k += len(xys)
        pages.append(_page(group, strokes))
    return [p for p in pages if p is not None]


def _fit_scale(groups: list[Group]) -> float:
    """mm per unit for ink whose units are unknown: its largest extent becomes FIT_MM."""
    unknown = [t.xy for g in groups for t in g.traces if not t.context.units_known]
    if not unknown:
        return 1.0
    points = np.concatenate(unknown)
    extent = float((points.max(axis=0) - points.min(axis=0)).max())
    return FIT_MM / extent if extent > 0 else 1.0


def _all_times(traces: list[Trace], xys: list[NDArray[np.float64]]) -> list[NDArray[np.float64]]:
    """Every trace's point times. A trace known only by its start is spread at writing
    speed up to the next trace's start; traces with no time at all follow one another
    in document order from 0, UNTIMED_GAP_MS apart."""
    starts = sorted(float(t.t_ms[0]) for t in traces if t.t_ms is not None)
    clock, result = 0.0, []
    for trace, xy in zip(traces, xys, strict=True):
        if trace.t_ms is None:
            t = writing_times(xy, clock, None)
            clock = float(t[-1]) + UNTIMED_GAP_MS
        elif len(trace.t_ms) == 1 and len(xy) > 1:
            start = float(trace.t_ms[0])
            t = writing_times(xy, start, next_start(starts, start))
        else:
            t = np.maximum.accumulate(trace.t_ms)  # a clock that steps back is held still
        result.append(t)
    return result


def _page(group: Group, strokes: list[Stroke]) -> Page | None:
    if not strokes:
        return None
    area = group.size_mm or _area_of(group)
    points = np.concatenate([s.xy_mm for s in strokes])
    if area is None:  # no paper: the page is the ink's bounds plus a margin
        origin = points.min(axis=0) - MARGIN_MM
        size = points.max(axis=0) + MARGIN_MM - origin
        strokes = [s.with_changes(xy_mm=s.xy_mm - origin) for s in strokes]
        area = (float(size[0]), float(size[1]))
    return Page(area[0], area[1], tuple(strokes), label=group.label, address=group.address)


def _area_of(group: Group) -> tuple[float, float] | None:
    return group.traces[0].context.area_mm if group.traces else None


def _model_stroke(xy_mm: NDArray[np.float64], trace: Trace, t_ms: NDArray[np.float64]) -> Stroke:
    brush = trace.context.brush
    widths = None
    if trace.pressure is not None:
        top = trace.pressure_max or float(trace.pressure.max(initial=0.0))
        if top > 0:  # width follows pressure, never below a tenth of the brush width
            widths = brush.width_mm * np.clip(trace.pressure / top, 0.1, 1.0)
    return Stroke(xy_mm, t_ms, brush.width_mm, brush.color, brush.tool, None, widths)


FORMAT = FormatSpec(
    name="inkml",
    description="InkML ink",
    extensions=(".inkml",),
    sniff=sniff,
    read=read,
)
