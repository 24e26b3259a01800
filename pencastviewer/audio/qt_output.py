"""The real audio backend: QMediaPlayer (FFmpeg) playing a sample-exact PCM copy.

Why QMediaPlayer rather than a QAudioSink we feed: it decodes, seeks and changes rate
keeping the pitch (Qt ≥ 6.10) in its own threads; Python only issues commands and is never
in the real-time path (a pushed sink needs a refill every few ms, and our own stretcher).

Why a copy (pcm_copy): played as they are, compressed files start a seek at the packet
holding the target (FLAC: up to 76 ms early, through PulseAudio), a 16 kHz stream sounds
33 ms late; a 16-bit WAV at the device's rate seeks to the sample, with no hidden delay or
gap between files. It plays while being made (what the player waits for first; decoded by a
child process, run_writer); the transport (state_machine.Transport) sends the player to a
position once the copy holds it, stalls when it falls short (qt_quirks); bench_large_notebook.py.

Position: Qt's, smoothed by PlayheadClock, less the stretcher's lag. stop and setSource are
queued, the transport's calls made at once (qt_quirks: "Queued calls"): unload() and let the
event loop run before deleting one.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import weakref
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, QUrl
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

from ..media.dynamics import IDENTITY, Processing
from . import decode_process
from .copy_relay import CopyRelay, abandon, emit
from .copy_store import remove_stale_copies
from .devices import output_sample_rate
from .kept_copies import copy_key
from .pcm_copy import Cancelled, PcmCopy, PlayableAudio, playable_as_is
from .playback import AudioOutput, clamp_rate
from .qt_quirks import AHEAD_S, LEAD_S, PlayerCalls, stop_at_quit, stretch_lag_s
from .state_machine import Action, Transport

_Status = QMediaPlayer.MediaStatus
_cleaned_folders: set[str | None] = set()  # stale copies are looked for once per folder and run


class QtAudioOutput(AudioOutput):
    """AudioOutput through QtMultimedia. cache_dir: where copies go (default: the temp
    folder; devices.create_output gives the user's cache)."""

    def __init__(self, parent: QObject | None = None, cache_dir: str | None = None) -> None:
        super().__init__(parent)
        self._player = QMediaPlayer(self)
        self._sink = QAudioOutput(self)
        self._player.setAudioOutput(self._sink)
        self._player.setPitchCompensation(True)
        self._calls = PlayerCalls(self._player)
        self._player.positionChanged.connect(self._on_player_position_changed)
        self._player.mediaStatusChanged.connect(self._on_player_media_status_changed)
        self._player.errorOccurred.connect(self._on_player_error_occurred)
        self._player.sourceChanged.connect(self._on_player_source_changed)
        self._source_set = False  # the player has our playable's source (qt_quirks: "Stale status")
        self._loaded_key: str | None = None  # kept_copies.copy_key of what is loaded
        self._relay = CopyRelay(self)
        self._relay.started.connect(self._on_copy_started)
        self._relay.advanced.connect(self._on_copy_advanced)
        self._relay.finished.connect(self._on_copy_finished)
        self._cache_dir = cache_dir
        self._generation = 0
        self._cancel = threading.Event()
        self._copy: PcmCopy | None = None  # the copy being made (None: none, or playing a file as is)
        self._drop_copy_now: weakref.finalize[Any, Any] | None = None  # at exit too: copies never outlive us
        self._playable: PlayableAudio | None = None
        self._transport = Transport()
        self._processing = IDENTITY
        stop_at_quit(self._player)
        decode_process.warm()  # a tap right after the first load is decoded there (run_writer)

    # --- loading ---------------------------------------------------------------------
    def load_sequence(self, files: Sequence[tuple[str, float | None]]) -> None:
        named = tuple((str(path), duration) for path, duration in files)
        key = copy_key(named, output_sample_rate(), self._processing) if named else None
        if key is not None and key == self._loaded_key:
            return self._load_again()
        self.unload()
        self._files, self._loaded_key = named, key
        if not self._files:
            return
        known = [d for _, d in self._files if d is not None]
        self._set_durations(known if len(known) == len(self._files) else ())
        if len(known) < len(self._files):
            self._clock.set_duration(None)  # unknown until the copy starts: seeks are not clamped to 0
        self._start_copy()

    def _load_again(self) -> None:
        """The same files heard the same way (the notebook opened again): the player keeps
        its source and the copy goes on, stopped at 0. Tearing the source down and setting
        it again held the GUI thread ~130 ms, just when Play is pressed on the reopened
        notebook (bench_large_notebook --latency); a changed file has another key."""
        self.stop()
        self.duration_changed.emit(self._map.total_s)
        if self._transport.ready:
            self.ready_changed.emit(True)

    def _start_copy(self) -> None:
        generation, files, cancel = self._generation, self._files, self._cancel
        rate, directory, relay = output_sample_rate(), self._cache_dir, self._relay
        advanced = functools.partial(relay.advance, generation)
        processing = self._processing
        kept = directory is not None
        copy = self._copy = PcmCopy(
            files, rate, directory, processing=processing, kept=kept, in_child=True, key=self._loaded_key
        )
        self._drop_copy_now = weakref.finalize(self, abandon, cancel, copy)

        def started() -> None:
            if not emit(relay.started, generation, PlayableAudio(copy.path, copy.durations_s, True)):
                abandon(cancel, copy)

        as_is = playable_as_is(files, rate) if processing.is_identity else None
        prepared = as_is is None and copy.prepare()  # the player gets the file now, not via a worker
        if as_is is not None or prepared:
            self._on_copy_started(generation, as_is or PlayableAudio(copy.path, copy.durations_s, True))

        def work() -> None:
            if directory not in _cleaned_folders:
                _cleaned_folders.add(directory)
                with contextlib.suppress(OSError):
                    remove_stale_copies(directory)
            if as_is is not None:
                return
            error = ""
            try:
                copy.run(cancel, (lambda: None) if prepared else started, advanced)
            except Cancelled:
                return
            except Exception as e:
                error = str(e) if str(e).startswith(files[0][0]) else f"{files[0][0]}: {e}"
            if not emit(relay.finished, generation, error):
                abandon(cancel, copy)

        self._start_decoding(threading.Thread(target=work, name="pcm-copy", daemon=True))

    def set_processing(self, processing: Processing) -> None:
        """Hear the recording through `processing` from the playhead on: the copy is written
        again from there (about as long as a seek to audio not yet copied). A file played as it
        is, or a kept copy (never written again), is loaded again where it was, as it was."""
        if processing == self._processing:
            return
        self._processing = processing
        if not self._files:
            return
        position, playing = self._clock.position_s(), self._transport.want_playing
        copy = self._copy
        again = None if copy is None else copy.reprocess(processing, position)
        if copy is None or again is None:  # played as it is, or a kept copy: a new one (or kept)
            self.load_sequence(self._files)
            self.seek(position)
            if playing:
                self.play()
            return
        if again:
            self._resume_copy(copy)
        self._loaded_key = copy.key  # heard so now
        self.seek(position)  # Qt's buffers hold audio as it was heard: from the copy again

    def _resume_copy(self, copy: PcmCopy) -> None:
        generation, cancel, relay = self._generation, self._cancel, self._relay

        def work() -> None:
            error = ""
            try:
                copy.resume(cancel, functools.partial(relay.advance, generation))
            except Cancelled:
                return
            except Exception as e:
                error = str(e)
            emit(relay.finished, generation, error)

        threading.Thread(target=work, name="pcm-copy-again", daemon=True).start()

    def _drop_copy(self) -> None:
        """Stop making the copy and delete it (a large one in a thread: see PcmCopy.release)."""
        dropping = self._drop_copy_now.detach() if self._drop_copy_now is not None else None
        if dropping is not None:
            _, _, (cancel, copy), _ = dropping
            abandon(cancel, copy, in_background=True)
        self._drop_copy_now, self._copy = None, None

    def _on_copy_started(self, generation: int, playable: PlayableAudio) -> None:
        if generation != self._generation:
            return  # unload() has dropped that copy already
        if not playable.temporary:
            self._drop_copy()  # the file plays as it is: no copy is made
        self._playable = playable
        position = self._clock.position_s()
        self._set_durations(playable.durations_s)
        self._clock.jump(min(position, self._map.total_s))
        self._calls.later("setSource", QUrl.fromLocalFile(playable.path))

    def _on_copy_advanced(self, generation: int) -> None:
        if generation == self._generation and self._copy is not None:
            self._carry_out(self._transport.copy_advanced(self._covered(LEAD_S)))

    def _on_copy_finished(self, generation: int, error: str) -> None:
        if generation != self._generation:
            return
        if error:
            self._fail(error)
        else:
            self._carry_out(self._transport.copy_finished(self._covered(LEAD_S)))

    def _on_player_source_changed(self, source: QUrl) -> None:
        playable = self._playable
        self._source_set = playable is not None and source == QUrl.fromLocalFile(playable.path)
        if self._source_set and self._player.mediaStatus() == _Status.LoadedMedia:
            self._on_player_media_status_changed(_Status.LoadedMedia)

    def _on_player_media_status_changed(self, status: QMediaPlayer.MediaStatus) -> None:
        loaded = status == _Status.LoadedMedia and self._source_set and self._playable is not None
        if loaded and not self._transport.ready:
            self._calls.now("setPlaybackRate", self._clock.rate)
            self._carry_out(self._transport.loaded(self._covered(LEAD_S)))
            self.ready_changed.emit(True)
        elif status == _Status.EndOfMedia and self._transport.ready:
            self._carry_out(self._transport.ended())
            self.ended.emit()

    def _on_player_error_occurred(self, error: QMediaPlayer.Error, text: str) -> None:
        if error != QMediaPlayer.Error.NoError:
            name = self._files[0][0] if self._files else "audio"
            self._fail(f"{name}: cannot play ({text or error.name})")

    def _fail(self, message: str) -> None:
        self._loaded_key = None  # loading the files again tries anew
        self._carry_out(self._transport.failed())
        self.error_occurred.emit(message)

    def unload(self) -> None:
        self._generation += 1
        self._source_set, self._loaded_key = False, None
        self._drop_held_decoding()
        self._drop_copy()
        self._cancel = threading.Event()
        was_ready = self._transport.ready
        self._carry_out(self._transport.unload())
        self._calls.later("setSource", QUrl())
        self._playable = None
        self._files = ()
        self._clock.jump(0.0)
        self._set_durations(())
        if was_ready:
            self.ready_changed.emit(False)

    def is_ready(self) -> bool:
        return self._transport.ready

    def is_copying(self) -> bool:
        """True while the sample-exact copy is still being written (it plays meanwhile)."""
        return self._copy is not None and not self._copy.complete

    # --- transport -------------------------------------------------------------------
    def _covered(self, ahead_s: float) -> bool:
        """The copy holds `ahead_s` from the playhead (no copy: the file plays as it is)."""
        position = self._clock.position_s()
        return self._copy is None or self._copy.covers(position, position + ahead_s)

    def _carry_out(self, actions: list[Action]) -> None:
        """Do what the transport decided, in order, then show its state."""
        for action in actions:
            if action is Action.REQUEST_COPY and self._copy is not None:
                self._copy.request(self._clock.position_s(), wanted_s=LEAD_S)  # -> _on_copy_advanced
            elif action is Action.QUIET_COPY and self._copy is not None:
                self._copy.notify = False
            elif action is Action.PAUSE_PLAYER:
                self._calls.now("pause")
            elif action is Action.STOP_PLAYER:
                self._calls.later("stop")
            elif action is Action.HOLD_CLOCK:
                self._clock.hold()
            elif action is Action.SEEK_PLAYER:
                position_ms = round(self._clock.position_s() * 1000)
                self._calls.now("setPosition", position_ms)
            elif action is Action.START_PLAYER:
                self._calls.now("play")
                self._clock.start()
            elif action is Action.JUMP_TO_END:
                self._clock.jump(self._map.total_s)
        self._set_state(self._transport.state)

    def play(self) -> None:
        self.release_decoding()  # (sound is wanted now)
        if not self._files:
            return
        if self._at_end():
            self.seek(0.0)
        self._carry_out(self._transport.play(self._covered(LEAD_S)))

    def pause(self) -> None:
        self._carry_out(self._transport.pause())

    def stop(self) -> None:
        self._carry_out(self._transport.stop())
        self.seek(0.0)

    def seek(self, position_s: float) -> None:
        upper = self._map.total_s if self._map.durations_s else float("inf")
        position = min(max(float(position_s), 0.0), upper)
        self._clock.jump(position)
        if self._copy is not None:
            # the copy starts there even before Qt is ready, LEAD_S of it in one go
            self._copy.request(position, notify=False, wanted_s=LEAD_S)
        self._carry_out(self._transport.seek(self._covered(LEAD_S)))

    def set_rate(self, rate: float) -> None:
        """While playing, restarts from the playhead, like a seek (qt_quirks: "Stretch lag")."""
        rate = clamp_rate(rate)
        position = self._clock.position_s()
        self._clock.set_rate(rate)
        self._clock.start_delay_s = self._stretch_lag_s() / rate
        if self._transport.ready:
            self._calls.now("setPlaybackRate", rate)
            if self._clock.running:
                self.seek(position)

    def set_volume(self, volume: float) -> None:
        self._sink.setVolume(min(max(float(volume), 0.0), 1.0))

    def set_muted(self, muted: bool) -> None:
        self._sink.setMuted(bool(muted))

    # --- position --------------------------------------------------------------------
    def _stretch_lag_s(self) -> float:
        return stretch_lag_s(self._clock.rate, self._player.pitchCompensation())

    def _on_player_position_changed(self, position_ms: int) -> None:
        if self._transport.ready and self._clock.running and not self._calls.making:
            self._clock.observe(position_ms / 1000.0 - self._stretch_lag_s())
            self._keep_copy_ahead()

    def _keep_copy_ahead(self) -> None:
        """While the copy is being made: have it written ahead of the playhead, and stall
        before the player reads where it is not (qt_quirks: "Read-ahead")."""
        copy = self._copy
        if copy is None or copy.complete:
            return
        if not self._covered(LEAD_S):
            copy.request(self._clock.position_s(), notify=False, wanted_s=LEAD_S)
        if not self._covered(AHEAD_S):
            self._carry_out(self._transport.running_short(covered=False))
