"""A page's ink is one set of columns; strokes are views on it, derived values are
computed once, and the .pencast reader builds the columns without a per-stroke copy."""

import numpy as np
import pytest

from pencastviewer.formats.pencast.reader import read_pencast
from pencastviewer.formats.pencast.writer import write_pencast
from pencastviewer.model import Notebook, Page, PageInk, Stroke, Tool


def strokes():
    return (
        Stroke([[1, 2], [3, 5], [2, 9]], [10, 20, 30], width_mm=0.5),
        Stroke([[7, 7]], [40], color=(1, 2, 3, 4), tool=Tool.HIGHLIGHTER, fill_alpha=9),
        Stroke([[0, 0], [4, 1]], [50, 60], widths_mm=[0.2, 0.9], cap="butt", dash_mm=(1.0, 0.5)),
    )


def test_a_page_packs_its_strokes_into_columns_and_hands_out_views():
    given = strokes()
    page = Page(100, 100, given)
    ink = page.ink
    assert isinstance(ink, PageInk) and (ink.n_strokes, ink.n_points) == (3, 6)
    assert ink.offsets.tolist() == [0, 3, 4, 6]
    assert ink.start_ms.tolist() == [10, 40, 50] and ink.end_ms.tolist() == [30, 40, 60]
    assert ink.bounds_mm.tolist() == [[1, 2, 3, 9], [7, 7, 7, 7], [0, 0, 4, 1]]
    assert ink.widest_mm().tolist() == [0.5, 0.35, 0.9]
    assert page.strokes == given and tuple(page.strokes) == given
    for stroke in page.strokes:
        assert stroke.ink is ink and np.shares_memory(stroke.xy_mm, ink.xy_mm)
        assert not stroke.xy_mm.flags.writeable
    second = page.strokes[2]
    assert (second.cap, second.dash_mm, second.widths_mm.tolist()) == ("butt", (1.0, 0.5), [0.2, 0.9])
    assert page.strokes[1].widths_mm is None and page.strokes[1].fill_alpha == 9
    assert page.strokes[1].recording is None


def test_a_page_of_another_pages_strokes_shares_their_columns():
    page = Page(100, 100, strokes())
    again = Page(50, 50, page.strokes)
    assert again.ink is page.ink  # exactly its strokes in order: no copy
    subset = Page(50, 50, page.strokes[1:])
    assert subset.ink is not page.ink and subset.strokes == page.strokes[1:]
    assert subset.ink.offsets.tolist() == [0, 1, 3]


def test_strokes_are_immutable_and_checked():
    stroke = strokes()[0]
    with pytest.raises(AttributeError):
        stroke.width_mm = 3.0
    with pytest.raises(ValueError, match="colour"):
        Stroke([[0, 0]], [0], color=(0, 0, 300, 0))
    with pytest.raises(ValueError, match="recording"):
        Stroke([[0, 0]], [0], recording=-1)
    assert stroke.with_changes(width_mm=2.0).width_mm == 2.0 and stroke.width_mm == 0.5


def test_the_pencast_reader_builds_the_columns_directly(tmp_path):
    path = tmp_path / "ink.pencast"
    write_pencast(Notebook((Page(100, 100, strokes()),)), path)
    page = read_pencast(path).pages[0]
    assert page.strokes == strokes()
    assert all(s.ink is page.ink for s in page.strokes)
    assert page.ink.bounds_mm.shape == (3, 4)
