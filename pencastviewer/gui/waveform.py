"""The waveform of the session's current recording: an overview strip and a zoomable detail
view drawn from the peak pyramid, with the playhead, the writing marks and the selection."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QProgressBar, QSizePolicy, QVBoxLayout, QWidget

from ..app.recording_peaks import RecordingPeaks
from ..app.session import Session
from ..media.peaks import PeakPyramid
from .waveform_selection import SelectionBar

INITIAL_SPAN_S = 30.0  # the detail view's span when a recording is opened, around the playhead
MIN_SPAN_S = 0.5  # deepest zoom: level-0 bins (256 frames) are then a few pixels wide
FOLLOW_AT = 0.95  # while playing, page the detail view once the playhead passes this fraction
FOLLOW_TO = 0.05  # ... so that the playhead lands here
WAVE_PEN = (40, 90, 160)
MARK_BRUSH = (255, 170, 0, 60)
SELECTION_BRUSH = (60, 160, 90, 60)
WINDOW_BRUSH = (0, 0, 0, 30)
PLAYHEAD_PEN = pg.mkPen((200, 30, 30), width=2)
PROGRESS_FORMAT = "Reading the waveform… %p%"
# (major, minor) tick spacings in seconds that read well as clock times
_TIME_STEPS = (
    (0.1, 0.02),
    (0.2, 0.05),
    (0.5, 0.1),
    (1, 0.2),
    (2, 0.5),
    (5, 1),
    (10, 2),
    (15, 5),
    (30, 5),
    (60, 10),
    (120, 30),
    (300, 60),
    (600, 120),
    (900, 300),
    (1800, 300),
    (3600, 600),
    (7200, 1800),
    (14400, 3600),
    (28800, 7200),
)
_LABEL_PX = 90  # room a major tick's label needs


def format_clock(seconds: float, decimals: int = 0) -> str:
    """h:mm:ss, with `decimals` digits of the seconds."""
    total = round(max(seconds, 0.0), decimals)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    width = 2 + (decimals + 1 if decimals else 0)
    return f"{int(h)}:{int(m):02d}:{s:0{width}.{decimals}f}"


class TimeAxis(pg.AxisItem):  # type: ignore[misc]  # (pyqtgraph is untyped)
    """Ticks at clock-friendly steps, labelled h:mm:ss (with tenths below one second)."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        span = abs(maxVal - minVal)
        if span == 0 or size <= 0:
            return []
        wanted = span * _LABEL_PX / size
        major, minor = next((step for step in _TIME_STEPS if step[0] >= wanted), _TIME_STEPS[-1])
        return [(major, 0), (minor, 0)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        decimals = 1 if spacing < 1 else 0
        return [format_clock(v, decimals) for v in values]


class SeekViewBox(pg.ViewBox):  # type: ignore[misc]
    """Left click seeks; left drag scrubs; Shift + left drag selects; wheel zooms in time
    around the cursor and middle drag pans (pyqtgraph's own, x only)."""

    seek_requested = Signal(float)
    selection_dragged = Signal(float, float)  # where the drag began, where it is now (s)

    def __init__(self) -> None:
        super().__init__(enableMenu=False)
        self.setMouseEnabled(x=True, y=False)
        self.dragging = False

    def mouseClickEvent(self, ev: Any) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            super().mouseClickEvent(ev)
            return
        ev.accept()
        self.seek_requested.emit(self.mapToView(ev.pos()).x())

    def mouseDragEvent(self, ev: Any, axis: int | None = None) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            super().mouseDragEvent(ev, axis)
            return
        ev.accept()
        self.dragging = not ev.isFinish()
        x = self.mapToView(ev.pos()).x()
        if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.selection_dragged.emit(self.mapToView(ev.buttonDownPos()).x(), x)
        else:
            self.seek_requested.emit(x)


def _merge_marks(spans: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """Sorted, disjoint (starts, ends) covering every span."""
    if not spans:
        return np.empty(0), np.empty(0)
    pairs = np.array(sorted(spans), dtype=np.float64)
    starts, ends = pairs[:, 0], np.maximum.accumulate(pairs[:, 1])
    new = np.flatnonzero(starts[1:] > ends[:-1]) + 1  # a span that begins after all before it ended
    first = np.concatenate([[0], new])
    last = np.concatenate([new - 1, [len(pairs) - 1]])
    return starts[first], ends[last]


class WaveformPlot(pg.PlotWidget):  # type: ignore[misc]
    """One view of the envelope: redrawn from the pyramid at one bin per pixel whenever its
    time range changes. The curve gets only those bins, never raw samples, so pyqtgraph's
    downsampling (which rescans samples on every change) is not involved."""

    def __init__(self, parent: QWidget | None = None):
        self.view = SeekViewBox()
        super().__init__(parent, viewBox=self.view, axisItems={"bottom": TimeAxis("bottom")})
        self.hideAxis("left")
        self.hideButtons()
        self.setDownsampling(ds=1, auto=False)  # (it only acts on PlotDataItems; said for the record)
        palette = self.palette()
        self.setBackground(palette.color(QPalette.ColorRole.Base))
        axis = self.getAxis("bottom")
        axis.setPen(palette.color(QPalette.ColorRole.Mid))
        axis.setTextPen(palette.color(QPalette.ColorRole.Text))
        axis.setStyle(maxTextLevel=0)  # label major ticks only: measuring minor labels cost ms
        axis.enableAutoSIPrefix(False)  # seconds stay seconds (and no label re-layout per range)
        self.setYRange(-1.0, 1.0, padding=0.02)
        self.pyramid: PeakPyramid | None = None
        self.marks = (np.empty(0), np.empty(0))
        self.mark_curve = pg.PlotCurveItem(pen=None, brush=MARK_BRUSH, fillLevel=-1.0, skipFiniteCheck=True)
        self.envelope = pg.PlotCurveItem(pen=WAVE_PEN, connect="pairs", skipFiniteCheck=True)
        self.envelope.setSegmentedLineMode("on")  # drawLines: measured faster than one path
        self.selection = pg.LinearRegionItem(brush=SELECTION_BRUSH, movable=True)
        self.selection.setMovable(False)  # the body passes clicks and drags on to the view...
        for line in self.selection.lines:
            line.setMovable(True)  # ... while its edges can be dragged
        self.selection.hide()
        self.playhead = pg.InfiniteLine(0.0, angle=90, movable=False, pen=PLAYHEAD_PEN)
        for z, item in enumerate((self.mark_curve, self.selection, self.envelope, self.playhead)):
            item.setZValue(z)
            self.addItem(item)
        self.view.sigXRangeChanged.connect(lambda *_: self.redraw())
        self.view.sigResized.connect(lambda *_: self.redraw())

    def x_range(self) -> tuple[float, float]:
        x0, x1 = self.view.viewRange()[0]
        return x0, x1

    def width_px(self) -> int:
        return max(int(self.view.width() * self.devicePixelRatioF()), 1)

    def set_content(self, pyramid: PeakPyramid | None, marks: tuple[np.ndarray, np.ndarray]) -> None:
        self.pyramid, self.marks = pyramid, marks
        self.redraw()

    def redraw(self) -> None:
        x0, x1 = self.x_range()
        n_px = self.width_px()
        if self.pyramid is None:
            self.envelope.setData([], [])
        else:
            times, mins, maxs = self.pyramid.query(x0, x1, n_px)
            self.envelope.setData(np.repeat(times, 2), np.column_stack([mins, maxs]).ravel())
        self._draw_marks(x0, x1, (x1 - x0) / n_px)

    def _draw_marks(self, x0: float, x1: float, px_s: float) -> None:
        """The marks in view as one filled step curve; gaps under a pixel are closed and
        marks are at least a pixel wide, so the curve stays within ~width/2 steps."""
        starts, ends = self.marks
        lo, hi = np.searchsorted(ends, x0), np.searchsorted(starts, x1, side="right")
        starts, ends = starts[lo:hi], np.maximum(ends[lo:hi], starts[lo:hi] + px_s)
        if len(starts) == 0:
            self.mark_curve.setData([], [])
            return
        keep = np.flatnonzero(starts[1:] - ends[:-1] >= px_s)
        starts, ends = starts[np.concatenate([[0], keep + 1])], ends[np.concatenate([keep, [len(ends) - 1]])]
        xs = np.column_stack([starts, starts, ends, ends]).ravel()
        ys = np.tile([-1.0, 1.0, 1.0, -1.0], len(starts))
        self.mark_curve.setData(xs, ys)


class WaveformView(QWidget):
    """Follows the session and `peaks` (the app's job making the current recording's
    pyramid): shows the envelope, and turns clicks into seeks and Shift-drags into the
    session's selection."""

    def __init__(self, session: Session, peaks: RecordingPeaks, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.peaks = session, peaks
        self.duration_s = 0.0
        self._playing = False
        self.overview = WaveformPlot(self)
        self.overview.hideAxis("bottom")
        self.overview.setFixedHeight(56)
        self.overview.view.setMouseEnabled(x=False, y=False)
        self.window_region = pg.LinearRegionItem(brush=WINDOW_BRUSH)
        self.window_region.setZValue(-1)
        self.overview.addItem(self.window_region)
        self.detail = WaveformPlot(self)
        self.progress = QProgressBar(self)
        self.progress.setFormat(PROGRESS_FORMAT)
        self.progress.setMaximumHeight(16)
        self.progress.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.selection_bar = SelectionBar(session, None, self)
        for widget in (self.overview, self.progress, self.detail, self.selection_bar):
            layout.addWidget(widget)
        self.setMinimumHeight(140)
        # Expanding like the page above it, so the splitter shares a taller window with it.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self._connect()
        self._show_peaks_state()
        self._on_session_recording_changed(session.recording)

    def sizeHint(self) -> QSize:
        return QSize(800, 220)

    def _connect(self) -> None:
        s, peaks = self.session, self.peaks
        peaks.cleared.connect(self._on_peaks_cleared)
        peaks.started.connect(self._on_peaks_started)
        peaks.progressed.connect(lambda fraction: self.progress.setValue(round(fraction * 100)))
        peaks.finished.connect(self._on_peaks_finished)
        peaks.failed.connect(self._on_peaks_failed)
        s.recording_changed.connect(self._on_session_recording_changed)
        s.playhead_moved.connect(self._on_session_playhead_moved)
        s.selection_changed.connect(self._on_session_selection_changed)
        s.playback_state_changed.connect(self._on_session_playback_state_changed)
        s.sync_offset_changed.connect(self._on_session_sync_offset_changed)
        for plot in (self.overview, self.detail):
            plot.view.seek_requested.connect(self._on_view_seek_requested)
            plot.view.selection_dragged.connect(lambda a, b: s.set_selection((a, b)))
            plot.selection.sigRegionChangeFinished.connect(lambda region: s.set_selection(region.getRegion()))
        self.detail.view.sigXRangeChanged.connect(self._on_detail_range_changed)
        self.window_region.sigRegionChanged.connect(self._on_window_region_changed)

    # --- recording and pyramid --------------------------------------------------------
    def _on_session_recording_changed(self, index: int) -> None:
        """No sound to show: no waveform at all (an empty axis and a playhead would suggest some)."""
        doc = self.session.document
        self.setVisible(doc is not None and index >= 0 and not doc.notebook.recordings[index].is_missing)

    def _show_peaks_state(self) -> None:
        """Catch up with a job started before this view existed."""
        peaks = self.peaks
        if peaks.pyramid is not None:
            self._on_peaks_started(peaks.duration_s)
            self._on_peaks_finished(peaks.pyramid)
        elif peaks.running:
            self._on_peaks_started(peaks.duration_s)
        else:
            self._on_peaks_cleared()

    def _clear_plots(self) -> None:
        for plot in (self.overview, self.detail):
            plot.set_content(None, (np.empty(0), np.empty(0)))

    def _on_peaks_cleared(self) -> None:
        self._clear_plots()
        self.progress.hide()
        if self.session.recording < 0:
            self.duration_s = 0.0

    def _on_peaks_started(self, duration_s: float) -> None:
        self._clear_plots()
        self._set_duration(max(duration_s, MIN_SPAN_S))
        self.progress.setFormat(PROGRESS_FORMAT)
        self.progress.setValue(0)
        self.progress.show()

    def _set_duration(self, duration_s: float) -> None:
        self.duration_s = duration_s
        self.overview.setLimits(xMin=0.0, xMax=duration_s)
        self.overview.setXRange(0.0, duration_s, padding=0)
        self.detail.setLimits(xMin=0.0, xMax=duration_s, minXRange=min(MIN_SPAN_S, duration_s))
        self.window_region.setBounds((0.0, duration_s))
        span = min(INITIAL_SPAN_S, duration_s)
        start = min(max(self.session.position_s() - span / 2, 0.0), duration_s - span)
        self.detail.setXRange(start, start + span, padding=0)

    def _on_peaks_finished(self, pyramid: PeakPyramid) -> None:
        self.progress.hide()
        marks = _merge_marks(self.session.writing_positions_s())
        for plot in (self.overview, self.detail):
            plot.set_content(pyramid, marks)

    def _on_session_sync_offset_changed(self, _offset_ms: float) -> None:
        """The writing marks move with the recording's sync offset (the envelope stays)."""
        pyramid = self.detail.pyramid
        if pyramid is not None:
            marks = _merge_marks(self.session.writing_positions_s())
            for plot in (self.overview, self.detail):
                plot.set_content(pyramid, marks)

    def _on_peaks_failed(self, text: str) -> None:
        self.progress.setFormat(f"No waveform: {text}")
        self.progress.setValue(0)

    # --- playhead, selection, navigation ----------------------------------------------
    def _on_session_playback_state_changed(self, state: str) -> None:
        self._playing = state == "playing"

    def _on_session_playhead_moved(self, position_s: float) -> None:
        for plot in (self.overview, self.detail):
            plot.playhead.setValue(position_s)
        if not self.detail.view.dragging:
            self._keep_in_view(position_s)

    def _keep_in_view(self, position_s: float) -> None:
        """Bring the playhead back into the detail view; while playing, page ahead of it."""
        x0, x1 = self.detail.x_range()
        span = x1 - x0
        limit = x0 + FOLLOW_AT * span if self._playing else x1
        if x0 <= position_s <= limit or span <= 0:
            return
        start = min(max(position_s - FOLLOW_TO * span, 0.0), max(self.duration_s - span, 0.0))
        self.detail.setXRange(start, start + span, padding=0)

    def _on_session_selection_changed(self, span: tuple[float, float] | None) -> None:
        for plot in (self.overview, self.detail):
            plot.selection.setVisible(span is not None)
            if span is not None:
                plot.selection.setRegion(span)

    def _on_view_seek_requested(self, position_s: float) -> None:
        self.session.seek(min(max(position_s, 0.0), self.duration_s))

    def _on_detail_range_changed(self) -> None:
        self.window_region.setRegion(self.detail.x_range())

    def _on_window_region_changed(self) -> None:
        start, end = self.window_region.getRegion()
        if (start, end) != self.detail.x_range() and end > start:
            self.detail.setXRange(start, end, padding=0)
