"""The zoom box of the toolbar: fit page, fit width or a percentage (typed or chosen)."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget

from .page_canvas import CUSTOM, FIT_PAGE, FIT_WIDTH, MAX_ZOOM, MIN_ZOOM, PageCanvas

PRESETS = (25, 50, 75, 100, 125, 150, 200, 300, 400, 800)
MODE_LABELS = {FIT_PAGE: "Fit page", FIT_WIDTH: "Fit width"}


class ZoomBox(QComboBox):
    """Shows the canvas's zoom and sets it."""

    def __init__(self, canvas: PageCanvas, parent: QWidget | None = None):
        super().__init__(parent)
        self.canvas = canvas
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setToolTip(f"Zoom ({MIN_ZOOM:.0f} %–{MAX_ZOOM:.0f} % of the page's real size)")
        for mode, label in MODE_LABELS.items():
            self.addItem(label, mode)
        for percent in PRESETS:
            self.addItem(f"{percent} %", float(percent))
        self.setMinimumContentsLength(9)
        self.activated.connect(self._on_activated)
        editor = self.lineEdit()
        assert editor is not None  # (an editable combo box always has one)
        editor.returnPressed.connect(self._on_return_pressed)
        canvas.zoom_changed.connect(self._on_canvas_zoom_changed)
        self._on_canvas_zoom_changed(canvas.zoom_percent)

    def _on_activated(self, index: int) -> None:
        value = self.itemData(index)
        if isinstance(value, str):
            self.canvas.set_mode(value)
        else:
            self.canvas.set_zoom(float(value))
        self.canvas.setFocus()

    def _on_return_pressed(self) -> None:
        match = re.search(r"\d+(?:[.,]\d+)?", self.currentText())
        if match:
            self.canvas.set_zoom(float(match.group().replace(",", ".")))
        else:
            self._on_canvas_zoom_changed(self.canvas.zoom_percent)
        self.canvas.setFocus()

    def _on_canvas_zoom_changed(self, percent: float) -> None:
        mode = self.canvas.mode
        self.setEditText(MODE_LABELS[mode] if mode != CUSTOM else f"{percent:.0f} %")
