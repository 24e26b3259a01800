"""What an open does before the first page is on screen (issue 14: open to the first page
in < 0.6 s): the recording's peaks and loudness are decoded after that paint, not while it
is being made (decoding holds Python's lock), and so is the page's index for taps; a
window that is never painted still gets its waveform."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from pencastviewer.app import document, peaks_job, recording_peaks
from pencastviewer.app.recording_peaks import RecordingPeaks
from pencastviewer.app.session import Session
from pencastviewer.audio.silent_output import SilentAudioOutput


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


def test_peaks_and_the_tap_index_wait_for_the_first_paint(
    qtbot, preferences, demo_path: Path, tmp_path: Path, monkeypatch
) -> None:
    from pencastviewer.gui.main_window import MainWindow

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # no peaks cached: a job must run
    events: list[str] = []
    monkeypatch.setattr(peaks_job.PeaksJob, "start", _logging(events, "peaks", peaks_job.PeaksJob.start))
    monkeypatch.setattr(document, "PageHitIndex", _logging(events, "index", document.PageHitIndex))
    session = Session(SilentAudioOutput())
    window = MainWindow(session, preferences)
    session.setParent(window)
    qtbot.addWidget(window)
    layer = window.canvas.layer
    monkeypatch.setattr(layer, "rebuild", _logging(events, "paint", layer.rebuild))
    window.resize(1000, 800)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(session.opened, timeout=20000):
        window.open_file(demo_path)
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
