"""The transport bar: play/pause, stop, skips and jumps (the window's actions), a position
slider with time / total, speed, volume and mute, and the recording's sync offset.

Its controls never take the keyboard focus, so Space and the arrows always reach the
window's shortcuts.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLabel, QSlider, QToolBar, QToolButton, QWidget

from ..app.session import Session
from ..audio.state_machine import PlaybackState
from ..model.units import format_hms
from .icons import icon

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)
BUTTONS = ("previous_phrase", "back_5", "play_pause", "stop", "forward_5", "next_phrase")
SYNC_BUTTONS = (  # name, button text, tooltip: what a click does to the ink and the sound
    ("sync_earlier", "−10 ms", "Audio sync: hear the sound of the ink 10 ms earlier"),
    ("sync_later", "+10 ms", "Audio sync: hear the sound of the ink 10 ms later"),
)
# Commands that need a recording: without one the transport is greyed out, not silently inert.
NEEDS_AUDIO = (*BUTTONS, "back_30", "forward_30", "previous_stroke", "next_stroke", "slower", "faster") + (
    "normal_speed",
    "sync_earlier",
    "sync_later",
    "sync_reset",
)


def speed_text(rate: float) -> str:
    return f"{rate:g}×"


class Transport(QToolBar):
    """Follows the session's playhead, state, rate, volume and sync offset. `actions`:
    the window's actions by command name (see shortcuts.COMMANDS)."""

    def __init__(self, session: Session, actions: dict[str, QAction], parent: QWidget | None = None):
        super().__init__("Playback", parent)
        self.session = session
        self._actions = actions
        self.setObjectName("transport")
        self.setMovable(False)
        self.setFloatable(False)
        for name in BUTTONS:
            self.addAction(actions[name])
        self.position = QSlider(Qt.Orientation.Horizontal, self)
        self.position.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.position.setToolTip("Position in the recording: drag to move")
        self.position.setMinimumWidth(160)
        self.time_label = QLabel("", self)
        self.time_label.setToolTip("Time / length of the current recording")
        self.time_label.setMinimumWidth(self.fontMetrics().horizontalAdvance(" 0:00:00 / 0:00:00 "))
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.addWidget(self.position)
        self.addWidget(self.time_label)
        self.addSeparator()
        self._add_speed()
        self.addSeparator()
        self._add_volume()
        self.addSeparator()
        self._add_sync()
        self._connect()
        self._on_session_recording_changed(session.recording)
        self.refresh_icons()
        self._on_session_rate_changed(session.playback.rate)
        self._set_quietly(self.volume, round(session.playback.volume * 100))

    def _add_speed(self) -> None:
        self.speed = QComboBox(self)
        self.speed.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.speed.setToolTip("Playback speed (the pitch is kept)")
        for rate in SPEEDS:
            self.speed.addItem(speed_text(rate), rate)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.addWidget(QLabel(" Speed ", self))
        self.addWidget(self.speed)

    def _action_button(self, name: str, tooltip: str | None = None) -> QToolButton:
        button = QToolButton(self)
        button.setDefaultAction(self._actions[name])
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        if tooltip:
            button.setToolTip(tooltip)
        return button

    def _add_volume(self) -> None:
        self.mute_button = self._action_button("mute")
        self.volume = QSlider(Qt.Orientation.Horizontal, self)
        self.volume.setRange(0, 100)
        self.volume.setValue(100)
        self.volume.setFixedWidth(90)
        self.volume.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.volume.setToolTip("Volume (Ctrl+Up beyond 100 %: a boost of up to +20 dB)")
        self._actions["normalize"].setIconText("Normalize")  # what the button shows (room is short)
        self.normalize_button = self._action_button(
            "normalize", "Bring quiet speech to a steady loudness; clicks are limited (N)"
        )
        self.skip_button = self._action_button(
            "skip_silence", "Jump over pauses longer than 0.7 s while playing (K)"
        )
        for widget in (self.mute_button, self.volume, self.normalize_button, self.skip_button):
            self.addWidget(widget)

    def _add_sync(self) -> None:
        self.sync_label = QLabel("", self)
        self.sync_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("Sync +00000 ms "))
        self.sync_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.sync_label.setToolTip(
            "Audio sync offset of this recording (remembered for the file).\n"
            "Positive: the audio of a stroke comes later in the recording."
        )
        self.addWidget(QLabel(" Audio sync ", self))
        for name, text, tip in SYNC_BUTTONS:
            action = self._actions[name]
            action.setIconText(text)  # the button's words; the menu keeps the action's text
            keys = action.shortcut().toString()
            action.setToolTip(f"{tip} ({keys})" if keys else tip)
            button = self._action_button(name)
            button.setObjectName(name)
            if name == "sync_later":
                self.addWidget(self.sync_label)
            self.addWidget(button)

    def _connect(self) -> None:
        s, p = self.session, self.session.playback
        p.playhead_moved.connect(self._on_session_playhead_moved)
        p.state_changed.connect(self._on_session_playback_state_changed)
        s.recording_changed.connect(self._on_session_recording_changed)
        p.rate_changed.connect(self._on_session_rate_changed)
        p.volume_changed.connect(lambda v: self._set_quietly(self.volume, round(v * 100)))
        p.muted_changed.connect(self._on_session_muted_changed)
        s.sync_offset_changed.connect(self._on_session_sync_offset_changed)
        self.position.sliderMoved.connect(lambda ms: s.seek(ms / 1000.0))
        self.position.actionTriggered.connect(self._on_position_action)
        self.speed.activated.connect(lambda i: p.set_rate(self.speed.itemData(i)))
        self.volume.valueChanged.connect(lambda v: p.set_volume(v / 100.0))

    # --- following the session ------------------------------------------------------------
    def duration_s(self) -> float:
        doc, r = self.session.document, self.session.recording
        return doc.notebook.recordings[r].duration_s if doc is not None and r >= 0 else 0.0

    def _on_session_recording_changed(self, index: int) -> None:
        self.position.setRange(0, round(self.duration_s() * 1000))
        has_audio = index >= 0
        for widget in self.findChildren(QWidget):
            widget.setEnabled(has_audio)
        for name in NEEDS_AUDIO:
            self._actions[name].setEnabled(has_audio)
        self._on_session_playhead_moved(self.session.playback.position_s())
        self._on_session_sync_offset_changed(self.session.sync_offset_ms)

    def _on_session_playhead_moved(self, position_s: float) -> None:
        if not self.position.isSliderDown():
            self._set_quietly(self.position, round(position_s * 1000))
        if self.session.recording < 0:
            self.time_label.setText("no recording")
        else:
            self.time_label.setText(f"{format_hms(position_s)} / {format_hms(self.duration_s())}")

    def refresh_icons(self) -> None:
        """(Re)draw the icons in the current palette (also after a theme change)."""
        for name in BUTTONS:
            if name != "play_pause":
                self._actions[name].setIcon(icon(name, self))
        self._on_session_playback_state_changed(self.session.playback.state())
        self._on_session_muted_changed(self.session.playback.muted)

    def _on_session_playback_state_changed(self, state: PlaybackState) -> None:
        playing = state == PlaybackState.PLAYING
        action = self._actions["play_pause"]
        action.setIcon(icon("pause" if playing else "play", self))
        action.setIconText("Pause" if playing else "Play")

    def _on_session_rate_changed(self, rate: float) -> None:
        index = self.speed.findData(rate)
        if index < 0:
            self.speed.addItem(speed_text(rate), rate)
            index = self.speed.count() - 1
        self.speed.setCurrentIndex(index)

    def _on_session_muted_changed(self, muted: bool) -> None:
        self._actions["mute"].setChecked(muted)
        self._actions["mute"].setIcon(icon("muted" if muted else "volume", self))

    def _on_session_sync_offset_changed(self, offset_ms: float) -> None:
        self.sync_label.setText(f"Sync {offset_ms:+.0f} ms")

    def _on_position_action(self, _action: int) -> None:
        """A click in the slider's groove or a page step: seek where the slider goes."""
        if not self.position.isSliderDown():
            self.session.seek(self.position.sliderPosition() / 1000.0)

    @staticmethod
    def _set_quietly(slider: QSlider, value: int) -> None:
        slider.blockSignals(True)
        slider.setValue(value)
        slider.blockSignals(False)
