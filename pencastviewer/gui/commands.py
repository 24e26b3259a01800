"""What each command of the shortcuts table does, by name: the window connects its
actions to these (every one asks the session or the canvas; none changes a view)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtWidgets import QDockWidget, QWidget

from ..app.session import Session
from .canvas_view import zoom_anchor
from .files import FileKeeper
from .missing_audio import MissingAudio
from .page_canvas import FIT_PAGE, FIT_WIDTH, PageCanvas
from .shortcuts import ShortcutsDialog
from .transport import SPEEDS

SKIP_S, LONG_SKIP_S = 5.0, 30.0
SYNC_STEP_MS = 10.0
ZOOM_STEP = 1.25


def next_speed(rate: float, direction: int) -> float:
    """The next preset speed above (1) or below (-1) `rate`, staying within the presets."""
    if direction > 0:
        return next((r for r in SPEEDS if r > rate + 1e-9), SPEEDS[-1])
    return next((r for r in reversed(SPEEDS) if r < rate - 1e-9), SPEEDS[0])


class _Printing(Protocol):
    def print_current_page(self) -> object: ...


class _Louder(Protocol):
    def louder(self) -> None: ...
    def quieter(self) -> None: ...


class _Stepping(Protocol):
    def step(self, direction: int) -> None: ...


class _Transcripts(Protocol):
    @property
    def search(self) -> _Stepping: ...
    def transcribe(self) -> None: ...
    def find(self) -> None: ...
    def add_bookmark(self) -> None: ...


class CommandTarget(Protocol):
    """What the commands act on: the window's session, views and dialogs (the main window
    is one; commands never import it)."""

    session: Session
    canvas: PageCanvas
    files: FileKeeper
    missing: MissingAudio
    pages_dock: QDockWidget
    recordings_dock: QDockWidget

    @property
    def desktop(self) -> _Printing: ...
    @property
    def listening(self) -> _Louder: ...
    @property
    def transcripts(self) -> _Transcripts: ...

    def open_export_dialog(self) -> None: ...
    def edit_preferences(self) -> None: ...
    def show_about(self) -> object: ...
    def close(self) -> bool: ...
    def showFullScreen(self) -> None: ...
    def showNormal(self) -> None: ...
    def window(self) -> QWidget: ...


def command_slots(w: CommandTarget) -> dict[str, Callable[..., object]]:
    s, p, canvas = w.session, w.session.playback, w.canvas
    return {
        "open": lambda: w.files.choose_file(),
        "locate_recording": lambda: w.missing.locate(),
        "export": w.open_export_dialog,
        "preferences": w.edit_preferences,
        "print": lambda: w.desktop.print_current_page(),
        "close": w.close,
        "quit": w.close,
        "select_all": canvas.selection_tool.select_all,
        "clear_selection": canvas.selection_tool.clear,
        "play_pause": s.toggle_play,
        "stop": p.stop,
        "back_5": lambda: s.skip(-SKIP_S),
        "forward_5": lambda: s.skip(SKIP_S),
        "back_30": lambda: s.skip(-LONG_SKIP_S),
        "forward_30": lambda: s.skip(LONG_SKIP_S),
        "previous_phrase": lambda: s.jump(-1, phrases=True),
        "next_phrase": lambda: s.jump(1, phrases=True),
        "previous_stroke": lambda: s.jump(-1, phrases=False),
        "next_stroke": lambda: s.jump(1, phrases=False),
        "slower": lambda: p.set_rate(next_speed(p.rate, -1)),
        "faster": lambda: p.set_rate(next_speed(p.rate, 1)),
        "normal_speed": lambda: p.set_rate(1.0),
        "volume_up": lambda: w.listening.louder(),
        "volume_down": lambda: w.listening.quieter(),
        "normalize": lambda _checked: None,  # the listening controls follow these actions' toggled()
        "skip_silence": lambda _checked: None,
        "mute": lambda checked: p.set_muted(checked),
        "sync_earlier": lambda: s.nudge_sync_offset(-SYNC_STEP_MS),
        "sync_later": lambda: s.nudge_sync_offset(SYNC_STEP_MS),
        "sync_reset": lambda: s.set_sync_offset_ms(0.0),
        "loop_selection": lambda checked: p.set_looping(checked),
        "previous_page": lambda: s.set_page(s.page - 1),
        "next_page": lambda: s.set_page(s.page + 1),
        "first_page": lambda: s.set_page(0),
        "last_page": lambda: s.set_page(s.n_pages - 1),
        "zoom_in": lambda: canvas.zoom_by(ZOOM_STEP, zoom_anchor(canvas)),
        "zoom_out": lambda: canvas.zoom_by(1 / ZOOM_STEP, zoom_anchor(canvas)),
        "fit_page": lambda: canvas.set_mode(FIT_PAGE),
        "fit_width": lambda: canvas.set_mode(FIT_WIDTH),
        "actual_size": lambda: canvas.set_zoom(100.0),
        "show_ghosts": lambda checked: s.set_options(show_ghosts=checked),
        "auto_page_turn": lambda checked: s.set_options(auto_page_turn=checked),
        "show_pages": lambda checked: w.pages_dock.setVisible(checked),
        "show_recordings": lambda checked: w.recordings_dock.setVisible(checked),
        "full_screen": lambda checked: w.showFullScreen() if checked else w.showNormal(),
        "shortcuts": lambda: ShortcutsDialog(w.window()).exec(),
        "about": w.show_about,
        "transcribe": lambda: w.transcripts.transcribe(),
        "find": lambda: w.transcripts.find(),
        "find_next": lambda: w.transcripts.search.step(1),
        "find_previous": lambda: w.transcripts.search.step(-1),
        "add_bookmark": lambda: w.transcripts.add_bookmark(),
    }
