"""The real audio backend: QMediaPlayer (FFmpeg) playing a sample-exact PCM copy.

Why QMediaPlayer rather than a QAudioSink we feed ourselves: it decodes, seeks and
changes rate keeping the pitch (Qt ≥ 6.10, signalsmith-stretch) in its own threads, so
Python only issues commands and is never in the real-time path; a pushed QAudioSink
would need Python to refill it every few ms and our own time-stretcher.

Why a copy (pcm_copy). Measured through PulseAudio (tests/audio), QMediaPlayer playing
the files themselves starts a seek at the start of the compressed packet holding the
target: WAV 0 ms, Opus −6.5…−16 ms, AAC +3…−19 ms, Vorbis −1…−21 ms, FLAC −20…−76 ms
(at 48 kHz; packets last 3× longer at 16 kHz); and a 16 kHz stream sounds 33 ms after the
position Qt reports (PulseAudio resamples and buffers it). A 16-bit WAV at the device's
rate seeks to the sample in every case and has no hidden delay, and a recording's files
joined in one copy play with no gap at all. Playback starts once the copy is ready
(commands meanwhile are remembered).

Position: Qt's reports are smoothed by PlayheadClock. With pitch compensation at a rate
other than 1, Qt reports the position of the audio entering the stretcher, which is
heard `STRETCH_LAG_S × rate` later (measured: 0.09-0.11 s of wall time for 0.5-3×).
A rate change while playing restarts from the playhead like a seek: swapping the
stretcher in flight replays ~0.1 s and leaves Qt's position 50 ms off for 0.4 s.

Every call into QMediaPlayer is queued, to run from the event loop rather than from
Python: QMediaPlayer.stop() (and other calls that tear its renderers down) waits for the
audio thread, which needs the GIL to destroy its connections to our Python-made
QAudioOutput; called from Python, which holds the GIL, it deadlocks (seen in about one
stop in twenty after play-to-end-then-replay). From the event loop PySide has released
the GIL. For the same reason, unload() and let the event loop run before deleting one.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Q_ARG, SIGNAL, SLOT, QCoreApplication, QMetaObject, QObject, Qt, QUrl, Signal
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

from .devices import output_sample_rate
from .pcm_copy import Cancelled, PlayableAudio, make_playable
from .playback import PAUSED, PLAYING, STOPPED, AudioOutput, clamp_rate

STRETCH_LAG_S = 0.105  # wall-clock delay of Qt's pitch-keeping stretcher (see the module doc)
_Status = QMediaPlayer.MediaStatus
_QUEUED = Qt.ConnectionType.QueuedConnection


class _Relay(QObject):
    """Carries a finished copy from the worker thread to the GUI thread (queued)."""

    finished = Signal(int, object, str)  # generation, PlayableAudio | None, error message


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):  # still open (Windows): left to the temp folder's cleaning
        Path(path).unlink(missing_ok=True)


class QtAudioOutput(AudioOutput):
    """AudioOutput through QtMultimedia. cache_dir: where copies go (default: temp dir)."""

    def __init__(self, parent: QObject | None = None, cache_dir: str | None = None) -> None:
        super().__init__(parent)
        self._player = QMediaPlayer(self)
        self._sink = QAudioOutput(self)
        self._player.setAudioOutput(self._sink)
        self._player.setPitchCompensation(True)
        self._player.positionChanged.connect(self._on_player_position_changed)
        self._player.mediaStatusChanged.connect(self._on_player_media_status_changed)
        self._player.errorOccurred.connect(self._on_player_error_occurred)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._on_copy_finished)
        self._cache_dir = cache_dir
        self._generation = 0
        self._cancel = threading.Event()
        self._playable: PlayableAudio | None = None
        self._remove_copy: weakref.finalize | None = None
        self._ready = False
        self._want_playing = False
        app = QCoreApplication.instance()
        if app is not None:  # tear the player down from C++ (no GIL held) before exit
            QObject.connect(app, SIGNAL("aboutToQuit()"), self._player, SLOT("stop()"))

    def _queue(self, slot: str, *args: object) -> None:
        """Call a QMediaPlayer slot from the event loop (see the module doc)."""
        QMetaObject.invokeMethod(self._player, slot, _QUEUED, *args)

    # --- loading ---------------------------------------------------------------------
    def load_sequence(self, files: Sequence[tuple[str, float | None]]) -> None:
        self.unload()
        self._files = tuple((str(path), duration) for path, duration in files)
        if not self._files:
            return
        known = [d for _, d in self._files if d is not None]
        self._set_durations(known if len(known) == len(self._files) else ())
        self._start_copy()

    def _start_copy(self) -> None:
        generation, files, cancel = self._generation, self._files, self._cancel
        rate, directory, relay = output_sample_rate(), self._cache_dir, self._relay

        def work() -> None:
            try:
                result: PlayableAudio | None = make_playable(files, rate, directory, cancel)
                error = ""
            except Cancelled:
                return
            except Exception as e:
                result, error = None, str(e) if str(e).startswith(files[0][0]) else f"{files[0][0]}: {e}"
            try:
                relay.finished.emit(generation, result, error)
            except RuntimeError:  # the output was deleted meanwhile
                if result is not None and result.temporary:
                    _remove(result.path)

        threading.Thread(target=work, name="pcm-copy", daemon=True).start()

    def _on_copy_finished(self, generation: int, playable: PlayableAudio | None, error: str) -> None:
        if generation != self._generation:
            if playable is not None and playable.temporary:
                _remove(playable.path)
            return
        if playable is None:
            self._set_state(STOPPED)
            self.error_occurred.emit(error)
            return
        self._playable = playable
        if playable.temporary:
            self._remove_copy = weakref.finalize(self, _remove, playable.path)
        position = self._clock.position_s()
        self._set_durations(playable.durations_s)
        self._clock.jump(min(position, self._map.total_s))
        self._queue("setSource", Q_ARG(QUrl, QUrl.fromLocalFile(playable.path)))

    def _on_player_media_status_changed(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == _Status.LoadedMedia and not self._ready and self._playable is not None:
            self._ready = True
            self._queue("setPlaybackRate", Q_ARG(float, self._clock.rate))
            self._queue("setPosition", Q_ARG("qlonglong", round(self._clock.position_s() * 1000)))
            if self._want_playing:
                self._start_player()
            self.ready_changed.emit(True)
        elif status == _Status.EndOfMedia and self._ready:
            self._want_playing = False
            self._clock.hold()
            self._clock.jump(self._map.total_s)
            self._set_state(STOPPED)
            self.ended.emit()

    def _on_player_error_occurred(self, error: QMediaPlayer.Error, text: str) -> None:
        if error != QMediaPlayer.Error.NoError:
            name = self._files[0][0] if self._files else "audio"
            self._want_playing = False
            self._clock.hold()
            self._set_state(STOPPED)
            self.error_occurred.emit(f"{name}: cannot play ({text or error.name})")

    def unload(self) -> None:
        self._generation += 1
        self._cancel.set()
        self._cancel = threading.Event()
        self._want_playing = False
        self._queue("stop")
        self._queue("setSource", Q_ARG(QUrl, QUrl()))
        if self._remove_copy is not None:
            self._remove_copy()
            self._remove_copy = None
        self._playable = None
        was_ready, self._ready = self._ready, False
        self._files = ()
        self._clock.hold()
        self._clock.jump(0.0)
        self._set_durations(())
        self._set_state(STOPPED)
        if was_ready:
            self.ready_changed.emit(False)

    def is_ready(self) -> bool:
        return self._ready

    # --- transport -------------------------------------------------------------------
    def _start_player(self) -> None:
        self._queue("play")
        self._clock.start()

    def play(self) -> None:
        if not self._files:
            return
        if self._at_end():
            self.seek(0.0)
        self._want_playing = True
        if self._ready and not self._clock.running:
            self._start_player()
        self._set_state(PLAYING)

    def pause(self) -> None:
        self._halt(PAUSED if self._state != STOPPED else STOPPED)

    def stop(self) -> None:
        self._halt(STOPPED)
        self.seek(0.0)

    def _halt(self, state: str) -> None:
        self._want_playing = False
        if self._ready:
            self._queue("pause")
        self._clock.hold()
        self._set_state(state)

    def seek(self, position_s: float) -> None:
        upper = self._map.total_s if self._map.durations_s else float("inf")
        position = min(max(float(position_s), 0.0), upper)
        self._clock.jump(position)
        if self._ready:
            self._queue("setPosition", Q_ARG("qlonglong", round(position * 1000)))

    def set_rate(self, rate: float) -> None:
        """While playing, restarts from the playhead, like a seek (see the module doc)."""
        rate = clamp_rate(rate)
        position = self._clock.position_s()
        self._clock.set_rate(rate)
        self._clock.start_delay_s = self._stretch_lag_s() / rate
        if self._ready:
            self._queue("setPlaybackRate", Q_ARG(float, rate))
            if self._clock.running:
                self.seek(position)

    def set_volume(self, volume: float) -> None:
        self._sink.setVolume(min(max(float(volume), 0.0), 1.0))

    def set_muted(self, muted: bool) -> None:
        self._sink.setMuted(bool(muted))

    # --- position --------------------------------------------------------------------
    def _stretch_lag_s(self) -> float:
        rate = self._clock.rate
        if abs(rate - 1.0) < 1e-6 or not self._player.pitchCompensation():
            return 0.0  # Qt bypasses the stretcher at 1× (and without pitch compensation)
        return STRETCH_LAG_S * rate

    def _on_player_position_changed(self, position_ms: int) -> None:
        if self._ready and self._clock.running:
            self._clock.observe(position_ms / 1000.0 - self._stretch_lag_s())
