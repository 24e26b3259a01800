"""What an open does before the first page is on screen (issue 14: open to the first page
in < 0.6 s): the recording's peaks and loudness, and the audio copy the player decodes,
are made after that paint, not while it is being made (decoding holds Python's lock), and
so is the page's index for taps; a window that is never painted still gets its waveform
and its sound."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import soundfile as sf
from PySide6.QtWidgets import QWidget

from pencastviewer.app import document, peaks_job, recording_peaks
from pencastviewer.app.recording_peaks import RecordingPeaks
from pencastviewer.app.session import Session
from pencastviewer.audio import playback
from pencastviewer.audio.qt_output import QtAudioOutput
from pencastviewer.audio.silent_output import SilentAudioOutput
from pencastviewer.media.dynamics import Processing


def _session(qtbot) -> tuple[QWidget, Session]:  # type: ignore[no-untyped-def]
    """A session kept (with what hangs on it) until the test's widgets are cleaned up."""
    holder = QWidget()
    qtbot.addWidget(holder)
    session = Session(SilentAudioOutput())
    session.setParent(holder)
    return holder, session


def _logging(events: list[str], name: str, original):  # type: ignore[no-untyped-def]
    def logged(*args, **kwargs):  # type: ignore[no-untyped-def]
        events.append(name)
        return original(*args, **kwargs)

    return logged


def _open_shown(qtbot, monkeypatch, session, preferences, events: list[str], path):
    """A shown window whose page paints are logged as "paint", once it has opened `path`."""
    from pencastviewer.gui.main_window import MainWindow

    window = MainWindow(session, preferences)
    session.setParent(window)
    qtbot.addWidget(window)
    layer = window.canvas.layer
    monkeypatch.setattr(layer, "rebuild", _logging(events, "paint", layer.rebuild))
    window.resize(1000, 800)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(session.opened, timeout=20000):
        window.open_file(path)
    return window


def test_peaks_and_the_tap_index_wait_for_the_first_paint(
    qtbot, preferences, demo_path: Path, tmp_path: Path, monkeypatch
) -> None:

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # no peaks cached: a job must run
    events: list[str] = []
    monkeypatch.setattr(peaks_job.PeaksJob, "start", _logging(events, "peaks", peaks_job.PeaksJob.start))
    monkeypatch.setattr(document, "PageHitIndex", _logging(events, "index", document.PageHitIndex))
    session = Session(SilentAudioOutput())
    window = _open_shown(qtbot, monkeypatch, session, preferences, events, demo_path)
    qtbot.waitUntil(lambda: window.peaks.pyramid is not None, timeout=30000)
    qtbot.waitUntil(lambda: "index" in events, timeout=5000)
    assert "paint" in events and "peaks" in events
    first_paint = events.index("paint")
    assert events.index("peaks") > first_paint
    assert events.index("index") > first_paint


