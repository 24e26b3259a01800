"""Preferences ▸ Listening shows the listening options and gives back what the user chose."""

from __future__ import annotations

from pencastviewer.app.listening import Listening
from pencastviewer.gui.preferences_dialog import PreferencesDialog, PreferenceValues


def dialog_for(qtbot, listening: Listening | None) -> PreferencesDialog:
    dialog = PreferencesDialog(PreferenceValues(1.5, True, True, "system", listening=listening))
    qtbot.addWidget(dialog)
    return dialog


def test_the_dialog_shows_the_listening_options(qtbot):
    dialog = dialog_for(qtbot, Listening(normalize=True, target_lufs=-19, voice_clarity=True))
    box = dialog.listening
    assert box is not None
    assert box.normalize.isChecked() and box.voice_clarity.isChecked()
    assert not box.skip_silence.isChecked()
    assert box.target.value() == -19.0
    assert (box.target.minimum(), box.target.maximum()) == (-23.0, -12.0)
    assert dialog.values().listening == Listening(target_lufs=-19, voice_clarity=True)


def test_what_the_user_changes_comes_back_with_the_boost_kept(qtbot):
    dialog = dialog_for(qtbot, Listening(boost_db=8))
    box = dialog.listening
    assert box is not None
    box.target.setValue(-14)
    box.skip_silence.setChecked(True)
    box.normalize.setChecked(False)
    assert not box.target.isEnabled()  # no target without normalisation
    assert dialog.values().listening == Listening(
        normalize=False, target_lufs=-14, skip_silence=True, boost_db=8
    )


def test_without_listening_values_the_box_is_not_shown(qtbot):
    dialog = dialog_for(qtbot, None)
    assert dialog.listening is None and dialog.values().listening is None
