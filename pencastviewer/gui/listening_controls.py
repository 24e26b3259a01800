"""The window's listening options: kept in the preferences (app.ListeningSetting), applied
to playback (app.HeardLevel) and shown by the waveform; the Normalize toggle and the
volume keys, which go past 100 % as a boost in decibels (the limiter still in place)."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from ..app.heard_level import HeardLevel
from ..app.listening import Listening
from ..app.listening_setting import ListeningSetting
from ..app.preferences import Preferences
from ..app.recording_peaks import RecordingPeaks
from ..app.session import Session
from .waveform import WaveformView

VOLUME_STEP = 0.1  # below 100 %
BOOST_STEP_DB = 2.0  # above 100 %


class ListeningControls(QObject):
    def __init__(
        self,
        session: Session,
        peaks: RecordingPeaks,
        preferences: Preferences,
        waveform: WaveformView,
        normalize_action: QAction,
        skip_action: QAction,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.setting = ListeningSetting(preferences, self)
        self.heard = HeardLevel(session, peaks, self.setting.listening, self)
        self.normalize_action, self.skip_action = normalize_action, skip_action
        self.setting.changed.connect(self._on_setting_changed)
        self.setting.changed.connect(waveform.set_listening)
        waveform.set_listening(self.setting.listening)
        waveform.scale_choice.keep_in(preferences)
        normalize_action.setChecked(self.setting.listening.normalize)
        normalize_action.toggled.connect(lambda on: self.setting.update(normalize=on))
        skip_action.setChecked(self.setting.listening.skip_silence)
        skip_action.toggled.connect(lambda on: self.setting.update(skip_silence=on))

    @property
    def listening(self) -> Listening:
        return self.setting.listening

    def louder(self) -> None:
        """Volume up to 100 %, then a boost of up to +20 dB."""
        playback = self.session.playback
        if playback.volume < 1.0 - 1e-6:
            playback.set_volume(playback.volume + VOLUME_STEP)
        else:
            self._say_boost(self.setting.step_boost(BOOST_STEP_DB))

    def quieter(self) -> None:
        playback = self.session.playback
        if self.setting.listening.boost_db > 0.0:
            self._say_boost(self.setting.step_boost(-BOOST_STEP_DB))
        else:
            playback.set_volume(playback.volume - VOLUME_STEP)

    def _say_boost(self, boost_db: float) -> None:
        text = f"Volume 100 % +{boost_db:g} dB" if boost_db > 0 else "Volume 100 %"
        self.session.message.emit(text)

    def _on_setting_changed(self, listening: Listening) -> None:
        self.heard.set_listening(listening)
        self.normalize_action.setChecked(listening.normalize)  # (no signal when unchanged)
        self.skip_action.setChecked(listening.skip_silence)
