"""The session: the one owner of the opened notebook, the current page and recording, the
playhead, the selection and the playback settings. Views follow its signals and never
talk to each other."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from ..audio.playback import MAX_RATE, MIN_RATE
from ..formats import FormatError, ReadOptions
from ..model import Hit, Timeline, WritingOrder
from .audio_files import playable_sequence
from .document import OpenedNotebook, open_notebook
from .heard_time import MAX_SYNC_OFFSET_MS, heard_span_s
from .workers import Job

PLAYHEAD_INTERVAL_MS = 16  # one repaint per frame at 60 Hz while playing
JUMP_GRACE_S = 1.0  # "previous" within this long after a stroke's start goes to the one before


class Session(QObject):
    """Lives in the GUI thread. `output` is an audio backend from pencastviewer.audio
    (load_sequence/play/pause/stop/seek/set_rate/set_volume/set_muted/position_s/state).

    Ink time ↔ audio position goes through `audio_position_s` / `ink_time_ms`, which add
    the current recording's sync offset (ms; positive: the audio of a stroke comes later
    in the recording than the timestamps say), so taps, the reveal, jumps and the
    waveform's writing marks always agree."""

    opening = Signal(str)  # path
    opened = Signal()
    open_failed = Signal(str, object)  # path, the FormatError (str(error) is the one-line message)
    page_changed = Signal(int)
    recording_changed = Signal(int)  # -1 = none
    recording_missing = Signal(int, str)  # index, name: made current, but its audio was not found
    playhead_moved = Signal(float)  # seconds within the current recording
    playback_state_changed = Signal(str)  # playing / paused / stopped
    selection_changed = Signal(object)  # (start_s, end_s) in the current recording, or None
    strokes_selected = Signal(object)  # (page, stroke indices) selected on a page, or None
    rate_changed = Signal(float)
    volume_changed = Signal(float)
    muted_changed = Signal(bool)
    sync_offset_changed = Signal(float)  # ms, of the current recording
    options_changed = Signal()  # preroll_s, show_ghosts or auto_page_turn
    message = Signal(str)  # for the status bar
    problem = Signal(str)  # something the user should be told about (a dialog)
    looping_changed = Signal(bool)  # the selected region plays in a loop

    def __init__(self, output: QObject, parent: QObject | None = None):
        super().__init__(parent)
        self.looping = False
        self.output = output
        self.document: OpenedNotebook | None = None
        self.page = 0
        self.recording = -1
        self.preroll_s = 1.5
        self.show_ghosts = True
        self.auto_page_turn = True
        self.rate = 1.0
        self.volume = 1.0
        self.muted = False
        self.selection: tuple[float, float] | None = None
        self.selected_strokes: tuple[int, tuple[int, ...]] | None = None
        self.sync_offsets_ms: dict[int, float] = {}
        self._written_page: int | None = None  # the page being written when last looked
        self._jobs: set[Job] = set()
        self._open_generation = 0
        self._timer = QTimer(self)
        self._timer.setInterval(PLAYHEAD_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        output.state_changed.connect(self._on_output_state_changed)
        output.error_occurred.connect(self.problem)

    # --- opening -------------------------------------------------------------------
    def open_file(self, path: str | Path, options: ReadOptions | None = None) -> Job:
        """Read in the background; the current notebook stays until the new one is ready,
        so a failed open leaves everything as it was. Only the latest open counts."""
        self._open_generation += 1
        generation = self._open_generation
        job = Job(lambda: open_notebook(path, options))
        self._jobs.add(job)
        job.relay.succeeded.connect(lambda doc: self._on_open_succeeded(job, generation, doc))
        job.relay.failed.connect(lambda err: self._on_open_failed(job, generation, str(path), err))
        self.opening.emit(str(path))
        job.start()
        return job

    def set_document(self, document: OpenedNotebook) -> None:
        self.output.stop()
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

    def _on_open_succeeded(self, job: Job, generation: int, document: OpenedNotebook) -> None:
        self._jobs.discard(job)
        if generation == self._open_generation:
            self.set_document(document)

    def _on_open_failed(self, job: Job, generation: int, path: str, error: BaseException) -> None:
        self._jobs.discard(job)
        if generation != self._open_generation:
            return
        if not isinstance(error, FormatError):  # a reader's bug: still a FormatError naming the file
            error = FormatError(path, f"{type(error).__name__}: {error}")
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
            self.output.unload()
            self._make_current(index)
            self.recording_missing.emit(index, recording.name)
            return False
        try:
            sequence = playable_sequence(recording)
        except (FormatError, OSError) as e:
            self.problem.emit(f"The recording “{recording.name}” cannot be played: {e}")
            return False
        self.output.load_sequence(sequence)
        self.output.set_rate(self.rate)
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
        if self.recording < 0:
            return
        offset_ms = round(min(max(float(offset_ms), -MAX_SYNC_OFFSET_MS), MAX_SYNC_OFFSET_MS), 3)
        if offset_ms != self.sync_offset_ms:
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
        position = self.output.position_s()
        if self.output.state() == "stopped" and position <= 0.0:
            return None
        return self.ink_time_ms(self.recording, position)

    def writing_positions_s(self) -> list[tuple[float, float]]:
        """(start, end) in the current recording of every stroke it covers: where the
        waveform marks that writing happened."""
        doc = self.document
        if doc is None or self.recording < 0:
            return []
        r = self.recording
        return [
            (self.audio_position_s(r, s.start_ms), self.audio_position_s(r, s.end_ms))
            for page in doc.notebook.pages
            for s in page.strokes
            if s.recording == r
        ]

    # --- playback ------------------------------------------------------------------
    def play_at(self, recording: int, position_s: float) -> None:
        if recording != self.recording and not self.select_recording(recording):
            return
        if not self.audible:
            return
        self.output.seek(max(position_s, 0.0))
        self.output.play()
        self.playhead_moved.emit(self.output.position_s())

    def toggle_play(self) -> None:
        if not self.audible:
            self._say_if_missing()
            return
        if self.output.state() == "playing":
            self.output.pause()
        else:
            self.output.play()

    def stop(self) -> None:
        if self.recording >= 0:
            self.output.stop()
            self.playhead_moved.emit(self.output.position_s())

    def seek(self, position_s: float, *, follow: bool = True) -> None:
        """Move the playhead; with `follow` (and auto page turn on) the page being
        written there is shown."""
        if not self.audible:
            return
        self.output.seek(max(position_s, 0.0))
        position = self.output.position_s()
        self._look_at_written_page(position, turn=follow and self.auto_page_turn)
        self.playhead_moved.emit(position)

    def skip(self, delta_s: float) -> None:
        if self.audible:
            duration = self.output.duration_s() or float("inf")
            self.seek(min(max(self.output.position_s() + delta_s, 0.0), duration))

    def set_rate(self, rate: float) -> None:
        rate = round(min(max(float(rate), MIN_RATE), MAX_RATE), 3)
        if rate != self.rate:
            self.rate = rate
            self.output.set_rate(rate)
            self.rate_changed.emit(rate)

    def set_volume(self, volume: float) -> None:
        volume = min(max(float(volume), 0.0), 1.0)
        if volume != self.volume:
            self.volume = volume
            self.output.set_volume(volume)
            self.volume_changed.emit(volume)

    def set_muted(self, muted: bool) -> None:
        if bool(muted) != self.muted:
            self.muted = bool(muted)
            self.output.set_muted(self.muted)
            self.muted_changed.emit(self.muted)

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
        kept = self.selected_strokes if _clamped(span) == self.selection else None
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
        span = _clamped(span)
        span_changed, strokes_changed = span != self.selection, strokes != self.selected_strokes
        self.selected_strokes, self.selection = strokes, span
        if span is None and self.looping:
            self.set_looping(False)  # nothing left to loop
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
        self.output.seek(max(heard_s - self.preroll_s, 0.0))
        if play:
            self.output.play()
        self._look_at_written_page(self.output.position_s(), turn=False)
        self.playhead_moved.emit(self.output.position_s())

    def writing_order(self) -> WritingOrder | None:
        return None if self.document is None else self.document.timeline.order

    def jump(self, direction: int, *, phrases: bool) -> bool:
        """Go to the next (direction 1) or previous (-1) stroke or phrase of the current
        recording, where a tap on it would play from (playing on if it was playing);
        False when there is none."""
        order = self.writing_order()
        if order is None or not self.audible:
            return False
        starts = order.starts(self.recording, phrases=phrases)
        if len(starts) == 0:
            self.message.emit("This recording has no ink.")
            return False
        heard = np.array([self.audio_position_s(self.recording, t) for t in order.start_ms[starts].tolist()])
        targets = np.maximum(heard - self.preroll_s, 0.0)
        position = self.output.position_s()
        if direction > 0:
            k = int(np.searchsorted(targets, position + 0.05, side="right"))
        else:
            k = int(np.searchsorted(targets, position - JUMP_GRACE_S, side="left")) - 1
        if not 0 <= k < len(targets):
            return False
        playing = self.output.state() == "playing"
        self._go_to_writing(self.recording, int(order.page[starts[k]]), float(heard[k]), play=playing)
        return True

    # --- following the playhead -----------------------------------------------------------
    def _look_at_written_page(self, position_s: float, *, turn: bool) -> None:
        """Note which page is being written at `position_s`; with `turn`, show it when it
        is not the one last noted (so a page the user turned to stays until the writing
        moves on to another page)."""
        order = self.writing_order()
        if order is None or self.recording < 0:
            return
        page = order.page_being_written(self.ink_time_ms(self.recording, position_s))
        if page is not None and page != self._written_page:
            self._written_page = page
            if turn:
                self.set_page(page)

    def position_s(self) -> float:
        return self.output.position_s() if self.audible else 0.0

    def _say_if_missing(self) -> None:
        """The status-bar hint when the current recording's audio is missing."""
        if self.is_missing(self.recording):
            recording = self.document.notebook.recordings[self.recording]  # type: ignore[union-attr]
            why = recording.missing_text()
            if recording.is_lost:
                self.message.emit(f"Nothing to play: {why}. The ink is shown without sound.")
            else:
                self.message.emit(f"Nothing to play: {why} — File ▸ Locate recording… finds it.")

    def _on_output_state_changed(self, state: str) -> None:
        if state == "playing":
            self._timer.start()
        else:
            self._timer.stop()
            self.playhead_moved.emit(self.output.position_s())
        self.playback_state_changed.emit(state)

    def set_looping(self, looping: bool) -> None:
        """Loop the selected region: playback past its end goes back to its start."""
        if looping != self.looping:
            self.looping = looping
            self.looping_changed.emit(looping)
            if looping and self.selection is not None and self.audible:
                start, end = self.selection
                if not start <= self.output.position_s() < end:
                    self.seek(start, follow=False)

    def _on_timer_timeout(self) -> None:
        position = self.output.position_s()
        if self.looping and self.selection is not None and position >= self.selection[1]:
            self.output.seek(self.selection[0])  # the loop's turn: back to the region's start
            position = self.output.position_s()
        self._look_at_written_page(position, turn=self.auto_page_turn)
        self.playhead_moved.emit(position)


def _clamped(span: tuple[float, float] | None) -> tuple[float, float] | None:
    """A region in order, not before the recording's start."""
    if span is None:
        return None
    start, end = sorted(span)
    return (max(start, 0.0), max(end, 0.0))
