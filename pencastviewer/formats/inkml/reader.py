"""Walking an InkML document: contexts, trace formats, brushes, timestamps, trace groups."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ...model import BLACK, Color, Tool
from ...model import units as model_units
from ..anoto import page_address_text
from ..colors import parse_color
from ..errors import CorruptFileError, TooLargeError
from ..limits import points_left
from ..xmlsafe import local_name
from .timestamps import MAX_REF_DEPTH, XML_ID, Timestamps
from .trace import (
    MAX_VALUES,
    TraceError,
    TraceFormat,
    decode_values,
    livescribe_deltas,
    mm_per_unit,
    ms_per_tick,
    number,
    parse_trace_format,
    positive,
)

MAX_COORD_MM = 1e6  # 1 km: anything farther is damage, and would break drawing and hit tests
DEFAULT_WIDTH_MM = 0.35


@dataclass(frozen=True)
class Brush:
    color: Color = BLACK
    width_mm: float = DEFAULT_WIDTH_MM
    tool: Tool = Tool.PEN


DEFAULT_FORMAT = TraceFormat()
DEFAULT_BRUSH = Brush()


@dataclass(frozen=True)
class Context:
    """What applies to a trace: its format, brush, timestamp, the pen's uniform sample
    rate, mm per X/Y unit (None: unknown), and whether Livescribe wrote it."""

    format: TraceFormat = DEFAULT_FORMAT
    brush: Brush = DEFAULT_BRUSH
    timestamp: ET.Element | None = None
    sample_rate_hz: float | None = None
    mm_per_unit: float | None = None
    units_known: bool = False
    ms_per_tick: float = 1.0  # of the T channel (its units, or its resolution)
    livescribe: bool = False
    area_mm: tuple[float, float] | None = None


@dataclass
class Trace:
    xy: NDArray[np.float64]  # in the file's units until scaled
    t_ms: NDArray[np.float64] | None
    pressure: NDArray[np.float64] | None
    pressure_max: float | None
    context: Context


@dataclass
class Group:
    traces: list[Trace]
    label: str = ""
    address: str = ""
    size_mm: tuple[float, float] | None = None


class InkReader:
    """Walks the ink in document order, following references between definitions."""

    def __init__(self, path: Path, root: ET.Element, warn: Callable[[str], None]):
        self.path, self.root, self.warn = path, root, warn
        self.ids = {e.get(XML_ID): e for e in root.iter() if e.get(XML_ID)}
        self.livescribe_audio_ms: float | None = None
        self._n_values = 0
        self._n_points = 0
        self._n_traces = 0
        self._pressure_max = 0.0
        livescribe = any(
            local_name(e.tag) == "inkSource" and (e.get("manufacturer") or "").lower() == "livescribe"
            for e in root.iter()
        )
        self.clock = Timestamps(path, self._ref, pen_clock=livescribe)

    @property
    def absolute_time(self) -> bool:
        """Whether the ink's times are Unix times (a timestamp gave a date)."""
        return self.clock.absolute_time

    def groups(self) -> list[Group]:
        loose = Group([])
        groups: list[Group] = []
        context = Context()
        for child in self.root:
            name = local_name(child.tag)
            if name in ("context", "inkSource", "traceFormat") or (name == "brush" and not child.get(XML_ID)):
                context = self._apply(child, context, 0)  # a brush with an id waits for its brushRef
            elif name == "trace":
                loose.traces += self._trace(child, context)
            elif name == "traceGroup":
                groups.append(self._group(child, context))
            elif name == "annotationXML":
                self._livescribe_audio(child)
        result = ([loose] if loose.traces else []) + groups
        for trace in (t for g in result for t in g.traces):  # no declared maximum: the file's
            if trace.pressure is not None and trace.pressure_max is None:
                trace.pressure_max = self._pressure_max or None
        return result

    def _ref(self, text: str | None) -> ET.Element | None:
        target = (text or "").strip().lstrip("#")
        if target and target not in self.ids:
            self.warn(f"reference #{target} names no element; ignored")
        return self.ids.get(target) if target else None

    def _apply(self, elem: ET.Element, context: Context, depth: int) -> Context:
        """`context` updated by a context, inkSource, traceFormat, brush or timestamp."""
        if depth > MAX_REF_DEPTH:
            raise CorruptFileError(self.path, "references nest too deep (a cycle?)", where=f"<{elem.tag}>")
        name = local_name(elem.tag)
        if name == "timestamp":
            return replace(context, timestamp=elem)
        if name == "traceFormat":
            return self._with_format(context, parse_trace_format(elem), elem)
        if name == "brush":
            return replace(context, brush=self._brush(elem, context.brush, depth))
        if name == "inkSource":
            return self._source(elem, context, depth)
        if name != "context":
            return context
        for attr in ("contextRef", "inkSourceRef", "traceFormatRef", "brushRef", "timestampRef"):
            target = self._ref(elem.get(attr))
            if target is not None:
                context = self._apply(target, context, depth + 1)
        for child in elem:
            context = self._apply(child, context, depth + 1)
        return context

    def _source(self, elem: ET.Element, context: Context, depth: int) -> Context:
        livescribe = context.livescribe or (elem.get("manufacturer") or "").strip().lower() == "livescribe"
        context = replace(context, livescribe=livescribe)
        for child in elem:
            name = local_name(child.tag)
            if name == "traceFormat":
                context = self._with_format(context, parse_trace_format(child), elem)
            elif name == "sampleRate" and (child.get("uniform") or "true") != "false":
                context = replace(context, sample_rate_hz=positive(child.get("value")))
            elif name == "activeArea":
                context = replace(context, area_mm=self._area(child))
        return context

    def _with_format(self, context: Context, fmt: TraceFormat, elem: ET.Element) -> Context:
        """Millimetres per X/Y value and ms per T value from the channels' units and the
        `resolution`s of the inkSource's channelProperties (see trace.mm_per_unit)."""
        resolution = {}
        for prop in elem.iter():
            if local_name(prop.tag) == "channelProperty" and prop.get("name") == "resolution":
                resolution[prop.get("channel")] = (positive(prop.get("value")), prop.get("units") or "")
        x = fmt.channels[fmt.index("X") or 0]
        mm = mm_per_unit(x.units, resolution.get("X"))
        it = fmt.index("T")
        tick_ms = ms_per_tick(fmt.channels[it].units, resolution.get("T")) if it is not None else 1.0
        return replace(context, format=fmt, mm_per_unit=mm, units_known=mm is not None, ms_per_tick=tick_ms)

    def _area(self, elem: ET.Element) -> tuple[float, float] | None:
        width, height = positive(elem.get("width")), positive(elem.get("height"))
        scale = mm_per_unit(elem.get("units"), None)
        if width and height and scale:
            return width * scale, height * scale
        return None

    def _brush(self, elem: ET.Element, base: Brush, depth: int) -> Brush:
        if depth > MAX_REF_DEPTH:
            raise CorruptFileError(self.path, "brush references nest too deep (a cycle?)")
        brush = base
        target = self._ref(elem.get("brushRef"))  # a brush may extend another
        if target is not None:
            brush = self._brush(target, brush, depth + 1)
        for prop in elem:
            if local_name(prop.tag) != "brushProperty":
                continue
            name, value = prop.get("name"), prop.get("value") or ""
            if name == "color":
                brush = replace(brush, color=parse_color(value, brush.color))
            elif name == "width" and positive(value):
                scale = mm_per_unit(prop.get("units") or "mm", None) or 1.0
                brush = replace(brush, width_mm=float(value) * scale)
            elif name == "transparency" and positive(value) is not None:
                alpha = 255 - min(int(float(value)), 255)
                brush = replace(brush, color=(*brush.color[:3], alpha))
            elif name == "rasterOp" and value == "maskPen":  # how ink formats mark a highlighter
                brush = replace(brush, tool=Tool.HIGHLIGHTER)
        return brush

    def _group(self, elem: ET.Element, context: Context) -> Group:
        group = Group([], label=elem.get(XML_ID) or "")
        self._walk(elem, self._refs(elem, context), group)
        group_id = elem.get(XML_ID) or ""
        # Livescribe: the page address (a 64-bit number: at most 20 digits)
        if context.livescribe and group_id.isdigit() and len(group_id) <= 20:
            group.address = page_address_text(int(group_id))
        return group

    def _walk(self, elem: ET.Element, context: Context, group: Group) -> None:
        """Traces of a group and its nested groups (whose own references apply inside)."""
        for child in elem:
            name = local_name(child.tag)
            if name == "trace":
                group.traces += self._trace(child, context)
            elif name == "traceGroup":
                self._walk(child, self._refs(child, context), group)
            elif name in ("context", "traceFormat") or (name == "brush" and not child.get(XML_ID)):
                context = self._apply(child, context, 1)
            elif name == "activeArea" and child.get("mediaSize"):  # Livescribe: the paper
                self._paper(child, group)

    def _paper(self, elem: ET.Element, group: Group) -> None:
        numbers = [number(v) for v in re.findall(r"[-\d.]+", elem.get("mediaSize") or "")[:2]]
        scale = mm_per_unit(elem.get("units") or "anoto", None) or model_units.MM_PER_ANOTO
        if len(numbers) == 2 and all(n is not None and n > 0 for n in numbers):
            group.size_mm = (numbers[0] * scale, numbers[1] * scale)  # type: ignore[operator]
        if elem.get("pageIndex"):
            group.label = elem.get("pageIndex") or ""

    def _refs(self, elem: ET.Element, context: Context) -> Context:
        for attr in ("contextRef", "brushRef"):
            target = self._ref(elem.get(attr))
            if target is not None:
                context = self._apply(target, context, 1)
        return context

    def _trace(self, elem: ET.Element, context: Context) -> list[Trace]:
        context = self._refs(elem, context)
        fmt = context.format
        where = f"trace {elem.get(XML_ID) or self._n_traces + 1}"
        self._n_traces += 1
        text = elem.text or ""
        self._n_points += text.count(",") + 1  # before decoding: a point per comma-separated row
        points_left(self.path, self._n_points)
        try:
            values = decode_values(text, len(fmt.channels))
        except TraceError as e:
            self.warn(f"{where}: {e}; the trace is skipped")
            return []
        self._n_values += values.size
        if self._n_values > MAX_VALUES:
            raise TooLargeError(self.path, f"more than {MAX_VALUES} trace values")
        ix, iy = fmt.index("X"), fmt.index("Y")
        if ix is None or iy is None:
            self.warn("a trace format without X and Y channels; its traces are skipped")
            return []
        xy = values[:, [ix, iy]] * [fmt.channels[ix].sign, fmt.channels[iy].sign]
        if context.livescribe:
            xy = livescribe_deltas(xy)
        keep = np.all(np.isfinite(xy), axis=1)
        if not keep.any():
            return []
        if context.units_known and np.abs(xy[keep]).max() * (context.mm_per_unit or 1.0) > MAX_COORD_MM:
            self.warn(f"{where}: coordinates farther than {MAX_COORD_MM:g} mm; the trace is skipped")
            return []
        t_ms = self._times_ms(elem, context, values, keep)
        pressure, pmax = self._pressure(values, fmt, keep)
        return [Trace(xy[keep], t_ms, pressure, pmax, context)]

    def _pressure(
        self, values: NDArray[np.float64], fmt: TraceFormat, keep: NDArray[np.bool_]
    ) -> tuple[NDArray[np.float64] | None, float | None]:
        i = fmt.index("F")
        if i is None:
            return None, None
        force = np.nan_to_num(values[keep, i], nan=0.0)
        self._pressure_max = max(self._pressure_max, float(force.max(initial=0.0)))
        return force, fmt.channels[i].max

    def _times_ms(
        self, elem: ET.Element, context: Context, values: NDArray[np.float64], keep: NDArray[np.bool_]
    ) -> NDArray[np.float64] | None:
        """Point times in ms when the file gives them (T channel, duration, sample rate);
        None = only the start is known, or nothing (filled in later)."""
        start = self._start_ms(elem, context)
        fmt = context.format
        it = fmt.index("T")
        if it is not None:
            channel = fmt.channels[it]
            t = values[keep, it] * context.ms_per_tick
            if np.all(np.isfinite(t)):
                ref = self._ref(channel.respect_to) if channel.respect_to else None
                base = self.clock.time(ref) if ref is not None else None
                times: NDArray[np.float64] = t
                if base is not None:
                    times = base + t
                elif start is not None:
                    times = start + (t - t[0])
                return times
        if start is None:
            return None
        n = int(keep.sum())
        duration = positive(elem.get("duration"))
        if duration:
            return start + np.linspace(0.0, duration, n)
        if context.sample_rate_hz:
            return np.asarray(start + np.flatnonzero(keep) * (1000.0 / context.sample_rate_hz), np.float64)
        return np.array([start])  # start only: spread at writing speed once in mm

    def _start_ms(self, elem: ET.Element, context: Context) -> float | None:
        offset = number(elem.get("timeOffset"))
        base = self.clock.time(context.timestamp) if context.timestamp is not None else None
        if base is None:
            return offset
        return base + (offset or 0.0)

    def _livescribe_audio(self, elem: ET.Element) -> None:
        """Livescribe's audioSession/audio_file@start: where its recording begins (pen clock)."""
        given = [number(e.get("start")) for e in elem.iter() if local_name(e.tag) == "audio_file"]
        starts = [s for s in given if s is not None]
        if starts and self.livescribe_audio_ms is None:
            self.livescribe_audio_ms = min(starts)
