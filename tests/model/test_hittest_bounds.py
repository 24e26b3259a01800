"""The hit index is bounded whatever the file says (issue 10): huge, far-off and
non-finite coordinates cost O(segments) memory, never crash, and never lose a hit."""

import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

from pencastviewer.formats.pencast.writer import write_pencast
from pencastviewer.model import Notebook, Page, PageHitIndex, Stroke
from pencastviewer.model.hittest import LONG_SEGMENT_CELLS
from pencastviewer.model.units import MM_PER_POINT


def _peak_bytes(build):
    tracemalloc.start()
    try:
        result = build()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_point_at_1e308_is_neither_a_crash_nor_a_hit_on_the_page():
    far = Stroke([[10, 10], [1e308, 10]], [0, 10])
    word = Stroke([[15, 15], [16, 15]], [100, 110])
    index = PageHitIndex(Page(210, 297, (far, word)))
    assert index.hit(15, 15, 1).stroke == 1
    hit = index.hit(20, 10, 1)  # on the visible part of the far segment
    assert hit.stroke == 0 and hit.distance_mm == pytest.approx(0)
    assert index.hit(1e308, 10, 1).stroke == 0  # its far end still answers, no overflow
    assert index.hit(-1e308, -1e308, 1) is None


def test_a_stroke_from_0_to_1e6_pt_costs_memory_in_proportion_to_its_points():
    xy = np.array([[0.0, 0.0], [1e6 * MM_PER_POINT, 1e6 * MM_PER_POINT], [20.0, 20.0]])
    page = Page(210, 297, (Stroke(xy, [0, 1, 2]),))
    index, peak = _peak_bytes(lambda: PageHitIndex(page))
    assert peak < 8 * 2**20  # the unbounded grid asked for 58 GiB
    hit = index.hit(100, 100, 0.5)  # on the diagonal
    assert hit is not None and hit.stroke == 0


def test_many_page_spanning_segments_stay_within_the_per_segment_budget():
    rng = np.random.default_rng(3)
    xy = rng.uniform(-1e7, 1e7, (20_000, 2))
    page = Page(210, 297, (Stroke(xy, np.arange(len(xy), dtype=float)),))
    index, peak = _peak_bytes(lambda: PageHitIndex(page))
    assert len(index._keys) <= LONG_SEGMENT_CELLS * len(xy)
    assert peak < 64 * 2**20
    index.hit(100, 100, 3)  # answers (a hit or not), no error


@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan])
def test_non_finite_points_are_never_hit_and_the_rest_still_is(value):
    bad = Stroke([[10, 10], [value, 10], [30, 10]], [0, 1, 2])
    good = Stroke([[50, 50], [60, 50]], [5, 6])
    index = PageHitIndex(Page(210, 297, (bad, good)))
    assert index.hit(55, 50, 1).stroke == 1
    assert index.hit(10, 10, 0.5) is None
    assert index.hit(float(value), 10, 1) is None


def test_negative_and_odd_page_coordinates_give_no_value_error():
    strokes = (
        Stroke([[-5e5, -5e5], [-4e5, -5e5]], [0, 1]),
        Stroke([[3e5, -1e-300], [3e5, 1e-300]], [2, 3]),
        Stroke([[1e15, 1e15]], [4]),
    )
    index = PageHitIndex(Page(1e9, 1e-3, strokes))
    assert index.hit(-4.5e5, -5e5, 1).stroke == 0
    assert index.hit(1e15, 1e15, 1).stroke == 2


def test_locate_on_a_pencast_with_a_point_at_1e308_does_not_crash(tmp_path):
    path = tmp_path / "far.pencast"
    strokes = (Stroke([[10, 10], [1e308, 10]], [0, 10]), Stroke([[15, 15], [16, 15]], [100, 110]))
    write_pencast(Notebook((Page(210, 297, strokes),)), path)
    for at, expected in (("15,15", 0), ("40,10", 0), ("100,200", 1)):
        result = subprocess.run(
            [sys.executable, "-m", "pencastviewer.cli.main", "locate", str(path), "--page", "1"]
            + ["--at", at, "--json"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == expected, result.stderr  # exit 1: no ink there


def test_an_opened_notebook_keeps_the_hit_indexes_of_the_pages_used_last():
    from pathlib import Path

    from pencastviewer.app.document import MAX_HIT_INDEXES, OpenedNotebook
    from pencastviewer.model import Timeline

    pages = tuple(Page(100, 100, (Stroke([[1, 1], [2, 2]], [0, 1]),)) for _ in range(MAX_HIT_INDEXES + 8))
    notebook = Notebook(pages)
    document = OpenedNotebook(Path("n.pencast"), "test", notebook, Timeline(notebook))
    first = document.hit_index(0)
    for page in range(1, len(pages)):
        document.hit_index(page)
        assert document.hit_index(0) is first  # used again each time: kept
    assert len(document._hit_indexes) == MAX_HIT_INDEXES
