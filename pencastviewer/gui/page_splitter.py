"""The page above, the waveform below: the waveform keeps its share of the height as the
window grows or shrinks (a plain QSplitter gives every extra pixel to the page), and a
drag of the handle sets a new share."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QWidget

WAVEFORM_SHARE = 0.28  # of the height, until the user drags the handle


class PageWaveformSplitter(QSplitter):
    def __init__(self, page: QWidget, waveform: QWidget, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Vertical, parent)
        self.addWidget(page)
        self.addWidget(waveform)
        self.setChildrenCollapsible(False)
        self.waveform_share = WAVEFORM_SHARE
        self.splitterMoved.connect(self._on_splitter_moved)

    def _on_splitter_moved(self, _pos: int, _index: int) -> None:
        page, waveform = self.sizes()
        if page + waveform > 0 and waveform > 0:
            self.waveform_share = waveform / (page + waveform)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.share_height()

    def share_height(self) -> None:
        """Give the waveform its share of the height (when it is shown)."""
        waveform = self.widget(1)
        if waveform is None or not waveform.isVisibleTo(self):
            return
        total = sum(self.sizes())
        wanted = max(round(total * self.waveform_share), waveform.minimumHeight())
        self.setSizes([max(total - wanted, 0), wanted])
