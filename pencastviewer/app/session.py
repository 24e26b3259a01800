"""The session: the one owner of the opened notebook, the current page and recording, the
selection and the sync offsets, like Sonic Visualiser's ViewManager. What plays and where
the playhead is belongs to its PlaybackController (`session.playback`). Views follow their
signals and never talk to each other."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QObject, Signal

from ..audio.playback import AudioOutput
from ..audio.state_machine import PlaybackState
from ..formats import FormatError, ReadOptions
from ..model import Hit, Timeline, WritingOrder
from .audio_files import playable_sequence
from .document import OpenedNotebook, open_notebook
from .heard_time import MAX_SYNC_OFFSET_MS, heard_span_s
from .ink_navigation import jump_target, missing_hint, ordered_span
from .playback_controller import PlaybackController
from .workers import Job, LatestOnly


class Session(QObject):
    """Lives in the GUI thread; `output` (the audio backend) is driven by `playback` only.
    Ink time ↔ audio position goes through `heard_timeline()`, which adds each recording's
    sync offset (ms; positive: a stroke's audio comes later in the recording than its
    timestamps say), so taps, the reveal, jumps and the writing marks always agree."""

    opening = Signal(str)  # path
    opened = Signal()
    open_failed = Signal(str, object)  # path, the FormatError (str(error) is the one-line message)
    page_changed = Signal(int)
    recording_changed = Signal(int)  # -1 = none
    recording_missing = Signal(int, str)  # index, name: made current, but its audio was not found
    selection_changed = Signal(object)  # (start_s, end_s) in the current recording, or None
    strokes_selected = Signal(object)  # (page, stroke indices) selected on a page, or None
    sync_offset_changed = Signal(float)  # ms, of the current recording
    options_changed = Signal()  # preroll_s, show_ghosts or auto_page_turn
    message = Signal(str)  # for the status bar
    problem = Signal(str)  # something the user should be told about (a dialog)

    def __init__(self, output: AudioOutput, parent: QObject | None = None):
        super().__init__(parent)
        self.playback = PlaybackController(output, self)
        self.document: OpenedNotebook | None = None
        self.page = 0
        self.recording = -1
        self.preroll_s = 1.5
        self.show_ghosts = True
        self.auto_page_turn = True
        self.selection: tuple[float, float] | None = None
        self.selected_strokes: tuple[int, tuple[int, ...]] | None = None
        self.sync_offsets_ms: dict[int, float] = {}
        self._written_page: int | None = None  # the page being written when last looked
        self._opens = LatestOnly()
        self.playback.problem.connect(self.problem)
        self.playback.advanced.connect(self._on_playback_advanced)

    # --- opening -------------------------------------------------------------------
    def open_file(self, path: str | Path, options: ReadOptions | None = None) -> Job:
        """Read in the background; the current notebook stays until the new one is ready,
        so a failed open leaves everything as it was. Only the latest open counts. Another
        file: the recording is let go of at once, and taken back if the open fails."""
        if self.document is not None and not self.document.is_file(path):  # (the same file keeps
            self.playback.let_go()  # its audio, most likely the same: QtAudioOutput._load_again)
        self.opening.emit(str(path))
        return self._opens.start(
            lambda: open_notebook(path, options),
            self.set_document,
            lambda e: self._on_open_failed(str(path), e),
        )

    def set_document(self, document: OpenedNotebook) -> None:
        self.playback.drop_let_go()
        self.playback.stop()
        self.document = document
        self.page = 0
        self.recording = -1
        self.sync_offsets_ms = {}
        self._written_page = None
        self.clear_selection()
        self.page_changed.emit(0)
        if document.notebook.recordings:
            self.select_recording(0)
        else:
            self.recording_changed.emit(-1)
        self.opened.emit()  # last: whoever restores a place in the file finds it all set up

    def _on_open_failed(self, path: str, error: BaseException) -> None:
        if not isinstance(error, FormatError):  # a reader's bug: still a FormatError naming the file
            error = FormatError(path, f"{type(error).__name__}: {error}")
        self.playback.take_back()
        self.open_failed.emit(path, error)

    # --- navigation ----------------------------------------------------------------
    @property
    def n_pages(self) -> int:
        return len(self.document.notebook.pages) if self.document else 0

    def set_page(self, page: int) -> None:
        if self.document and 0 <= page < self.n_pages and page != self.page:
            self.page = page
            self.page_changed.emit(page)

    def select_recording(self, index: int) -> bool:
        """Make `index` the current recording; False when it cannot be played. A missing
        recording (its file was not found) is a state the user can fix, not an error: it
        becomes current, silent, with `recording_missing`. Unreadable audio is a problem."""
        if self.document is None or not 0 <= index < len(self.document.notebook.recordings):
            return False
        recording = self.document.notebook.recordings[index]
        if recording.is_missing:
            self.playback.unload()
            self._make_current(index)
            self.recording_missing.emit(index, recording.name)
            return False
        try:
            sequence = playable_sequence(recording)
        except (FormatError, OSError) as e:
            self.problem.emit(f"The recording “{recording.name}” cannot be played: {e}")
            return False
        self.playback.load(sequence)
        self._make_current(index)
        return True

    def _make_current(self, index: int) -> None:
        self.recording = index
        self._written_page = None
        self.set_selection(None)
        self.recording_changed.emit(index)
        self.sync_offset_changed.emit(self.sync_offset_ms)

    def is_missing(self, index: int) -> bool:
        """True when recording `index` is named by the notebook but its audio was not found."""
        recordings = self.document.notebook.recordings if self.document else ()
        return 0 <= index < len(recordings) and recordings[index].is_missing

    @property
    def audible(self) -> bool:
        """A recording is current and its audio is loaded (a missing one is current but silent)."""
        return self.recording >= 0 and not self.is_missing(self.recording)

    # --- ink time <-> audio position ----------------------------------------------------
    @property
    def sync_offset_ms(self) -> float:
        return self.sync_offsets_ms.get(self.recording, 0.0)

    def set_sync_offset_ms(self, offset_ms: float) -> None:
        offset_ms = round(min(max(float(offset_ms), -MAX_SYNC_OFFSET_MS), MAX_SYNC_OFFSET_MS), 3)
        if self.recording >= 0 and offset_ms != self.sync_offset_ms:
            self.sync_offsets_ms[self.recording] = offset_ms
            self._follow_selected_strokes()
            self.sync_offset_changed.emit(offset_ms)

    def set_sync_offsets(self, offsets_ms: dict[int, float]) -> None:
        """Every recording's offset at once (as remembered for a file)."""
        self.sync_offsets_ms = {int(r): float(ms) for r, ms in offsets_ms.items() if ms}
        self._follow_selected_strokes()
        self.sync_offset_changed.emit(self.sync_offset_ms)

    def nudge_sync_offset(self, delta_ms: float) -> None:
        self.set_sync_offset_ms(self.sync_offset_ms + delta_ms)

    def audio_position_s(self, recording: int, t_ms: float) -> float:
        """Where in `recording` (s) notebook time `t_ms` is heard, sync offset included."""
        return self.heard_timeline().position_s(recording, t_ms)

    def ink_time_ms(self, recording: int, position_s: float) -> float:
        """The notebook time heard at `position_s` of `recording`, sync offset included."""
        return self.heard_timeline().ink_time_ms(recording, position_s)

    def heard_timeline(self) -> Timeline:
        """The document's timeline with the session's sync offsets (shares its tables)."""
        assert self.document is not None
        return self.document.timeline.with_sync_offsets(self.sync_offsets_ms)

    def reveal_time_ms(self) -> float | None:
        """The notebook time the ink is revealed up to, or None to show all ink plainly
        (no recording, a missing one, or stopped before anything was played)."""
        if self.document is None or not self.audible:
            return None
        position = self.playback.position_s()
        if self.playback.state() == PlaybackState.STOPPED and position <= 0.0:
            return None
        return self.ink_time_ms(self.recording, position)

    def writing_marks(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(starts, ends), merged, where the current recording has ink being written."""
        if self.document is None or self.recording < 0:
            return np.empty(0), np.empty(0)
        return self.document.writing_marks(self.heard_timeline(), self.recording)  # (cached there)

    # --- playback of the notebook's recordings ----------------------------------------
    def play_at(self, recording: int, position_s: float) -> None:
        if recording != self.recording and not self.select_recording(recording):
            return
        if self.audible:
            self.playback.play_from(position_s)

    def toggle_play(self) -> None:
        if not self.audible:
            self._say_if_missing()
            return
        self.playback.toggle()

    def seek(self, position_s: float, *, follow: bool = True) -> None:
        """Move the playhead; with `follow` (and auto page turn on) the page written there shows."""
        if self.audible:
            position = self.playback.seek(position_s)
            self._look_at_written_page(position, turn=follow and self.auto_page_turn)

    def skip(self, delta_s: float) -> None:
        if self.audible:
            duration = self.playback.duration_s() or float("inf")
            self.seek(min(max(self.playback.position_s() + delta_s, 0.0), duration))

    def set_options(
        self,
        *,
        preroll_s: float | None = None,
        show_ghosts: bool | None = None,
        auto_page_turn: bool | None = None,
    ) -> None:
        if preroll_s is not None:
            self.preroll_s = min(max(float(preroll_s), 0.0), 30.0)
        if show_ghosts is not None:
            self.show_ghosts = bool(show_ghosts)
        if auto_page_turn is not None:
            self.auto_page_turn = bool(auto_page_turn)
        self.options_changed.emit()

    # --- selection: a region of the recording, or strokes on a page and where they are heard ---
    def set_selection(self, span: tuple[float, float] | None) -> None:
        """Select a region of the current recording (seconds), e.g. for clip export. A
        region chosen by hand replaces a stroke selection (an unchanged one, as the
        waveform echoes it back, keeps it)."""
        kept = self.selected_strokes if ordered_span(span) == self.selection else None
        self._set_selections(kept, span)

    def select_strokes(self, page: int, strokes: Iterable[int]) -> None:
        """Select strokes of `page` (none: clear both selections). The waveform selection
        becomes the span they are heard in — first start to last end, sync offset
        included — in the recording most of them were written with, made current."""
        doc = self.document
        n_strokes = len(doc.notebook.pages[page].strokes) if doc and 0 <= page < self.n_pages else 0
        indices = tuple(i for i in sorted(set(int(i) for i in strokes)) if 0 <= i < n_strokes)
        if doc is None or not indices:
            self.clear_selection()
            return
        heard = heard_span_s(doc, page, indices, self.sync_offsets_ms)
        if heard is not None and heard[0] != self.recording and not self.select_recording(heard[0]):
            heard = None
        self._set_selections((page, indices), None if heard is None else (heard[1], heard[2]))

    def clear_selection(self) -> None:
        self._set_selections(None, None)

    def _follow_selected_strokes(self) -> None:
        """The waveform selection moves with a sync offset while it shows selected strokes."""
        if self.selected_strokes is not None and self.document is not None:
            heard = heard_span_s(self.document, *self.selected_strokes, self.sync_offsets_ms)
            if heard is not None and heard[0] == self.recording:
                self._set_selections(self.selected_strokes, (heard[1], heard[2]))

    def _set_selections(
        self, strokes: tuple[int, tuple[int, ...]] | None, span: tuple[float, float] | None
    ) -> None:
        """Both selections at once, so whoever hears either signal finds them consistent."""
        span = ordered_span(span)
        span_changed, strokes_changed = span != self.selection, strokes != self.selected_strokes
        self.selected_strokes, self.selection = strokes, span
        self.playback.set_loop_region(span)
        if span_changed:
            self.selection_changed.emit(span)
        if strokes_changed:
            self.strokes_selected.emit(strokes)

    # --- tap and jumps through the writing ----------------------------------------------
    def tap(self, page: int, x_mm: float, y_mm: float, radius_mm: float = 3.0) -> Hit | None:
        """A tap on the page: play what was said when the tapped point was written, from
        `preroll_s` before it. Returns the hit (None on empty paper: nothing happens)."""
        if self.document is None:
            return None
        hit = self.document.hit_index(page).hit(x_mm, y_mm, radius_mm)
        if hit is None:
            return None
        if hit.recording is None:
            self.message.emit("No recording was running when this ink was written.")
            return hit
        if self.is_missing(hit.recording):
            if hit.recording != self.recording:
                self.select_recording(hit.recording)  # current, so "Locate recording…" finds it
            self._say_if_missing()
            return hit
        self._go_to_writing(hit.recording, page, self.audio_position_s(hit.recording, hit.t_ms), play=True)
        return hit

    def _go_to_writing(self, recording: int, page: int, heard_s: float, *, play: bool) -> None:
        """Seek to `preroll_s` before `heard_s` showing `page`, and play if asked (the
        pre-roll may start in an earlier page's writing: the view must not turn away
        from what was asked for)."""
        if recording != self.recording and not self.select_recording(recording):
            return
        if not self.audible:
            return
        self.set_page(page)
        position = self.playback.seek(heard_s - self.preroll_s, play=play)
        self._look_at_written_page(position, turn=False)

    def writing_order(self) -> WritingOrder | None:
        return None if self.document is None else self.document.timeline.order

    def jump(self, direction: int, *, phrases: bool) -> bool:
        """Go to the next (direction 1) or previous (-1) stroke or phrase of the current
        recording, where a tap on it would play from (playing on if it was playing);
        False when there is none."""
        if self.document is None or not self.audible:
            return False
        if len(self.document.timeline.order.starts(self.recording, phrases=phrases)) == 0:
            self.message.emit("This recording has no ink.")
            return False
        position, timeline = self.playback.position_s(), self.heard_timeline()
        target = jump_target(timeline, self.recording, position, self.preroll_s, direction, phrases=phrases)
        if target is not None:
            self._go_to_writing(self.recording, *target, play=self.playback.playing)
        return target is not None

    # --- following the playhead -----------------------------------------------------------
    def _look_at_written_page(self, position_s: float, *, turn: bool) -> None:
        """Note which page is being written at `position_s`; with `turn`, show it when it is
        not the one last noted (a page the user turned to stays until the writing moves on)."""
        if self.document is None or self.recording < 0:
            return
        page = self.document.timeline.order.page_being_written(self.ink_time_ms(self.recording, position_s))
        if page is not None and page != self._written_page:
            self._written_page = page
            if turn:
                self.set_page(page)

    def _say_if_missing(self) -> None:
        """The status-bar hint when the current recording's audio is missing."""
        if self.document is not None and self.is_missing(self.recording):
            self.message.emit(missing_hint(self.document.notebook.recordings[self.recording]))

    def _on_playback_advanced(self, position_s: float) -> None:
        self._look_at_written_page(position_s, turn=self.auto_page_turn)
