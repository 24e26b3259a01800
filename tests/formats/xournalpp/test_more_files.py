"""Xournal++ files from 2011 to 2026 (../shared/fixtures/xournalpp/more, see its README):
the figures Xournal++ itself reads from them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pencastviewer.formats import read_notebook
from pencastviewer.model import BackgroundKind
from pencastviewer.model.units import MM_PER_POINT


@pytest.fixture(scope="module")
def more(xournalpp_dir: Path) -> Path:
    return xournalpp_dir / "more"


@pytest.mark.parametrize("name", ["pdfbg-packaged.xopp", "pdfbg-old/old.xopp"])
def test_pdf_background_page_numbers_as_xournalpp_reads_them(more, name):
    """pdfbg-packaged.xopp says pageno="1ll" and "2ll" (Xournal++ 1.0.x wrote %ull)."""
    pages = read_notebook(more / name).pages
    assert [p.background.kind for p in pages] == [BackgroundKind.PDF] * 2
    assert [p.background.pdf_page for p in pages] == [0, 1]


def test_pressure_splits_at_zero_negative_and_nan_values_into_nine_strokes(more):
    """Xournal++'s own loader test expects 9 elements: the 90-point stroke, the first
    green stroke cut before its 0.00 pressure, none of the all-negative one, 5 pieces of
    the long one and 2 of the one with nan pressures."""
    notebook = read_notebook(more / "width_recovery.xopp")
    strokes = notebook.pages[0].strokes
    assert [s.n_points for s in strokes] == [90, 7, 2, 6, 6, 13, 14, 4, 4]
    nan_pieces = strokes[-2:]
    assert [s.xy_mm[0, 0] / MM_PER_POINT for s in nan_pieces] == pytest.approx([220.0, 260.0])
    # the valid pieces keep their own widths: 0.20 0.30 0.10 (+ last repeated) and 0.25 0.30 0.40
    assert nan_pieces[0].widths_mm / MM_PER_POINT == pytest.approx([0.2, 0.3, 0.1, 0.1])
    assert nan_pieces[1].widths_mm / MM_PER_POINT == pytest.approx([0.25, 0.3, 0.4, 0.4])
    assert all(np.isfinite(s.widths_mm).all() and (s.widths_mm > 0).all() for s in strokes[1:])


def test_a_missing_pdf_is_marked_on_every_page_and_warned_once(more):
    notebook = read_notebook(more / "obsidian-Algebra-missingbg.xopp")
    assert len(notebook.pages) == 6
    assert {p.background.missing for p in notebook.pages} == {"PDF background missing"}
    warnings = [w for w in notebook.warnings if "background PDF" in w]
    assert len(warnings) == 1 and "not found" in warnings[0]


def test_eleven_papers_with_one_text_each(more):
    pages = read_notebook(more / "pages" / "pages.xopp").pages
    assert len(pages) == 11
    assert [p.texts[0].text for p in pages] == [f"p{n}" for n in range(1, 12)]
    assert [p.texts[0].size_pt for p in pages] == [36.0] * 10 + [24.0]
