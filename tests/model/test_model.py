"""The model: strokes, pages, recordings, the timeline and hit testing."""

import numpy as np
import pytest

from pencastviewer.model import (
    AudioFile,
    AudioStore,
    Notebook,
    Page,
    PageHitIndex,
    Recording,
    Stroke,
    Timeline,
)
from pencastviewer.model.units import MM_PER_ANOTO, format_hms, frames_at, parse_time, to_mm


def audio(start_ms, duration_ms, rate=16000):
    return AudioFile(
        AudioStore.FILE,
        f"/a/{start_ms}.ogg",
        "vorbis",
        rate,
        1,
        round(duration_ms * rate / 1000),
        start_ms,
        duration_ms,
    )


def line_stroke(x0, y0, x1, y1, t0, n=11, dt=10.0, recording=0):
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    return Stroke(np.c_[xs, ys], t0 + np.arange(n) * dt, recording=recording)


def test_stroke_arrays_are_read_only_copies():
    xy = np.array([[0.0, 0.0], [1.0, 1.0]])
    stroke = Stroke(xy, [0, 10])
    xy[0, 0] = 99
    assert stroke.xy_mm[0, 0] == 0
    with pytest.raises(ValueError):
        stroke.xy_mm[0, 0] = 5


def test_stroke_rejects_mismatched_times():
    with pytest.raises(ValueError, match="2 points but 3 times"):
        Stroke([[0, 0], [1, 1]], [0, 1, 2])


def test_notebook_rejects_dangling_recording_index():
    page = Page(100, 100, (line_stroke(0, 0, 1, 1, 0, recording=2),))
    with pytest.raises(ValueError, match="names recording 2"):
        Notebook((page,), ())


def test_units():
    assert to_mm(4963, "anoto") == pytest.approx(186.1125)
    assert MM_PER_ANOTO == 0.0375
    assert to_mm(72, "pt") == pytest.approx(25.4)
    assert to_mm(96, "px", px_per_inch=96) == pytest.approx(25.4)
    # exact frame arithmetic: an hour at 44.1 kHz, where 44-frames-per-ms loses 8 s
    assert frames_at(3600.0, 44100) == 158_760_000
    assert format_hms(3725.5, millis=True) == "1:02:05.500"
    assert parse_time("1:02:05.5") == 3725.5
    assert parse_time("12.5") == 12.5
    with pytest.raises(ValueError):
        parse_time("1::2")


def test_timeline_stitches_files_back_to_back_removing_pauses():
    # two files: [1000, 3000) and [10000, 11000) on the pen clock -> played 0-2 s, 2-3 s
    rec = Recording("r", (audio(10_000, 1000), audio(1000, 2000)))
    page = Page(100, 100, (line_stroke(0, 0, 10, 0, 1500), line_stroke(0, 5, 10, 5, 10_500)))
    tl = Timeline(Notebook((page,), (rec,)))
    assert [f.clock_start_ms for f in rec.files] == [1000, 10_000]  # sorted by start
    assert tl.position_s(0, 1500) == pytest.approx(0.5)
    assert tl.position_s(0, 10_500) == pytest.approx(2.5)
    assert tl.position_s(0, 5000) == pytest.approx(2.0)  # in the pause: end of file 0
    assert tl.ink_time_ms(0, 2.5) == pytest.approx(10_500)
    assert tl.ink_time_ms(0, 0.5) == pytest.approx(1500)
    for t in (1000.0, 1234.5, 2999.0, 10_000.0, 10_999.0):
        assert tl.ink_time_ms(0, tl.position_s(0, t)) == pytest.approx(t)


def test_reveal_tells_written_and_partly_written_strokes():
    a = line_stroke(0, 0, 10, 0, 0)  # 0..100 ms
    b = line_stroke(0, 5, 10, 5, 200)  # 200..300 ms
    tl = Timeline(Notebook((Page(50, 50, (a, b)),), (Recording("r", (audio(0, 1000),)),)))
    state = tl.reveal(0, 250)
    assert state.written.tolist() == [True, False]
    assert state.writing == ((1, 6),)  # points at 200..250 ms are on paper
    assert tl.reveal(0, -1).written.tolist() == [False, False]
    assert tl.page_being_written(250) == 0


def test_hit_interpolates_the_time_at_the_tapped_point():
    long_word = line_stroke(10, 10, 110, 10, 5000, n=101, dt=20)  # 2 s long, 1 mm per sample
    index = PageHitIndex(Page(200, 100, (long_word,)))
    start = index.hit(10.2, 10.5, 2)
    end = index.hit(109.7, 9.0, 2)
    middle = index.hit(60.5, 10.0, 2)
    assert start.t_ms == pytest.approx(5000 + 0.2 * 20)
    assert end.t_ms == pytest.approx(5000 + 99.7 * 20)  # the end of a word plays from the end
    assert middle.t_ms == pytest.approx(5000 + 50.5 * 20)
    assert end.distance_mm == pytest.approx(1.0)
    assert index.hit(60, 14, 2) is None


def test_hit_prefers_the_nearest_then_the_topmost_stroke():
    under = line_stroke(0, 10, 100, 10, 0, recording=None)
    over = line_stroke(0, 10, 100, 10, 1000, recording=None)
    near = line_stroke(0, 12, 100, 12, 2000, recording=None)
    index = PageHitIndex(Page(200, 100, (under, over, near)))
    assert index.hit(50, 10.2, 3).stroke == 1
    assert index.hit(50, 11.8, 3).stroke == 2


def test_hit_finds_long_segments_and_single_dots():
    diagonal = Stroke([[0, 0], [150, 90]], [0, 100])  # one segment across many grid cells
    dot = Stroke([[170, 20]], [500])
    index = PageHitIndex(Page(200, 100, (diagonal, dot)))
    hit = index.hit(75, 45, 1)
    assert hit.stroke == 0 and hit.t_ms == pytest.approx(50, abs=0.5)
    assert index.hit(170.5, 20, 1).stroke == 1


def test_hit_matches_brute_force_on_a_random_page():
    rng = np.random.default_rng(7)
    strokes = []
    for i in range(300):
        start = rng.uniform(0, 180, 2)
        steps = rng.normal(0, 1.5, (rng.integers(1, 30), 2))
        xy = start + np.vstack([[0, 0], np.cumsum(steps, axis=0)])
        strokes.append(Stroke(xy, i * 1000 + np.arange(len(xy)) * 13.0))
    page = Page(200, 200, tuple(strokes))
    index = PageHitIndex(page)
    for x, y in rng.uniform(0, 190, (300, 2)):
        best = min(_distance(s.xy_mm, x, y) for s in strokes)
        hit = index.hit(x, y, 4.0)
        if best > 4.0:
            assert hit is None
        else:
            assert hit is not None and hit.distance_mm == pytest.approx(best, abs=1e-9)


def _distance(xy, x, y):
    if len(xy) == 1:
        return float(np.hypot(*(xy[0] - (x, y))))
    a, b = xy[:-1], xy[1:]
    ab, ap = b - a, np.array([x, y]) - a
    denom = np.maximum((ab * ab).sum(1), 1e-300)
    u = np.clip((ap * ab).sum(1) / denom, 0, 1)
    return float(np.hypot(*(ap - ab * u[:, None]).T).min())
