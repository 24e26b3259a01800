"""How the waveform draws the recording: on a decibel or a linear scale, as heard (the
listening gain, voice clarity's compression and the limiter's ceiling) or as recorded.
Two checkable actions hold the choice: the waveform's context menu shows them and the
window's View menu can add them."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from ..app.listening import Listening
from ..app.preferences import Preferences
from ..app.stored_level import level_processing
from ..media.dynamics import IDENTITY, Processing
from ..media.envelope_scale import EnvelopeScale
from ..media.loudness import Loudness
from ..model import Recording


class WaveformScale(QObject):
    """`changed(EnvelopeScale)` whenever what is to be drawn changes: an action toggled,
    other listening options, or the recording's loudness once measured."""

    changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db_action = QAction("Waveform in &Decibels", self)
        self.db_action.setCheckable(True)
        self.db_action.setToolTip("Quiet speech readable next to loud pen clicks (log scale)")
        self.heard_action = QAction("Waveform as &Heard", self)
        self.heard_action.setCheckable(True)
        self.heard_action.setChecked(True)
        self.heard_action.setToolTip(
            "The recording with the loudness normalisation and limiter it is played with"
        )
        for action in (self.db_action, self.heard_action):
            action.toggled.connect(lambda _on: self.changed.emit(self.scale()))
        self.listening = Listening()
        self._recording: Recording | None = None
        self._loudness: Loudness | None = None
        self._processing: Processing | None = None  # of the listening, recording and loudness above

    def keep_in(self, preferences: Preferences) -> None:
        """Start from the choices kept in `preferences` and keep every change there."""
        self.db_action.setChecked(preferences.get("waveform_db"))
        self.heard_action.setChecked(preferences.get("waveform_heard"))
        self.db_action.toggled.connect(lambda on: preferences.set("waveform_db", on))
        self.heard_action.toggled.connect(lambda on: preferences.set("waveform_heard", on))

    def set_listening(self, listening: Listening) -> None:
        if listening != self.listening:
            self.listening, self._processing = listening, None
            self.changed.emit(self.scale())

    def set_recording(self, recording: Recording | None, loudness: Loudness | None) -> None:
        """The recording shown and its loudness (None: none, or not measured yet)."""
        if recording is not self._recording or loudness is not self._loudness:
            self._recording, self._loudness, self._processing = recording, loudness, None
            self.changed.emit(self.scale())

    def processing(self) -> Processing:
        """What the recording goes through to be heard (worked out once per change), with
        its stored level if it has one (a .pencast clip exported normalised)."""
        if self._processing is None:
            recording, loudness = self._recording, self._loudness
            self._processing = (
                self.listening.processing(loudness)
                if recording is None
                else level_processing(self.listening, recording, loudness)
            )
        return self._processing

    def scale(self) -> EnvelopeScale:
        heard = self.processing() if self.heard_action.isChecked() else IDENTITY
        return EnvelopeScale.heard(heard, db=self.db_action.isChecked(), loudness=self._loudness)

    def menu(self, parent: QWidget) -> QMenu:
        menu = QMenu(parent)
        menu.addAction(self.db_action)
        menu.addAction(self.heard_action)
        return menu
