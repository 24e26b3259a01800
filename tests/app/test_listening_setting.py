"""The window's listening options: one value, kept in the preferences, announced on change."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from pencastviewer.app.listening import Listening
from pencastviewer.app.listening_setting import ListeningSetting
from pencastviewer.app.preferences import Preferences


def preferences_in(tmp_path: Path) -> Preferences:
    return Preferences(QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))


def test_changes_are_kept_and_announced_once(tmp_path, qtbot):
    setting = ListeningSetting(preferences_in(tmp_path))
    assert setting.listening == Listening()
    heard: list[Listening] = []
    setting.changed.connect(heard.append)
    setting.update(voice_clarity=True)
    setting.update(voice_clarity=True)  # no difference: nothing announced
    setting.set(Listening(voice_clarity=True, target_lufs=-20))
    assert heard == [Listening(voice_clarity=True), Listening(voice_clarity=True, target_lufs=-20)]
    setting.preferences.sync()
    assert ListeningSetting(preferences_in(tmp_path)).listening == heard[-1]


def test_the_boost_steps_within_its_range(tmp_path, qtbot):
    setting = ListeningSetting(preferences_in(tmp_path))
    assert setting.step_boost(3.0) == 3.0
    assert setting.step_boost(-5.0) == 0.0
    for _ in range(10):
        setting.step_boost(3.0)
    assert setting.listening.boost_db == 20.0
    assert preferences_in(tmp_path).listening().boost_db == 20.0
