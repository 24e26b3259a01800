"""The recordings of the notebook — name, then date, length and sync offset on a second
line (it sits in a narrow sidebar); the current one is selected and bold, and choosing
another makes it the session's current recording. A recording whose audio was not found
is marked missing (italic) and offers Locate recording… (right-click or double-click)."""

from __future__ import annotations

import re

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QMenu, QWidget

from ..app.session import Session
from ..model import Recording
from ..model.units import format_hms


def recording_date(recording: Recording) -> str:
    return recording.created.strftime("%Y-%m-%d %H:%M") if recording.created else "no date"


def names_its_date(recording: Recording) -> bool:
    """True when the recording's name already is its date (Livescribe names sessions
    "9/11/13, 2:56:36 AM" or "07.27.2020 2:04p"): the list then shows the date once."""
    created = recording.created
    if created is None:
        return False
    numbers = {int(n) for n in re.findall(r"\d+", recording.name)}
    year = created.year in numbers or created.year % 100 in numbers
    return year and created.day in numbers and created.month in numbers


def recording_text(recording: Recording, sync_offset_ms: float) -> str:
    details = [format_hms(recording.duration_s)]
    if not names_its_date(recording):
        details.insert(0, recording_date(recording))
    if sync_offset_ms:
        details.append(f"sync {sync_offset_ms:+.0f} ms")
    if recording.is_lost:
        details.append("audio missing from the damaged file")
    elif recording.is_missing:
        details.append("audio missing — Locate…")
    return f"{recording.name}\n{' · '.join(details)}"


MISSING_ROLE = Qt.ItemDataRole.UserRole + 1  # True on the row of a recording whose audio is missing


class RecordingsPanel(QListWidget):
    """Follows the session's document, recording and sync offsets; asks the window to
    locate a missing recording with `locate_requested(row)`."""

    locate_requested = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        session.opened.connect(self._on_session_opened)
        session.recording_changed.connect(self._on_session_recording_changed)
        session.sync_offset_changed.connect(self._on_session_sync_offset_changed)
        self.currentRowChanged.connect(self._on_current_row_changed)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._on_context_menu_requested)
        self.itemDoubleClicked.connect(self._on_item_double_clicked)

    def _on_session_opened(self) -> None:
        self.blockSignals(True)
        self.clear()
        doc = self.session.document
        assert doc is not None
        for recording in doc.notebook.recordings:
            item = QListWidgetItem()
            item.setToolTip(
                f"{recording.name}\n{len(recording.files)} file(s), {recording.codec}, "
                f"{recording.sample_rate} Hz"
            )
            if recording.is_missing:  # still selectable: its ink is there, only its sound is not
                item.setData(MISSING_ROLE, True)
                item.setToolTip(
                    f"{recording.name}\nThe audio was not found. Right-click or double-click "
                    "to locate it (File ▸ Locate recording…)."
                )
                font = item.font()
                font.setItalic(True)
                item.setFont(font)
            self.addItem(item)
        self.blockSignals(False)
        self._on_session_sync_offset_changed(self.session.sync_offset_ms)
        self._on_session_recording_changed(self.session.recording)

    def _on_session_recording_changed(self, index: int) -> None:
        self.blockSignals(True)
        for row in range(self.count()):
            font = self.item(row).font()
            font.setBold(row == index)
            self.item(row).setFont(font)
        if 0 <= index < self.count():
            self.setCurrentRow(index)
        else:
            self.clearSelection()
        self.blockSignals(False)

    def _on_session_sync_offset_changed(self, _offset_ms: float) -> None:
        doc = self.session.document
        if doc is None:
            return
        for row, recording in enumerate(doc.notebook.recordings[: self.count()]):
            self.item(row).setText(recording_text(recording, self.session.sync_offsets_ms.get(row, 0.0)))

    def is_marked_missing(self, row: int) -> bool:
        item = self.item(row)
        return item is not None and bool(item.data(MISSING_ROLE))

    def menu_for(self, row: int) -> QMenu | None:
        """The context menu of `row`: Locate recording… for a missing one, else none."""
        if not self.is_marked_missing(row):
            return None
        menu = QMenu(self)
        menu.addAction("Locate recording…", lambda: self.locate_requested.emit(row))
        return menu

    def _on_context_menu_requested(self, pos: QPoint) -> None:
        item = self.itemAt(pos)
        menu = self.menu_for(self.row(item) if item is not None else -1)
        if menu is not None:
            menu.exec(self.viewport().mapToGlobal(pos))
            menu.deleteLater()

    def _on_item_double_clicked(self, item: QListWidgetItem) -> None:
        if item.data(MISSING_ROLE):
            self.locate_requested.emit(self.row(item))

    def _on_current_row_changed(self, row: int) -> None:
        if row >= 0 and row != self.session.recording and not self.session.select_recording(row):
            self._on_session_recording_changed(self.session.recording)  # stay on the playable one
