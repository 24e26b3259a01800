"""The session's player logic on notebooks made to order (silent backend, real clock):
auto page turn, jumps through strokes and phrases, skips, speed, the sync offset applied
everywhere alike, only the latest open counting; and what preferences remember."""

from __future__ import annotations

import numpy as np
import pytest
from support.player import horizontal_stroke, notebook_of

from pencastviewer.app.preferences import MAX_RECENT, FileMemory, Preferences
from pencastviewer.app.session import Session
from pencastviewer.audio.silent_output import SilentAudioOutput
from pencastviewer.model import Page


def two_pages_written_0_to_11_s_then_12_to_20_s(folder):
    """Page 0: strokes at 1, 5 and 9 s (2 s each); page 1: strokes at 12 and 16 s; 30 s of audio."""
    page0 = Page(148, 210, tuple(horizontal_stroke(20 + 10 * i, t * 1000) for i, t in enumerate((1, 5, 9))))
    page1 = Page(148, 210, tuple(horizontal_stroke(20 + 10 * i, t * 1000) for i, t in enumerate((12, 16))))
    return notebook_of([page0, page1], [30.0], folder)


def phrases_at_1_and_5_and_9_s(folder):
    """Strokes (0.3 s long) at 1.0, 1.5, 2.0 | 5.0, 5.4 | 9.0 s: three phrases, the last on page 1."""
    starts = (1.0, 1.5, 2.0, 5.0, 5.4)
    page0 = Page(
        148,
        210,
        tuple(horizontal_stroke(20 + 8 * i, t * 1000, duration_ms=300) for i, t in enumerate(starts)),
    )
    page1 = Page(148, 210, (horizontal_stroke(30, 9000, duration_ms=300),))
    return notebook_of([page0, page1], [20.0], folder)


@pytest.fixture
def session(qtbot, tmp_path) -> Session:
    session = Session(SilentAudioOutput())
    session.set_document(two_pages_written_0_to_11_s_then_12_to_20_s(tmp_path))
    return session


# --- auto page turn ------------------------------------------------------------------------------
def test_while_playing_the_page_being_written_is_shown(session, qtbot):
    session.seek(11.7, follow=False)
    assert session.page == 0
    session.toggle_play()
    qtbot.waitUntil(lambda: session.page == 1, timeout=3000)  # the first stroke of page 1 is at 12 s
    assert session.playback.position_s() >= 12.0


def test_a_page_turned_by_hand_stays_until_the_writing_moves_to_another_page(session, qtbot):
    session.seek(12.5)  # page 1 is being written
    assert session.page == 1
    session.toggle_play()
    session.set_page(0)
    qtbot.wait(400)
    assert session.page == 0


def test_without_auto_page_turn_the_page_stays(session, qtbot):
    session.set_options(auto_page_turn=False)
    session.seek(11.8)
    session.toggle_play()
    qtbot.wait(600)
    assert session.playback.position_s() > 12.2 and session.page == 0


def test_a_tap_whose_preroll_starts_on_the_page_before_does_not_turn_away(session, qtbot):
    session.set_page(1)
    hit = session.tap(1, 20.0, 20.0)  # page 1's first stroke, written at 12 s: plays from 10.5 s
    assert hit is not None and hit.stroke == 0
    assert session.playback.position_s() == pytest.approx(10.5, abs=0.05)
    assert session.page == 1
    qtbot.wait(400)  # still in page 0's writing time
    assert session.page == 1


# --- jumps, skips, speed ------------------------------------------------------------------------
def test_next_and_previous_phrase_jump_as_a_tap_on_them_would(qtbot, tmp_path):
    session = Session(SilentAudioOutput())
    session.set_document(phrases_at_1_and_5_and_9_s(tmp_path))
    preroll = session.preroll_s
    assert session.jump(1, phrases=True)
    assert session.playback.position_s() == pytest.approx(5.0 - preroll)
    assert session.jump(1, phrases=True)
    assert session.playback.position_s() == pytest.approx(9.0 - preroll)
    assert session.page == 1  # the phrase is on page 1: the page is shown
    assert not session.jump(1, phrases=True)  # none after the last
    assert session.jump(-1, phrases=True)  # just after a phrase began: the one before it
    assert session.playback.position_s() == pytest.approx(5.0 - preroll)
    assert session.page == 0
    assert session.playback.state() != "playing"  # jumping while paused stays paused
    session.seek(0.0)  # strokes at 1.0 and 1.5 s play from 0 (their pre-roll is cut at the start)
    assert session.jump(1, phrases=False) and session.playback.position_s() == pytest.approx(2.0 - preroll)
    assert session.jump(1, phrases=False) and session.playback.position_s() == pytest.approx(5.0 - preroll)
    assert session.jump(1, phrases=False) and session.playback.position_s() == pytest.approx(5.4 - preroll)


def test_skips_are_clamped_to_the_recording(session):
    session.skip(-5.0)
    assert session.playback.position_s() == 0.0
    session.skip(5.0)
    assert session.playback.position_s() == pytest.approx(5.0)
    session.skip(30.0)
    assert session.playback.position_s() == pytest.approx(30.0)


