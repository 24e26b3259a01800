"""The player window's keyboard shortcuts and transport on the bundled demo (silent
backend): each key does what Help ▸ Keyboard shortcuts says it does."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QKeySequence

from pencastviewer.gui.shortcuts import COMMANDS, ShortcutsDialog, help_rows, key_sequences
from pencastviewer.gui.transport import SPEEDS


@pytest.fixture
def window(open_window, demo_path, qtbot):
    window = open_window(demo_path)
    window.activateWindow()
    qtbot.waitActive(window)
    window.canvas.setFocus()
    return window


def press(qtbot, window, keys: str) -> None:
    """Type a key sequence as the user would, into the focused page."""
    sequence = QKeySequence(keys)
    combo = sequence[0]
    qtbot.keyClick(window.canvas, combo.key(), combo.keyboardModifiers())


def test_space_plays_and_pauses(window, qtbot):
    session = window.session
    press(qtbot, window, "Space")
    assert session.playback.playing
    assert window.actions_by_name["play_pause"].iconText() == "Pause"
    press(qtbot, window, "Space")
    assert session.playback.state() == "paused"


def test_arrows_skip_5_s_and_shift_arrows_30_s_and_s_stops(window, qtbot):
    session = window.session
    session.seek(60.0)
    press(qtbot, window, "Right")
    assert session.playback.position_s() == pytest.approx(65.0)
    press(qtbot, window, "Left")
    press(qtbot, window, "Left")
    assert session.playback.position_s() == pytest.approx(55.0)
    press(qtbot, window, "Shift+Right")
    assert session.playback.position_s() == pytest.approx(85.0)
    press(qtbot, window, "Shift+Left")
    assert session.playback.position_s() == pytest.approx(55.0)
    press(qtbot, window, "S")
    assert session.playback.position_s() == 0.0 and session.playback.state() == "stopped"


def test_comma_and_period_go_to_the_previous_and_next_phrase(window, qtbot):
    session = window.session
    session.seek(20.0)
    press(qtbot, window, ".")
    after_next = session.playback.position_s()
    assert after_next > 20.0
    # where a tap on the first stroke beginning after 20 s + pre-roll would play from
    doc = session.document
    starts = sorted(doc.timeline.position_s(0, s.start_ms) for p in doc.notebook.pages for s in p.strokes)
    assert any(abs(after_next - (t - session.preroll_s)) < 1e-6 for t in starts)
    press(qtbot, window, ",")
    before = session.playback.position_s()
    assert before < after_next
    press(qtbot, window, "Alt+.")  # the next single stroke: strokes are closer together than phrases
    assert before < session.playback.position_s() <= after_next


def test_brackets_change_the_speed_and_backspace_resets_it(window, qtbot):
    session = window.session
    press(qtbot, window, "]")
    assert session.playback.rate == SPEEDS[SPEEDS.index(1.0) + 1]
    assert session.playback.backend.rate() == pytest.approx(session.playback.rate)
    assert window.transport.speed.currentData() == session.playback.rate
    press(qtbot, window, "[")
    press(qtbot, window, "[")
    assert session.playback.rate == SPEEDS[SPEEDS.index(1.0) - 1]
    press(qtbot, window, "Backspace")
    assert session.playback.rate == 1.0


def test_m_mutes_and_ctrl_arrows_change_the_volume(window, qtbot):
    session = window.session
    press(qtbot, window, "M")
    assert session.playback.muted and window.actions_by_name["mute"].isChecked()
    press(qtbot, window, "Ctrl+Down")
    assert session.playback.volume == pytest.approx(0.9)
    assert window.transport.volume.value() == 90
    press(qtbot, window, "M")
    assert not session.playback.muted


def test_alt_brackets_nudge_the_sync_offset_by_10_ms(window, qtbot):
    session = window.session
    press(qtbot, window, "Alt+]")
    press(qtbot, window, "Alt+]")
    press(qtbot, window, "Alt+[")
    assert session.sync_offset_ms == pytest.approx(10.0)
    assert window.transport.sync_label.text() == "Sync +10 ms"
    press(qtbot, window, "Alt+Backspace")
    assert session.sync_offset_ms == 0.0


def test_page_keys_turn_pages_and_the_thumbnails_mark_the_current_one(window, qtbot):
    session, thumbs = window.session, window.thumbnails
    assert thumbs.currentRow() == 0 and thumbs.item(0).isSelected() and thumbs.item(0).font().bold()
    press(qtbot, window, "PgDown")
    assert session.page == 1
    assert thumbs.currentRow() == 1 and thumbs.item(1).isSelected() and thumbs.item(1).font().bold()
    assert not thumbs.item(0).font().bold()
    assert "Page 2 of 2" in window.page_label.text()
    press(qtbot, window, "PgUp")
    assert session.page == 0
    thumbs.setCurrentRow(1)  # a click on a thumbnail turns to its page
    assert session.page == 1


def test_zoom_keys(window, qtbot):
    canvas = window.canvas
    press(qtbot, window, "Ctrl+1")
    assert canvas.zoom_percent == pytest.approx(100.0)
    press(qtbot, window, "Ctrl++")
    assert canvas.zoom_percent == pytest.approx(125.0)
    assert window.zoom_box.currentText() == "125 %"
    press(qtbot, window, "Ctrl+0")
    assert canvas.mode == "fit-page" and window.zoom_box.currentText() == "Fit page"


def test_g_hides_the_ink_still_to_come_and_t_stops_turning_pages(window, qtbot):
    session = window.session
    press(qtbot, window, "G")
    assert not session.show_ghosts and not window.actions_by_name["show_ghosts"].isChecked()
    press(qtbot, window, "T")
    assert not session.auto_page_turn
    assert window.preferences.get("show_ghosts") is False  # and remembered


def test_every_command_has_an_action_with_its_keys_and_help_lists_them(window, qtbot):
    for command in COMMANDS:
        action = window.actions_by_name[command.name]
        assert action.shortcuts() == key_sequences(command)
    rows = help_rows()
    assert ("Playback", "Play / Pause", "Space, Media Play, Toggle Media Play/Pause") in rows
    dialog = ShortcutsDialog(window)
    qtbot.addWidget(dialog)
    table = dialog.table
    texts = {table.item(r, 1).text(): table.item(r, 2).text() for r in range(table.rowCount())}
    assert texts["Back 30 s"] == "Shift+Left"
    assert texts["Next phrase"] == "."
    assert texts["Click on ink"].startswith("play from just before")
    sequences = [s.toString() for c in COMMANDS for s in key_sequences(c)]
    assert len(sequences) == len(set(sequences)), "two commands share a key"


def test_the_transport_shows_time_and_seeks(window, qtbot):
    session, transport = window.session, window.transport
    session.seek(75.0)
    assert transport.time_label.text() == "1:15 / 2:40"
    assert transport.position.value() == 75000
    transport.position.setSliderPosition(30000)
    transport.position.triggerAction(transport.position.SliderAction.SliderMove)
    assert session.playback.position_s() == pytest.approx(30.0)
    transport.speed.setCurrentIndex(SPEEDS.index(2.0))
    transport.speed.activated.emit(SPEEDS.index(2.0))
    assert session.playback.rate == 2.0


def test_the_recordings_list_shows_name_date_and_length(window):
    panel = window.recordings
    assert panel.count() == 1
    assert panel.item(0).text() == "CloudCamp Paris\n2009-06-11 19:30 · 2:40"
    assert panel.item(0).isSelected() and panel.item(0).font().bold()
    window.session.set_sync_offset_ms(-20.0)
    assert panel.item(0).text().endswith("sync -20 ms")


def test_export_opens_the_export_dialog(window, qtbot):
    from pencastviewer.gui.export_dialog import ExportDialog

    window.actions_by_name["export"].trigger()
    dialogs = [w for w in window.findChildren(ExportDialog)]
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    dialogs[0].close()


def test_the_waveform_marks_move_with_the_sync_offset(window, qtbot):
    plot = window.waveform.detail
    qtbot.waitUntil(lambda: plot.pyramid is not None, timeout=30000)
    first_mark = plot.marks[0][0]
    press(qtbot, window, "Alt+]")
    assert plot.marks[0][0] == pytest.approx(first_mark + 0.010)
