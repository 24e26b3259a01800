"""The line under the waveform that says what is selected on it — start, end, length —
with the Loop selection switch (L), so a Shift+drag shows what it chose."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from ..app.session import Session
from ..model.units import format_hms

NO_SELECTION = "Shift+drag on the waveform to select a passage"


def selection_text(span: tuple[float, float] | None) -> str:
    if span is None:
        return NO_SELECTION
    start, end = span
    return (
        f"Selection {format_hms(start, millis=True)} – {format_hms(end, millis=True)} ({end - start:.1f} s)"
    )


class SelectionBar(QWidget):
    """Follows the session's selection and looping; the loop button is the window's
    `loop_selection` action."""

    def __init__(self, session: Session, loop_action: QAction | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.label = QLabel(NO_SELECTION, self)
        self.label.setObjectName("waveform-selection")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.label, 1)
        self.loop_button = QToolButton(self)
        layout.addWidget(self.loop_button)
        self._loop_action: QAction | None = None
        if loop_action is not None:
            self.set_loop_action(loop_action)
        session.selection_changed.connect(self._on_session_selection_changed)
        session.playback.looping_changed.connect(self._on_session_looping_changed)
        self._on_session_selection_changed(session.selection)

    def set_loop_action(self, action: QAction) -> None:
        self._loop_action = action
        self.loop_button.setDefaultAction(action)
        action.setToolTip("Play the selection over and over (L)")
        self._on_session_selection_changed(self.session.selection)

    def _on_session_selection_changed(self, span: tuple[float, float] | None) -> None:
        self.label.setText(selection_text(span))
        if self._loop_action is not None:
            self._loop_action.setEnabled(span is not None)

    def _on_session_looping_changed(self, looping: bool) -> None:
        if self._loop_action is not None:
            self._loop_action.setChecked(looping)
