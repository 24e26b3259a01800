"""The waveform of the session's current recording: an overview strip and a zoomable detail
view drawn from the peak pyramid, with the playhead, the writing marks and the selection."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtWidgets import QProgressBar, QSizePolicy, QVBoxLayout, QWidget

from ..app.listening import Listening
from ..app.recording_peaks import RecordingPeaks
from ..app.session import Session
from ..audio.state_machine import PlaybackState
from ..media.envelope_scale import EnvelopeScale
from ..media.peaks import PeakPyramid
from .waveform_plot import (
    WAVE_PEN,
    WINDOW_BRUSH,
    SeekViewBox,
    TimeAxis,
    WaveformPlot,
    format_clock,
)
from .waveform_scale import WaveformScale
from .waveform_selection import SelectionBar

__all__ = ["WAVE_PEN", "SeekViewBox", "TimeAxis", "WaveformPlot", "WaveformView", "format_clock"]

INITIAL_SPAN_S = 30.0  # the detail view's span when a recording is opened, around the playhead
MIN_SPAN_S = 0.5  # deepest zoom: level-0 bins (256 frames) are then a few pixels wide
FOLLOW_AT = 0.95  # while playing, page the detail view once the playhead passes this fraction
FOLLOW_TO = 0.05  # ... so that the playhead lands here
PROGRESS_FORMAT = "Reading the waveform… %p%"


class WaveformView(QWidget):
    """Follows the session and `peaks` (the app's job making the current recording's
    pyramid): shows the envelope, and turns clicks into seeks and Shift-drags into the
    session's selection. `scale_choice` holds how it is drawn (dB, as heard with the
    listening options given to set_listening); a right click offers its actions."""

    def __init__(self, session: Session, peaks: RecordingPeaks, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.peaks = session, peaks
        self.duration_s = 0.0
        self._playing = False
        self.scale_choice = WaveformScale(self)
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
        s.playback.playhead_moved.connect(self._on_session_playhead_moved)
        s.selection_changed.connect(self._on_session_selection_changed)
        s.playback.state_changed.connect(self._on_session_playback_state_changed)
        s.sync_offset_changed.connect(self._on_session_sync_offset_changed)
        for plot in (self.overview, self.detail):
            plot.view.seek_requested.connect(self._on_view_seek_requested)
            plot.view.selection_dragged.connect(lambda a, b: s.set_selection((a, b)))
            plot.selection.sigRegionChangeFinished.connect(lambda region: s.set_selection(region.getRegion()))
            plot.view.menu_requested.connect(self.show_menu)
        self.detail.view.sigXRangeChanged.connect(self._on_detail_range_changed)
        self.window_region.sigRegionChanged.connect(self._on_window_region_changed)
        self.scale_choice.changed.connect(self._on_scale_changed)

    # --- how it is drawn ----------------------------------------------------------------
    def set_listening(self, listening: Listening) -> None:
        """The options the recording is heard with: the "as heard" waveform follows them."""
        self.scale_choice.set_listening(listening)

    def show_menu(self, at: QPoint) -> None:
        menu = self.scale_choice.menu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(at)

    def _on_scale_changed(self, scale: EnvelopeScale) -> None:
        for plot in (self.overview, self.detail):
            plot.set_scale(scale)

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
        self.scale_choice.set_recording(None, None)
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
        start = min(max(self.session.playback.position_s() - span / 2, 0.0), duration_s - span)
        self.detail.setXRange(start, start + span, padding=0)

    def _on_peaks_finished(self, pyramid: PeakPyramid) -> None:
        self.progress.hide()
        doc, index = self.session.document, self.session.recording
        recording = doc.notebook.recordings[index] if doc is not None and index >= 0 else None
        self.scale_choice.set_recording(recording, pyramid.loudness)
        marks = self._writing_marks()
        for plot in (self.overview, self.detail):
            plot.set_content(pyramid, marks)

    def _on_session_sync_offset_changed(self, _offset_ms: float) -> None:
        """The writing marks move with the recording's sync offset (the envelope stays)."""
        pyramid = self.detail.pyramid
        if pyramid is not None:
            marks = self._writing_marks()
            for plot in (self.overview, self.detail):
                plot.set_content(pyramid, marks)

    def _writing_marks(self) -> tuple[np.ndarray, np.ndarray]:
        """The current recording's writing marks, as the session places them (kept by the
        document: usually made by the worker that read the notebook or its peaks)."""
        doc, index = self.session.document, self.session.recording
        if doc is None or index < 0:
            return np.empty(0), np.empty(0)
        return doc.writing_marks(self.session.heard_timeline(), index)

    def _on_peaks_failed(self, text: str) -> None:
        self.progress.setFormat(f"No waveform: {text}")
        self.progress.setValue(0)

    # --- playhead, selection, navigation ----------------------------------------------
    def _on_session_playback_state_changed(self, state: PlaybackState) -> None:
        self._playing = state == PlaybackState.PLAYING

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
