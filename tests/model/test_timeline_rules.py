"""The Timeline's rules, each in one place: file layout, sync offsets, writing order and
its tie rule (two pages whose first strokes start at the same ms: the later page)."""

import numpy as np
import pytest

from pencastviewer.model import Notebook, Page, Recording, RecordingLayout, Stroke, Timeline
from pencastviewer.model.recording import AudioFile, AudioStore
from pencastviewer.model.units import ms_to_s, s_to_ms


def audio(start_ms, duration_ms, rate=8000):
    n = int(duration_ms * rate / 1000)
    return AudioFile(AudioStore.FILE, "a.wav", "pcm", rate, 1, n, start_ms, duration_ms)


def dot(t_ms, recording=None):
    return Stroke([[10, 10], [11, 10]], [t_ms, t_ms + 100], recording=recording)


def test_units_convert_both_ways():
    assert ms_to_s(1500.0) == 1.5 and s_to_ms(1.5) == 1500.0
    assert np.array_equal(ms_to_s(np.array([0.0, 250.0])), [0.0, 0.25])


def test_layout_places_files_back_to_back_and_gives_plain_data_for_audio():
    layout = RecordingLayout.of(Recording("r", (audio(10_000, 1000), audio(1000, 2000))))
    assert layout.played_starts_ms == (0.0, 2000.0)
    assert layout.durations_s() == (2.0, 1.0)
    assert layout.frame_starts(44100) == [0, 88200, 132300]
    assert layout.position_s(10_500) == pytest.approx(2.5)
    assert layout.ink_time_ms(2.5) == pytest.approx(10_500)


def test_many_positions_at_once_follow_the_same_rule_as_one():
    """Before the first file, inside a file, in the pause between files, after the last."""
    layout = RecordingLayout.of(Recording("r", (audio(1000, 2000), audio(10_000, 1000))))
    times = np.array([0.0, 1000.0, 2500.5, 3000.0, 7000.0, 10_000.0, 10_400.0, 99_000.0])
    expected = [layout.position_s(t) for t in times]
    assert layout.positions_s(times) == pytest.approx(expected)
    timeline = Timeline(Notebook((), (Recording("r", (audio(1000, 2000),)),)), {0: -40.0})
    assert timeline.positions_s(0, times) == pytest.approx([timeline.position_s(0, t) for t in times])


def test_sync_offsets_shift_one_recording_and_share_the_tables():
    recs = (Recording("a", (audio(0, 60_000),)), Recording("b", (audio(0, 60_000),)))
    plain = Timeline(Notebook((Page(100, 100, (dot(1000, 0),)),), recs))
    synced = plain.with_sync_offsets({0: 250.0, 1: 0.0})
    assert synced.sync_offsets_ms == {0: 250.0} and plain.sync_offsets_ms == {}
    assert synced.position_s(0, 1000) == pytest.approx(1.25)
    assert synced.position_s(1, 1000) == pytest.approx(1.0)
    assert synced.ink_time_ms(0, 1.25) == pytest.approx(1000)
    assert synced.order is plain.order  # built once per notebook


def test_tie_rule_the_later_page_in_the_file_is_being_written():
    pages = (Page(100, 100, (dot(5000), dot(9000))), Page(100, 100, (dot(5000),)))
    timeline = Timeline(Notebook(pages))
    assert timeline.page_being_written(4999) is None
    assert timeline.page_being_written(5000) == 1
    assert timeline.writing_at(5000) == (1, 0)
    assert timeline.writing_at(9000) == (0, 1)
    assert timeline.order.first_page_between(4000, 6000) == 0
    assert timeline.order.first_page_between(9001, 10_000) is None


def test_files_back_to_back_is_one_rule_without_rounding_that_adds_up():
    """The model's layout, the players (audio) and the copy/exports all place files with
    BackToBack: running times rounded once each, not lengths rounded and added."""
    from pencastviewer.model.back_to_back import BackToBack

    tiny = BackToBack([1e-5] * 10)  # 0.441 frames each at 44.1 kHz
    assert tiny.frame_starts(44100)[-1] == round(1e-4 * 44100) == 4  # not 10 × round(0.441) = 0
    assert tiny.locate(5.5e-5) == (5, pytest.approx(5e-6))
    layout = RecordingLayout.of(Recording("r", (audio(10_000, 1000), audio(1000, 2000))))
    assert layout.frame_starts(48000) == BackToBack(layout.durations_s()).frame_starts(48000)
    assert BackToBack([]).locate(3.0) == (0, 0.0) and BackToBack([]).total_s == 0.0
