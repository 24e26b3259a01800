"""Re-opening a notebook in the window (issue 14): the notebook it replaces is freed with
what was made from it (pages, hit indexes, peaks), its missing thumbnails are not drawn
while the next one is being read, and the freed memory is handed back to the system."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest

from pencastviewer.app import document, open_document
from pencastviewer.app.session import Session
from pencastviewer.audio.silent_output import SilentAudioOutput
from pencastviewer.gui.thumbnails import ThumbnailList


def _held_open(monkeypatch) -> threading.Event:
    """Opens read until the returned event is set."""
    release, read = threading.Event(), document.open_notebook
    monkeypatch.setattr("pencastviewer.app.session.open_notebook", lambda *a: (release.wait(30), read(*a))[1])
    return release


def _demo_session(qtbot, demo_path) -> Session:
    """A session (silent output) with the demo open, its playhead at 42 s."""
    session = Session(SilentAudioOutput())
    with qtbot.waitSignal(session.opened, timeout=20000):
        session.open_file(demo_path)
    session.seek(42.0)
    return session


def test_reopening_frees_the_notebook_it_replaces(open_window, demo_path, qtbot):
    window = open_window(demo_path)
    s = window.session
    s.set_page(1)  # a page painted, its sprites and its hit index made
    s.tap(1, 60.0, 60.0)
    qtbot.wait(100)
    assert window.peaks.pyramid is not None
    old = [weakref.ref(o) for o in (s.document, s.document.notebook, window.peaks.pyramid)]
    old_page = weakref.ref(s.document.notebook.pages[1])
    with qtbot.waitSignal(s.opened, timeout=20000):
        window.open_file(demo_path)
    qtbot.waitUntil(lambda: window.peaks.pyramid is not None, timeout=30000)
    qtbot.wait(100)
    gc.collect()
    assert [ref() for ref in old] == [None, None, None]
    assert old_page() is None


def test_the_freed_memory_is_given_back_after_an_open(open_window, demo_path, qtbot, monkeypatch):
    calls: list[bool] = []
    monkeypatch.setattr(open_document, "RELEASE_DELAYS_MS", (0,))
    monkeypatch.setattr(open_document, "return_freed_memory", lambda: calls.append(True))
    window = open_window(demo_path)
    qtbot.waitUntil(lambda: bool(calls), timeout=10000)
    calls.clear()
    with qtbot.waitSignal(window.session.opened, timeout=20000):
        window.open_file(demo_path)
    qtbot.waitUntil(lambda: bool(calls), timeout=10000)


def test_no_thumbnail_is_drawn_while_the_next_notebook_is_read(qtbot, demo_path, monkeypatch):
    session = Session(SilentAudioOutput())
    thumbnails = ThumbnailList(session)
    qtbot.addWidget(thumbnails)
    thumbnails.show()
    drawn: list[int] = []
    original = thumbnails._draw
    thumbnails._draw = lambda index: (drawn.append(index), original(index))[1]
    with qtbot.waitSignal(session.opened, timeout=20000):
        session.open_file(demo_path)
    assert not thumbnails.thumbnails_done()  # (drawn from the next turns of the event loop)

    release = _held_open(monkeypatch)
    try:
        with qtbot.waitSignal(session.opened, timeout=20000):
            session.open_file(demo_path)  # read until released
            qtbot.wait(600)  # long enough for every thumbnail of the notebook shown to be drawn
            assert drawn == []
            release.set()
    finally:
        release.set()
    qtbot.waitUntil(thumbnails.thumbnails_done, timeout=20000)
    assert sorted(drawn) == [0, 1]  # the new notebook's, once it is shown


def test_a_failed_open_draws_the_thumbnails_left(qtbot, demo_path, tmp_path):
    session = Session(SilentAudioOutput())
    thumbnails = ThumbnailList(session)
    qtbot.addWidget(thumbnails)
    with qtbot.waitSignal(session.opened, timeout=20000):
        session.open_file(demo_path)
    with qtbot.waitSignal(session.open_failed, timeout=20000):
        session.open_file(tmp_path / "gone.pencast")
    qtbot.waitUntil(thumbnails.thumbnails_done, timeout=20000)


def test_a_notebook_opened_again_shows_its_waveform_with_its_first_page(
    open_window, demo_path, qtbot, monkeypatch
):
    """Its pyramid comes from the cache through the reading worker (no peaks job), and its
    writing marks and normalisation gain are made there too: nothing on the GUI thread."""
    window = open_window(demo_path)  # (its peaks are in the cache from now on)
    s = window.session
    made_on_gui_thread: list[str] = []

    def off_the_gui_thread(module, name: str) -> None:
        original = getattr(module, name)

        def watched(*args, **kwargs):
            if threading.current_thread() is threading.main_thread():
                made_on_gui_thread.append(name)
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, watched)

    from pencastviewer.app import listening, recording_peaks

    off_the_gui_thread(document, "merged_marks")
    off_the_gui_thread(listening, "normalization_gain_db")
    off_the_gui_thread(recording_peaks, "PeaksJob")
    shown_at_opened: list[bool] = []
    s.opened.connect(lambda: shown_at_opened.append(window.waveform.detail.pyramid is not None))
    with qtbot.waitSignal(s.opened, timeout=20000):
        window.open_file(demo_path)
    qtbot.wait(100)
    assert shown_at_opened == [True]
    assert made_on_gui_thread == []
    starts, ends = window.waveform.detail.marks
    assert len(starts) > 10 and (ends > starts).all()
    assert window.waveform.scale_choice.processing().gain_db > 3.0  # (the quiet demo, normalised)


def test_writing_marks_are_kept_per_recording_and_sync_offset(demo_path):
    doc = document.open_notebook(demo_path)
    marks = doc.writing_marks(doc.timeline, 0)
    assert doc.writing_marks(doc.timeline, 0) is marks
    later = doc.writing_marks(doc.timeline.with_sync_offsets({0: 250.0}), 0)
    assert later is not marks and later[0] == pytest.approx(marks[0] + 0.25)
    assert doc.writing_marks(doc.timeline, 0)[0] == pytest.approx(marks[0])


def test_the_recording_is_let_go_of_while_another_file_is_read_and_kept_for_the_same(
    qtbot, demo_path, tmp_path, monkeypatch
):
    """Another file: the output drops the recording when the read starts (its teardown came
    just before the new recording's first sound); the same file opened again keeps it (its
    audio is most likely the same, and the player keeps its source: QtAudioOutput)."""
    session = _demo_session(qtbot, demo_path)
    output = session.playback.backend
    release = _held_open(monkeypatch)
    other = tmp_path / "other.pencast"
    other.write_bytes(demo_path.read_bytes())
    try:
        with qtbot.waitSignal(session.opened, timeout=20000):
            session.open_file(demo_path)
            qtbot.wait(100)
            assert output.duration_s() > 0 and output.position_s() == pytest.approx(42.0)
            release.set()
        release.clear()
        session.seek(42.0)
        with qtbot.waitSignal(session.opened, timeout=20000):
            session.open_file(other)
            qtbot.wait(100)
            assert output.duration_s() == 0.0  # let go of
            assert session.playback.position_s() == pytest.approx(42.0)  # where the views show it
            release.set()
    finally:
        release.set()
    assert session.document.path == other and output.duration_s() > 0


def test_a_play_while_another_file_is_read_takes_the_recording_back(qtbot, demo_path, tmp_path, monkeypatch):
    session = _demo_session(qtbot, demo_path)
    output = session.playback.backend
    release = _held_open(monkeypatch)
    try:
        session.open_file(tmp_path / "gone.pencast")
        assert output.duration_s() == 0.0
        session.toggle_play()  # the user plays the notebook still shown
        assert output.duration_s() > 0 and session.playback.playing
        assert output.position_s() == pytest.approx(42.0, abs=0.1)
        with qtbot.waitSignal(session.open_failed, timeout=20000):
            release.set()
    finally:
        release.set()
    assert session.playback.playing and session.document.path == demo_path


def test_a_notebook_without_audio_opened_after_one_with_it_leaves_nothing_to_play(
    qtbot, demo_path, fixtures_dir
):
    """The recording let go of for the other file is dropped once that file is shown: a
    play there must not bring the first notebook's recording back."""
    session = _demo_session(qtbot, demo_path)
    with qtbot.waitSignal(session.opened, timeout=20000):
        session.open_file(fixtures_dir / "inkml" / "ms-word_output.inkml")
    assert session.recording == -1
    session.playback.play()
    assert not session.playback.playing and session.playback.backend.duration_s() == 0.0
    assert session.playback.position_s() == 0.0
