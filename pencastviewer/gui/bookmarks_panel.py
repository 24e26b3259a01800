"""Bookmarks: B adds one at the playhead; the list jumps to them, F2 / double-click renames,
Delete removes; the current recording's are marked on the waveforms."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from ..app.bookmarks import Bookmark, Bookmarks
from ..app.session import Session
from ..model.units import format_hms
from .waveform import WaveformView
from .waveform_pins import WaveformPins

BOOKMARK_COLOR = QColor(40, 150, 60)
_ROLE = Qt.ItemDataRole.UserRole


class BookmarksPanel(QListWidget):
    def __init__(
        self,
        session: Session,
        bookmarks: Bookmarks,
        waveform: WaveformView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.bookmarks = session, bookmarks
        self.pins = WaveformPins(waveform, BOOKMARK_COLOR, 2.0) if waveform is not None else None
        self._filling = False
        bookmarks.changed.connect(self._fill)
        session.recording_changed.connect(lambda _r: self._mark())
        self.itemActivated.connect(self._on_item_activated)
        self.itemChanged.connect(self._on_item_changed)
        self._fill()

    def add_at_playhead(self) -> Bookmark | None:
        s = self.session
        if s.document is None or s.recording < 0:
            return None
        bookmark = self.bookmarks.add(s.recording, s.playback.position_s())
        row = self.bookmarks.items.index(bookmark)
        self.setCurrentRow(row)
        return bookmark

    def _fill(self) -> None:
        self._filling = True
        self.clear()
        for bookmark in self.bookmarks.items:
            item = QListWidgetItem(bookmark.name, self)
            item.setData(_ROLE, bookmark)
            item.setToolTip(
                f"recording {bookmark.recording + 1} at {format_hms(bookmark.position_s, millis=True)}"
            )
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self._filling = False
        self._mark()

    def _mark(self) -> None:
        if self.pins is not None:
            self.pins.set_positions(
                [b.position_s for b in self.bookmarks.in_recording(self.session.recording)]
            )

    def _on_item_activated(self, item: QListWidgetItem) -> None:
        bookmark: Bookmark = item.data(_ROLE)
        self.session.play_at(bookmark.recording, bookmark.position_s)

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        bookmark: Bookmark = item.data(_ROLE)
        if not self._filling and bookmark is not None and item.text() != bookmark.name:
            self.bookmarks.rename(bookmark, item.text().strip() or bookmark.name)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        item = self.currentItem()
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and item is not None:
            self.bookmarks.remove(item.data(_ROLE))
            return
        if event.key() == Qt.Key.Key_F2 and item is not None:
            self.editItem(item)
            return
        super().keyPressEvent(event)