def test_a_window_never_painted_still_gets_its_peaks(qtbot, demo_path: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(recording_peaks, "PAGE_WAIT_MS", 100)
    _holder, session = _session(qtbot)
    peaks = RecordingPeaks(session, session)
    peaks.wait_for_page = True  # and nobody calls page_shown()
    with qtbot.waitSignal(peaks.finished, timeout=30000):
        session.open_file(demo_path)
    assert peaks.pyramid is not None


def test_a_held_job_cancelled_before_it_started_lets_go_of_the_notebook(
    qtbot, demo_path: Path, tmp_path: Path, monkeypatch
) -> None:
    import gc
    import weakref

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _holder, session = _session(qtbot)
    peaks = RecordingPeaks(session, session)
    peaks.wait_for_page = True
    with qtbot.waitSignal(session.opened, timeout=20000):
        session.open_file(demo_path)
    assert peaks.running  # held: the page was not shown
    first = weakref.ref(session.document)
    with qtbot.waitSignal(session.opened, timeout=20000):
        session.open_file(demo_path)  # the held job is cancelled with the recording it was for
    peaks.page_shown()
    qtbot.waitUntil(lambda: peaks.pyramid is not None, timeout=30000)
    qtbot.wait(50)  # (deleteLater)
    gc.collect()
    assert first() is None


def _thread_starts(monkeypatch, events: list[str], output: QtAudioOutput) -> None:  # type: ignore[no-untyped-def]
    """Log each start of `output`'s audio copy thread ("copy"; not another test's output's)."""
    ours: set[int] = set()
    start_decoding, start = playback.AudioOutput._start_decoding, threading.Thread.start

    def decoding(self, thread):  # type: ignore[no-untyped-def]
        if self is output:
            ours.add(id(thread))
        start_decoding(self, thread)

    def logged(thread: threading.Thread) -> None:
        if thread.name == "pcm-copy" and id(thread) in ours:
            events.append("copy")
        start(thread)

    monkeypatch.setattr(playback.AudioOutput, "_start_decoding", decoding)
    monkeypatch.setattr(threading.Thread, "start", logged)


def test_the_audio_copy_waits_for_the_first_paint(
    qtbot, preferences, demo_path: Path, tmp_path: Path, monkeypatch
) -> None:
    """With the real audio backend, the copy it decodes the recording into starts once the
    opened notebook's page is painted (decoding beside the paint made it several times slower)."""

    events: list[str] = []
    output = QtAudioOutput(cache_dir=str(tmp_path / "playback"))
    _thread_starts(monkeypatch, events, output)
    session = Session(output)
    _open_shown(qtbot, monkeypatch, session, preferences, events, demo_path)
    qtbot.waitUntil(lambda: "copy" in events, timeout=5000)
    assert "paint" in events and events.index("copy") > events.index("paint")


def _wav(path: Path) -> Path:
    t = np.arange(48000) / 48000
    sf.write(path, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 48000)
    return path


def test_held_decoding_starts_on_release_on_play_or_after_a_while(qtbot, tmp_path: Path, monkeypatch) -> None:
    events: list[str] = []
    # (long enough that the 50 ms wait below never outlasts it on a loaded machine: 100 did once)
    monkeypatch.setattr(playback, "DECODING_HOLD_MS", 500)
    output = QtAudioOutput(cache_dir=str(tmp_path / "playback"))
    _thread_starts(monkeypatch, events, output)
    releases = (output.release_decoding, output.play, lambda: None)  # the last: the hold's own timer
    for i, release in enumerate(releases):
        events.clear()
        output.hold_decoding()
        # another recording each time: the same files loaded again keep their copy (no decoding)
        output.load_sequence([(str(_wav(tmp_path / f"tone{i}.wav")), None)])
        output.seek(0.5)  # (a seek only tells the waiting copy where to begin)
        qtbot.wait(50)
        assert events == []
        release()
        qtbot.waitUntil(lambda: events == ["copy"], timeout=5000)
        output.stop()
    output.unload()


def test_a_processing_chosen_while_decoding_waits_is_the_one_heard(qtbot, tmp_path: Path) -> None:
    """The loudness found with the notebook changes the processing before the page is painted:
    the copy that waited must be made with it, not play the file as it is."""
    output = QtAudioOutput(cache_dir=str(tmp_path / "playback"))
    output.hold_decoding()
    output.load_sequence([(str(_wav(tmp_path / "tone.wav")), None)])  # as it is: a copy is not needed
    output.set_processing(Processing(gain_db=-6.0))  # now it is
    output.release_decoding()
    qtbot.waitUntil(lambda: output._playable is not None, timeout=5000)
    assert output._playable.temporary  # the copy, heard through the processing
    output.unload()


FIRST_PAINT_CHILD = """
import sys
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from pencastviewer.app.session import Session
from pencastviewer.audio.silent_output import SilentAudioOutput
from pencastviewer.gui.main_window import MainWindow
window = MainWindow(Session(SilentAudioOutput()))
window.show()
app.processEvents()
found, loop = [], QEventLoop()
original = window.canvas.paintEvent
def paint_event(event):
    original(event)
    if window.canvas.page is not None and not found:
        found.append(sorted(m for m in sys.modules if m == "numpy.ma" or m.startswith("numpy.ma.")))
        loop.quit()
window.canvas.paintEvent = paint_event
QTimer.singleShot(60000, loop.quit)
window.open_file(sys.argv[1])
loop.exec()
print(found)
"""


def test_numpy_ma_is_not_imported_before_the_first_paint(demo_path: Path, tmp_path: Path) -> None:
    """np.unique's first use imports numpy.ma: 20-30 ms on the GUI thread before the page
    showed (the selection's highlight, cleared on the new page). (scipy, 0.5 s in the
    reading worker, is guarded by tests/media/test_dynamics.py.)"""
    import os
    import subprocess
    import sys

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CACHE_HOME=str(tmp_path / "cache"))
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    out = subprocess.run(
        [sys.executable, "-c", FIRST_PAINT_CHILD, str(demo_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert out.strip().splitlines()[-1] == "[[]]"