def test_speed_is_clamped_to_half_to_three_times_and_reaches_the_output(session):
    session.playback.set_rate(1.5)
    assert session.playback.backend.rate() == pytest.approx(1.5)
    session.playback.set_rate(10.0)
    assert session.playback.rate == 3.0 and session.playback.backend.rate() == pytest.approx(3.0)
    session.playback.set_rate(0.1)
    assert session.playback.rate == 0.5


# --- the sync offset -----------------------------------------------------------------------------
def test_the_sync_offset_moves_taps_reveal_and_waveform_marks_alike(session):
    marks_before = session.writing_marks()
    session.seek(6.0)
    reveal_before = session.reveal_time_ms()
    session.set_sync_offset_ms(120.0)
    assert session.sync_offset_ms == 120.0
    assert session.writing_marks()[0][0] == pytest.approx(marks_before[0][0] + 0.12)
    assert session.reveal_time_ms() == pytest.approx(reveal_before - 120.0)
    session.tap(0, 20.0, 40.0)  # the start of the stroke written at 9 s
    assert session.playback.position_s() == pytest.approx(9.0 + 0.12 - session.preroll_s, abs=0.05)


# --- opening -------------------------------------------------------------------------------------
def test_only_the_latest_open_counts(qtbot, demo_path, tmp_path):
    session = Session(SilentAudioOutput())
    missing = tmp_path / "gone.pencast"
    failed, opened = session.open_failed, session.opened
    with qtbot.assertNotEmitted(failed, wait=300), qtbot.waitSignal(opened, timeout=20000):
        session.open_file(missing)
        session.open_file(demo_path)
    assert session.document is not None and session.document.path == demo_path


# --- preferences -----------------------------------------------------------------------------------
def test_file_memory_round_trips_and_a_damaged_entry_gives_defaults(preferences, tmp_path):
    path = tmp_path / "notes.pencast"
    memory = FileMemory(position_s=42.5, recording=1, page=3, sync_offsets_ms={1: -30.0}, zoom=150.0)
    preferences.remember_file(path, memory)
    assert Preferences().file_memory(path) == memory  # a new QSettings reads it back from disk
    assert Preferences().file_memory(tmp_path / "other.pencast") is None
    damaged = '{"position_s": "x", "zoom": [1], "sync_offsets_ms": {"a": 1}}'
    assert FileMemory.from_json(damaged) == FileMemory()
    assert FileMemory.from_json("not json") == FileMemory()


def test_recent_files_are_most_recent_first_without_duplicates(preferences, tmp_path):
    paths = [tmp_path / f"n{i}.pencast" for i in range(MAX_RECENT + 3)]
    for p in paths:
        preferences.add_recent(p)
    preferences.add_recent(paths[-5])
    recent = Preferences().recent_files()
    assert len(recent) == MAX_RECENT
    assert recent[0] == str(paths[-5]) and recent[1] == str(paths[-1])
    assert len(set(recent)) == len(recent)


def test_skip_silence_jumps_over_the_spans_and_keeps_the_true_clock(qtbot, tmp_path):
    """The playhead, which the ink follows, jumps over a skipped span instead of running
    through it; outside the spans it runs on the recording's own clock. The silent output
    runs on a clock the test moves, and each step is one playhead tick (no timing)."""
    now = [100.0]
    session = Session(SilentAudioOutput(now=lambda: now[0]))
    session.set_document(two_pages_written_0_to_11_s_then_12_to_20_s(tmp_path))
    playback = session.playback
    playback.set_skipped(np.array([[1.0, 3.0], [5.0, 5.5]]))
    seen: list[float] = []
    playback.playhead_moved.connect(seen.append)

    def run_for(seconds: float) -> None:
        for _ in range(round(seconds / 0.05)):
            now[0] += 0.05
            playback._on_timer_timeout()  # the 16 ms tick, called as the timer would

    session.seek(0.8)
    playback.play()
    run_for(0.5)  # 0.8 → 1.0: the span's start is reached, playback goes on from 3.0
    assert not [p for p in seen if 1.0 < p < 3.0], "the playhead ran through a skipped span"
    assert playback.position_s() == pytest.approx(3.0 + 0.3, abs=0.06)
    playback.set_skipped(None)
    session.seek(1.2)
    run_for(0.5)
    assert playback.position_s() == pytest.approx(1.7, abs=0.06)  # nothing skipped any more
    playback.pause()


def test_looping_needs_a_region_and_says_so_when_refused(session, qtbot):
    playback = session.playback
    session.set_selection(None)
    with qtbot.waitSignal(playback.looping_changed) as refused:
        playback.set_looping(True)
    assert refused.args == [False] and not playback.looping
    session.set_selection((2.0, 3.0))
    playback.set_looping(True)
    assert playback.looping
    session.set_selection(None)  # the region goes: so does the loop
    assert not playback.looping
