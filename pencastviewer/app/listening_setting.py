"""The listening options in force for the window: read from the preferences, kept there on
every change and announced to whoever applies them (the playback controller, the
waveform, the export dialog's "as played"), so they never disagree (QtCore only)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from .listening import Listening
from .preferences import Preferences


class ListeningSetting(QObject):
    """`changed(Listening)` after every change that makes a difference."""

    changed = Signal(object)

    def __init__(self, preferences: Preferences, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.preferences = preferences
        self._listening = preferences.listening()

    @property
    def listening(self) -> Listening:
        return self._listening

    def set(self, listening: Listening) -> None:
        if listening == self._listening:
            return
        self._listening = listening
        self.preferences.set_listening(listening)
        self.changed.emit(listening)

    def update(self, **changes: Any) -> None:
        """Change some options (normalize=, target_lufs=, voice_clarity=, skip_silence=,
        boost_db=): e.g. the transport's toggles."""
        self.set(replace(self._listening, **changes))

    def step_boost(self, step_db: float) -> float:
        """Volume beyond 100 % up or down by `step_db` (Ctrl+Up/Down), within 0…+20 dB;
        returns the boost now in force."""
        self.update(boost_db=self._listening.boost_db + step_db)
        return self._listening.boost_db
