"""The one table of commands and their keys: the window makes its actions from it and
Help ▸ Keyboard shortcuts lists it, so the two cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

_Std = QKeySequence.StandardKey


@dataclass(frozen=True)
class Command:
    """name: the window's slot key; text: menu text (& marks the mnemonic); keys: key
    sequences (text like "Shift+Left" or a QKeySequence.StandardKey); group: Help heading."""

    name: str
    text: str
    keys: tuple[str | QKeySequence.StandardKey, ...]
    group: str
    checkable: bool = False


COMMANDS: tuple[Command, ...] = (
    Command("open", "&Open…", (_Std.Open,), "File"),
    Command("locate_recording", "&Locate recording…", ("Ctrl+L",), "File"),
    Command("export", "&Export…", ("Ctrl+E",), "File"),
    Command("transcribe", "&Transcribe recordings", ("Ctrl+T",), "File"),
    Command("print", "&Print page…", (_Std.Print,), "File"),
    Command("preferences", "&Preferences…", ("Ctrl+,",), "File"),
    Command("close", "&Close", (_Std.Close,), "File"),
    Command("quit", "&Quit", (_Std.Quit, "Ctrl+Q"), "File"),
    Command("select_all", "Select &all ink on the page", (_Std.SelectAll,), "Edit"),
    Command("clear_selection", "&Clear selection", ("Esc",), "Edit"),
    Command("play_pause", "&Play / Pause", ("Space", "Media Play", "Toggle Media Play/Pause"), "Playback"),
    Command("stop", "&Stop", ("S", "Media Stop"), "Playback"),
    Command("back_5", "Back 5 s", ("Left",), "Playback"),
    Command("forward_5", "Forward 5 s", ("Right",), "Playback"),
    Command("back_30", "Back 30 s", ("Shift+Left",), "Playback"),
    Command("forward_30", "Forward 30 s", ("Shift+Right",), "Playback"),
    Command("previous_phrase", "Previous phrase", (",",), "Playback"),
    Command("next_phrase", "Next phrase", (".",), "Playback"),
    Command("previous_stroke", "Previous stroke", ("Alt+,",), "Playback"),
    Command("next_stroke", "Next stroke", ("Alt+.",), "Playback"),
    Command("slower", "Slower", ("[",), "Playback"),
    Command("faster", "Faster", ("]",), "Playback"),
    Command("normal_speed", "Normal speed", ("Backspace",), "Playback"),
    Command("volume_up", "Volume up", ("Ctrl+Up",), "Playback"),
    Command("volume_down", "Volume down", ("Ctrl+Down",), "Playback"),
    Command("mute", "&Mute", ("M",), "Playback", checkable=True),
    Command("normalize", "&Normalize loudness", ("N",), "Playback", checkable=True),
    Command("skip_silence", "Skip s&ilence", ("K",), "Playback", checkable=True),
    Command("sync_earlier", "Sync: audio 10 ms earlier", ("Alt+[",), "Playback"),
    Command("sync_later", "Sync: audio 10 ms later", ("Alt+]",), "Playback"),
    Command("sync_reset", "Sync: reset offset", ("Alt+Backspace",), "Playback"),
    Command("loop_selection", "&Loop selection", ("L",), "Playback", checkable=True),
    Command("previous_page", "Previous page", ("PgUp",), "View"),
    Command("next_page", "Next page", ("PgDown",), "View"),
    Command("first_page", "First page", ("Home",), "View"),
    Command("last_page", "Last page", ("End",), "View"),
    Command("zoom_in", "Zoom &in", (_Std.ZoomIn, "Ctrl+="), "View"),
    Command("zoom_out", "Zoom &out", (_Std.ZoomOut,), "View"),
    Command("fit_page", "Fit &page", ("Ctrl+0",), "View"),
    Command("fit_width", "Fit &width", ("Ctrl+2",), "View"),
    Command("actual_size", "&Actual size (100 %)", ("Ctrl+1",), "View"),
    Command("show_ghosts", "Show ink still to come", ("G",), "View", checkable=True),
    Command("auto_page_turn", "Turn pages while playing", ("T",), "View", checkable=True),
    Command("show_pages", "Pages sidebar", ("F9",), "View", checkable=True),
    Command("show_recordings", "Recordings list", ("F10",), "View", checkable=True),
    Command("full_screen", "Full screen", (_Std.FullScreen, "F11"), "View", checkable=True),
    Command("find", "&Find…", (_Std.Find, "Ctrl+F"), "Edit"),
    Command("find_next", "Find &next", ("F3",), "Edit"),
    Command("find_previous", "Find &previous", ("Shift+F3",), "Edit"),
    Command("add_bookmark", "Add &bookmark", ("B",), "Playback"),
    Command("shortcuts", "&Keyboard shortcuts", ("F1",), "Help"),
    Command("about", "&About pencastviewer", (), "Help"),
)

MOUSE_HELP: tuple[tuple[str, str], ...] = (
    ("Click on ink", "play from just before that point was written"),
    ("Drag on the paper / scroll", "move the page"),
    ("Shift+drag on the page", "select the strokes inside a rectangle (most of a stroke must be inside)"),
    ("Ctrl+Shift+drag on the page", "select the strokes inside an outline you draw (lasso)"),
    ("Shift+click on ink", "add that stroke to the selection, or take it out"),
    ("Click on bare paper", "clear the stroke selection"),
    ("Ctrl + wheel, pinch", "zoom around the pointer"),
    ("Click / Shift+drag on the waveform", "seek / select a range"),
)


def command(name: str) -> Command:
    for c in COMMANDS:
        if c.name == name:
            return c
    raise KeyError(name)


def key_sequences(c: Command) -> list[QKeySequence]:
    """The command's keys, standard keys expanded for this platform, duplicates dropped."""
    sequences: list[QKeySequence] = []
    for key in c.keys:
        for seq in QKeySequence.keyBindings(key) if isinstance(key, _Std) else [QKeySequence(key)]:
            if not seq.isEmpty() and seq not in sequences:
                sequences.append(seq)
    return sequences


def help_rows() -> list[tuple[str, str, str]]:
    """(group, command, keys as the user types them) for Help ▸ Keyboard shortcuts."""
    rows = []
    for c in COMMANDS:
        keys = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in key_sequences(c))
        if keys:
            rows.append((c.group, c.text.replace("&", ""), keys))
    return rows


class ShortcutsDialog(QDialog):
    """Help ▸ Keyboard shortcuts: the table above, grouped, then what the mouse does."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = help_rows()
        self.table = QTableWidget(len(rows) + len(MOUSE_HELP), 3, self)
        self.table.setHorizontalHeaderLabels(("", "Command", "Keys"))
        for row, (group, text, keys) in enumerate([*rows, *(("Mouse", m, w) for m, w in MOUSE_HELP)]):
            for column, value in enumerate((group, text, keys)):
                item = QTableWidgetItem(value)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.table.setItem(row, column, item)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(560, 640)
