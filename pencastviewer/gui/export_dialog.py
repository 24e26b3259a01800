"""The Export dialog: what to export (format, range, fades, size), a preview of the range,
and the export itself in a background worker with progress and Cancel."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..app.export.core import ClipSpec, ExportCancelled, ExportError
from ..app.export.ranges import FADE_MS, LEAD_IN_S, LEAD_OUT_S
from ..app.export.request import ClipRange, ClipRequest, build_clip
from ..app.export.run import Export, ExportResult
from ..app.export.task import ExportTask
from ..app.listening import Listening
from ..app.resources import demo_path
from ..app.session import Session
from ..model import Bookmark
from .export_fields import (
    FORMATS,
    PROCESSED_SOUND,
    SIZED,
    SOUND_AS_PLAYED,
    edited_time,
    format_hmsm,
    pixels_box,
    row,
    seconds_box,
    sound_choices,
)

__all__ = ["FORMATS", "ExportDialog", "format_hmsm"]

RANGE_SELECTION, RANGE_STROKES, RANGE_PAGE, RANGE_RECORDING = "selection", "strokes", "page", "recording"


class ExportDialog(QDialog):
    """Export a clip of the session's notebook. `strokes`: (page, stroke indices) selected
    on the page, then the range first offered. Ranges found from ink use the session's
    sync offsets, so a clip sounds as tap-to-play does; its sound is, by default, as
    `listening` makes the player sound (or the recording unchanged, when chosen). Emits
    `exported(path)` when a file was written. `bookmarks`: the window's current ones, which a
    .pencast clip carries (None: those the file carries)."""

    exported = Signal(str)

    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        strokes: tuple[int, Sequence[int]] | None = None,
        listening: Listening | None = None,
        bookmarks: Sequence[Bookmark] | None = None,
    ):
        super().__init__(parent)
        if session.document is None:
            raise ValueError("the Export dialog needs an opened notebook")
        self.session, self.document, self._strokes = session, session.document, strokes
        self.listening = Listening() if listening is None else listening
        self.bookmarks = None if bookmarks is None else tuple(bookmarks)  # into .pencast clips
        self._task: ExportTask | None = None
        self._base_spec: ClipSpec | None = None
        self.setWindowTitle("Export clip")
        self._build()
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
        form.addRow("Save as", row(self.path_edit, browse))
        self.range_box = QComboBox()
        for label, key in self._range_choices():
            self.range_box.addItem(label, key)
        self.range_box.currentIndexChanged.connect(self._on_range_changed)
        form.addRow("Range", self.range_box)
        self.lead_in, self.lead_out = seconds_box(LEAD_IN_S), seconds_box(LEAD_OUT_S)
        for box in (self.lead_in, self.lead_out):
            box.valueChanged.connect(self._on_range_changed)
        form.addRow("Lead-in / lead-out", row(self.lead_in, self.lead_out))
        self.start_edit, self.end_edit = QLineEdit(), QLineEdit()
        form.addRow("Start / end", row(self.start_edit, self.end_edit))
        self.fade_box = QSpinBox()
        self.fade_box.setRange(0, 5000)
        self.fade_box.setSuffix(" ms")
        self.fade_box.setValue(round(FADE_MS))
        form.addRow("Fade in / out", self.fade_box)
        self.width_box, self.height_box = pixels_box(1280), pixels_box(720)
        self.fit_box = QCheckBox("Fit the page")  # a video frame of the page's shape
        self.fit_box.setToolTip("The video takes the page's shape, 720 px on its short side")
        self.fit_box.setChecked(True)
        self.fit_box.toggled.connect(self._on_format_changed)
        form.addRow("Output size", row(self.width_box, QLabel("×"), self.height_box, self.fit_box))
        self.sound_box = QComboBox()
        for label, key in sound_choices(self.listening):
            self.sound_box.addItem(label, key)
        form.addRow("Sound", self.sound_box)
        self.preview_button = QPushButton("Preview")
        self.preview_button.clicked.connect(self.preview)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.export_button = QPushButton("Export")
        self.export_button.clicked.connect(self.start_export)
        self.cancel_button = QPushButton("Close")
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(row(self.preview_button, QWidget(), self.export_button, self.cancel_button))
        self.export_button.setDefault(True)  # Enter exports (only once in the dialog: before, Qt ignores it)

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
    def clip_request(self, start_s: float | None = None, end_s: float | None = None) -> ClipRequest:
        """The clip as the form describes it, with these ends (None: the range's own). The
        session's sync offsets go with it, so a clip sounds as tap-to-play does."""
        key, s = self.range_box.currentData(), self.session
        if key == RANGE_SELECTION and s.selection is not None:
            start_s = s.selection[0] if start_s is None else start_s
            end_s = s.selection[1] if end_s is None else end_s
        page = self._strokes[0] if key == RANGE_STROKES and self._strokes is not None else s.page
        kind = {RANGE_STROKES: ClipRange.STROKES, RANGE_PAGE: ClipRange.PAGE}.get(key, ClipRange.RECORDING)
        normalize_lufs, voice_clarity = self._sound()
        return ClipRequest(
            kind,
            page=None if kind is ClipRange.RECORDING else page,
            strokes=tuple(self._strokes[1]) if key == RANGE_STROKES and self._strokes is not None else (),
            recording=max(s.recording, 0),
            start_s=start_s,
            end_s=end_s,
            lead_in_s=self.lead_in.value(),
            lead_out_s=self.lead_out.value(),
            fade_ms=float(self.fade_box.value()),
            sync_offsets_ms=dict(s.sync_offsets_ms),
            size=self._size(),
            normalize_lufs=normalize_lufs,
            voice_clarity=voice_clarity,
            bookmarks=self.bookmarks,
        )

    def _sound(self) -> tuple[float | None, bool]:
        """(normalize_lufs, voice_clarity) as the chosen format and Sound ask for."""
        ext = self.format_box.currentData()
        if ext not in PROCESSED_SOUND or self.sound_box.currentData() != SOUND_AS_PLAYED:
            return None, False
        heard = self.listening.for_export()
        return heard.normalize_lufs, heard.voice_clarity

    def _size(self) -> tuple[int, int] | None:
        """The size typed, for the formats that have one (None: the page's shape, or none)."""
        if self.format_box.currentData() not in SIZED or self._fits_page():
            return None
        return self.width_box.value(), self.height_box.value()

    def _fits_page(self) -> bool:
        return self.format_box.currentData() == ".mp4" and self.fit_box.isChecked()

    def _on_range_changed(self) -> None:
        try:
            self._base_spec = build_clip(self.document, self.clip_request())
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
        base = self._base_spec
        if base.recording is None:
            return build_clip(self.document, self.clip_request())
        start_s = edited_time(self.start_edit.text(), base.start_s)
        return build_clip(
            self.document, self.clip_request(start_s, edited_time(self.end_edit.text(), base.end_s))
        )

    def _on_format_changed(self) -> None:
        ext = self.format_box.currentData()
        for box in (self.width_box, self.height_box):
            box.setEnabled(ext in SIZED and not self._fits_page())
        self.sound_box.setEnabled(ext in PROCESSED_SOUND)
        self.fit_box.setVisible(ext == ".mp4")
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
        self.session.play_at(spec.recording, spec.start_s)
        self.session.playback.play_until(spec.end_s)

    def _stop_preview(self) -> None:
        """A preview still playing stops with the dialog (other playback goes on)."""
        playback = self.session.playback
        if playback.stopping_at is not None:
            playback.play_until(None)
            if playback.playing:
                playback.pause()

    # --- export ------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._task is not None and self._task.running

    def start_export(self) -> None:
        """Export through an ExportTask (a worker thread); the window stays responsive."""
        if self.running:
            return
        try:
            spec, path = self.clip_spec(), Path(self.path_edit.text().strip())
        except ExportError as e:
            self._show_status(str(e), error=True)
            return
        self._stop_preview()
        task = self._task = ExportTask(Export(self.document, spec, path))
        task.progressed.connect(self._on_task_progressed)
        task.succeeded.connect(self._on_task_succeeded)
        task.failed.connect(self._on_task_failed)
        self._show_status(f"Exporting to {path.name}…")
        task.start()
        self._set_running(True)

    def _set_running(self, running: bool) -> None:
        self.export_button.setEnabled(not running)
        self.cancel_button.setText("Cancel" if running else "Close")
        self.progress.setValue(0)

    def _on_task_progressed(self, fraction: float) -> None:
        if self.running:
            self.progress.setValue(round(fraction * 1000))

    def _on_task_succeeded(self, result: ExportResult) -> None:
        self._set_running(False)
        self.progress.setValue(1000)
        self._show_status(f"Wrote {result.path}")
        self.exported.emit(str(result.path))

    def _on_task_failed(self, error: BaseException) -> None:
        self._set_running(False)
        if isinstance(error, ExportError):
            self._show_status(str(error), error=not isinstance(error, ExportCancelled))
        else:
            self._show_status(f"{type(error).__name__}: {error}; nothing was written", error=True)

    def cancel_export(self) -> None:
        if self._task is not None and self.running:
            self._task.cancel()
            self._show_status("Cancelling…")

    def _on_cancel_clicked(self) -> None:
        if self.running:
            self.cancel_export()
        else:
            self.reject()

    def done(self, result: int) -> None:  # every way of closing the dialog ends here
        """Closing cancels a running export without waiting for it: the task outlives the
        dialog and removes its temporary file itself."""
        task = self._task
        if task is not None and task.running:
            for signal in (task.progressed, task.succeeded, task.failed):
                signal.disconnect()
            task.cancel()
        self._stop_preview()
        super().done(result)

    def _show_status(self, text: str, *, error: bool = False) -> None:
        self.status.setStyleSheet("color: #b00020;" if error else "")
        self.status.setText(text)
