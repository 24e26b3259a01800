"""The Export dialog: what to export (format, range, fades, size), a preview of the range,
and the export itself in a background worker with progress and Cancel."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..app.export.core import ClipSpec, ExportCancelled, ExportError
from ..app.export.ranges import (
    FADE_MS,
    LEAD_IN_S,
    LEAD_OUT_S,
    clip_for_page,
    clip_for_recording,
    clip_for_span,
    clip_for_strokes,
    snap_to_recording_end,
    with_times,
)
from ..app.export.registry import export_clip
from ..app.resources import demo_path
from ..app.session import Session
from ..app.workers import Job
from ..model.units import parse_time

FORMATS = (  # (label, extension), in the order offered
    ("Audio — WAV", ".wav"),
    ("Audio — FLAC", ".flac"),
    ("Audio — Ogg Vorbis", ".ogg"),
    ("Audio — Opus", ".opus"),
    ("Audio — MP3", ".mp3"),
    ("Audio — M4A (AAC)", ".m4a"),
    ("Image — PNG", ".png"),
    ("Image — SVG (vector)", ".svg"),
    ("Image — PDF (vector)", ".pdf"),
    ("Video — MP4", ".mp4"),
    ("Web page — HTML", ".html"),
    ("Notebook — .pencast", ".pencast"),
)
SIZED = frozenset({".mp4", ".png"})  # formats that use the output size
RANGE_SELECTION, RANGE_STROKES, RANGE_PAGE, RANGE_RECORDING = "selection", "strokes", "page", "recording"


def format_hmsm(seconds: float) -> str:
    """h:mm:ss.mmm, always with hours, as the range editors show times."""
    total_ms = round(max(seconds, 0.0) * 1000)
    s, ms = divmod(total_ms, 1000)
    h, rem = divmod(s, 3600)
    return f"{h}:{rem // 60:02d}:{rem % 60:02d}.{ms:03d}"


class _ProgressRelay(QObject):
    """Lives in the GUI thread; the worker emits through it (queued across threads)."""

    progressed = Signal(float)


class ExportDialog(QDialog):
    """Export a clip of the session's notebook. `strokes`: (page, stroke indices) selected
    on the page, then the range first offered. Ranges found from ink use the session's
    sync offsets, so a clip sounds as tap-to-play does. Emits `exported(path)` when a file
    was written."""

    exported = Signal(str)

    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        strokes: tuple[int, Sequence[int]] | None = None,
    ):
        super().__init__(parent)
        if session.document is None:
            raise ValueError("the Export dialog needs an opened notebook")
        self.session, self.document, self._strokes = session, session.document, strokes
        self._job: Job | None = None  # kept after it ends: Qt may still be leaving its run()
        self._running = False
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._base_spec: ClipSpec | None = None
        self._preview_end_s: float | None = None
        self._relay = _ProgressRelay(self)
        self.setWindowTitle("Export clip")
        self._build()
        self._relay.progressed.connect(lambda f: self.progress.setValue(round(f * 1000)))
        self._on_format_changed()
        self._on_range_changed()

    # --- layout ------------------------------------------------------------------------
    def _build(self) -> None:
        form = QFormLayout()
        self.format_box = QComboBox()
        for label, ext in FORMATS:
            self.format_box.addItem(f"{label} ({ext})", ext)
        self.format_box.currentIndexChanged.connect(self._on_format_changed)
        form.addRow("Format", self.format_box)
        self.path_edit = QLineEdit()
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._on_browse_clicked)
        form.addRow("Save as", _row(self.path_edit, browse))
        self.range_box = QComboBox()
        for label, key in self._range_choices():
            self.range_box.addItem(label, key)
        self.range_box.currentIndexChanged.connect(self._on_range_changed)
        form.addRow("Range", self.range_box)
        self.lead_in, self.lead_out = _seconds_box(LEAD_IN_S), _seconds_box(LEAD_OUT_S)
        for box in (self.lead_in, self.lead_out):
            box.valueChanged.connect(self._on_range_changed)
        form.addRow("Lead-in / lead-out", _row(self.lead_in, self.lead_out))
        self.start_edit, self.end_edit = QLineEdit(), QLineEdit()
        form.addRow("Start / end", _row(self.start_edit, self.end_edit))
        self.fade_box = QSpinBox()
        self.fade_box.setRange(0, 5000)
        self.fade_box.setSuffix(" ms")
        self.fade_box.setValue(round(FADE_MS))
        form.addRow("Fade in / out", self.fade_box)
        self.width_box, self.height_box = _pixels_box(1280), _pixels_box(720)
        form.addRow("Output size", _row(self.width_box, QLabel("×"), self.height_box))
        self.preview_button = QPushButton("Preview")
        self.preview_button.clicked.connect(self.preview)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        self.cancel_button = QPushButton("Close")
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(_row(self.preview_button, QWidget(), self.export_button, self.cancel_button))

    def _range_choices(self) -> list[tuple[str, str]]:
        choices, s = [], self.session
        if self._strokes is not None:
            page, indices = self._strokes
            choices.append((f"Selected strokes ({len(indices)}, page {page + 1})", RANGE_STROKES))
        # (a waveform selection that only shows the selected strokes is not a range of its own)
        if s.selection is not None and s.recording >= 0 and s.selected_strokes is None:
            choices.append(("Selection on the waveform", RANGE_SELECTION))
        choices.append((f"This page ({self.session.page + 1})", RANGE_PAGE))
        if self.document.notebook.recordings:
            choices.append(("This recording", RANGE_RECORDING))
        return choices

    # --- the clip ----------------------------------------------------------------------
    def _range_spec(self) -> ClipSpec:
        key, s = self.range_box.currentData(), self.session
        from_ink = {
            "lead_in_s": self.lead_in.value(),
            "lead_out_s": self.lead_out.value(),
            "sync_offsets_ms": s.sync_offsets_ms,
        }
        if key == RANGE_SELECTION:
            assert s.selection is not None
            return clip_for_span(self.document, s.recording, *s.selection, sync_offset_ms=s.sync_offset_ms)
        if key == RANGE_STROKES:
            assert self._strokes is not None
            return clip_for_strokes(self.document, self._strokes[0], self._strokes[1], **from_ink)
        if key == RANGE_PAGE:
            return clip_for_page(self.document, s.page, **from_ink)
        recording = max(s.recording, 0)
        offset_ms = s.sync_offsets_ms.get(recording, 0.0)
        return clip_for_recording(self.document, recording, sync_offset_ms=offset_ms)

    def _on_range_changed(self) -> None:
        try:
            self._base_spec = self._range_spec()
        except ExportError as e:
            self._base_spec = None
            self._show_status(str(e), error=True)
            return
        key = self.range_box.currentData()
        for box in (self.lead_in, self.lead_out):
            box.setEnabled(key in (RANGE_STROKES, RANGE_PAGE))
        spec = self._base_spec
        has_audio = spec.recording is not None
        for edit, value in ((self.start_edit, spec.start_s), (self.end_edit, spec.end_s)):
            edit.setText(format_hmsm(value) if has_audio else "")
            edit.setEnabled(has_audio)
        self.preview_button.setEnabled(has_audio)

    def clip_spec(self) -> ClipSpec:
        """The clip as the dialog now describes it (ExportError when it cannot)."""
        if self._base_spec is None:
            raise ExportError("choose a range first")
        spec = self._base_spec
        if spec.recording is not None:
            start_s = _edited_time(self.start_edit.text(), spec.start_s)
            spec = with_times(spec, start_s, _edited_time(self.end_edit.text(), spec.end_s))
            spec = snap_to_recording_end(self.document, spec)
        return replace(
            spec, fade_ms=float(self.fade_box.value()), size=(self.width_box.value(), self.height_box.value())
        )

    def _on_format_changed(self) -> None:
        ext = self.format_box.currentData()
        for box in (self.width_box, self.height_box):
            box.setEnabled(ext in SIZED)
        path = self.path_edit.text().strip()
        self.path_edit.setText(str(Path(path).with_suffix(ext)) if path else str(self._default_path(ext)))

    def _default_path(self, ext: str) -> Path:
        """Beside the notebook, unless that is the program's own folder or read-only."""
        folder = self.document.path.parent
        if folder.resolve() == demo_path().parent.resolve() or not os.access(folder, os.W_OK):
            folder = Path.home()
        return folder / f"{self.document.path.stem}-clip{ext}"

    def _on_browse_clicked(self) -> None:
        ext = self.format_box.currentData()
        path, _ = QFileDialog.getSaveFileName(self, "Export clip as", self.path_edit.text(), f"*{ext}")
        if path:
            self.path_edit.setText(str(Path(path).with_suffix(ext)))

    # --- preview -----------------------------------------------------------------------
    def preview(self) -> None:
        """Play the range through the session, stopping at its end."""
        try:
            spec = self.clip_spec()
        except ExportError as e:
            self._show_status(str(e), error=True)
            return
        if spec.recording is None:
            return
        self._preview_end_s = spec.end_s
        self.session.playhead_moved.connect(self._on_session_playhead_moved)
        self.session.play_at(spec.recording, spec.start_s)

    def _on_session_playhead_moved(self, position_s: float) -> None:
        if self._preview_end_s is not None and position_s >= self._preview_end_s:
            self._stop_preview()

    def _stop_preview(self) -> None:
        if self._preview_end_s is None:
            return
        self._preview_end_s = None
        self.session.playhead_moved.disconnect(self._on_session_playhead_moved)
        if self.session.output.state() == "playing":
            self.session.output.pause()

    # --- export ------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._running

    def start_export(self) -> None:
        """Export in a worker thread; the window stays responsive."""
        if self.running:
            return
        try:
            spec, path = self.clip_spec(), Path(self.path_edit.text().strip())
        except ExportError as e:
            self._show_status(str(e), error=True)
            return
        self._stop_preview()
        self._cancel.clear()
        self._done.clear()
        document, relay, cancel, done = self.document, self._relay, self._cancel, self._done

        def work() -> Path:
            def progress(fraction: float) -> bool:
                relay.progressed.emit(fraction)
                return not cancel.is_set()

            try:
                return export_clip(document, spec, path, progress)
            finally:
                done.set()

        self._job = Job(work)
        self._job.relay.succeeded.connect(self._on_job_succeeded)
        self._job.relay.failed.connect(self._on_job_failed)
        self._running = True
        self._set_running(True)
        self._show_status(f"Exporting to {path.name}…")
        self._job.start()

    def _set_running(self, running: bool) -> None:
        self.export_button.setEnabled(not running)
        self.cancel_button.setText("Cancel" if running else "Close")
        self.progress.setValue(0)

    def _on_job_succeeded(self, path: Path) -> None:
        self._running = False
        self._set_running(False)
        self.progress.setValue(1000)
        self._show_status(f"Wrote {path}")
        self.exported.emit(str(path))

    def _on_job_failed(self, error: BaseException) -> None:
        self._running = False
        self._set_running(False)
        if isinstance(error, ExportError):
            self._show_status(str(error), error=not isinstance(error, ExportCancelled))
        else:
            self._show_status(f"{type(error).__name__}: {error}; nothing was written", error=True)

    def cancel_export(self) -> None:
        if self.running:
            self._cancel.set()
            self._show_status("Cancelling…")

    def _on_cancel_clicked(self) -> None:
        if self.running:
            self.cancel_export()
        else:
            self.reject()

    def done(self, result: int) -> None:  # every way of closing the dialog ends here
        if self.running:  # cancel and let the worker remove its temporary file first
            self._cancel.set()
            self._done.wait(10.0)
        self._stop_preview()
        super().done(result)

    def _show_status(self, text: str, *, error: bool = False) -> None:
        self.status.setStyleSheet("color: #b00020;" if error else "")
        self.status.setText(text)


def _edited_time(text: str, shown_s: float) -> float:
    """The time in an editor: the exact value shown when the text was left alone (the
    editors show whole milliseconds)."""
    if text.strip() == format_hmsm(shown_s):
        return shown_s
    try:
        seconds = parse_time(text)
    except ValueError:
        raise ExportError(f"not a time: {text!r} (use h:mm:ss.mmm or seconds)") from None
    return seconds


def _row(*widgets: QWidget) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return row


def _seconds_box(value: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0.0, 60.0)
    box.setDecimals(2)
    box.setSingleStep(0.25)
    box.setSuffix(" s")
    box.setValue(value)
    return box


def _pixels_box(value: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(16, 7680)
    box.setSuffix(" px")
    box.setValue(value)
    return box
