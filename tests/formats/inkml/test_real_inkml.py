"""Real InkML from Windows Journal, Word, CROHME and others (../shared/fixtures/inkml):
channel units with a `resolution`, time channels and the figures their README gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pencastviewer.formats import read_notebook
from pencastviewer.formats.inkml.trace import mm_per_unit, ms_per_tick


@pytest.fixture(scope="module")
def inkml_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "inkml"


def ink_extent_mm(notebook) -> tuple[float, float]:
    xy = np.concatenate([s.xy_mm for p in notebook.pages for s in p.strokes])
    width, height = xy.max(axis=0) - xy.min(axis=0)
    return float(width), float(height)


# file, traces, points, ink width × height in mm (None: the file gives no length units)
FIGURES = [
    ("ms-journal_output.inkml", 116, 7064, (207.0, 229.0)),
    ("ms-word_output.inkml", 1, 237, (48.8, 39.4)),
    ("crohme-MfrDB1843.inkml", 23, 889, None),
    ("uhc-sample-filled.inkml", 2, 20, None),
    ("nakagawa-synthetic-10065.inkml", 12, 281, None),
    ("inkml2svg-example.inkml", 4, 76, None),
]


@pytest.mark.parametrize(("name", "traces", "points", "extent"), FIGURES)
def test_real_inkml_figures(inkml_dir, name, traces, points, extent):
    """units="cm" with resolution 1000 per cm (Windows ink) is 0.01 mm a value: the
    Journal page's ink is 207 × 229 mm, not 1000 times that."""
    notebook = read_notebook(inkml_dir / name)
    assert len(notebook.pages) == 1
    assert sum(len(p.strokes) for p in notebook.pages) == traces and notebook.n_points == points
    if extent is not None:
        assert ink_extent_mm(notebook) == pytest.approx(extent, abs=0.6)
        page = notebook.pages[0]
        assert page.width_mm < 300 and page.height_mm < 300  # the ink fills its page


def test_time_channels_give_the_ink_its_time_span(inkml_dir):
    """CROHME's T channel (ms) runs from 1 318 096 to 1 361 173 ms: 43.077 s of writing."""
    notebook = read_notebook(inkml_dir / "crohme-MfrDB1843.inkml")
    strokes = [s for p in notebook.pages for s in p.strokes]
    first, last = min(s.start_ms for s in strokes), max(s.end_ms for s in strokes)
    assert last - first == pytest.approx(1_361_173 - 1_318_096)
    word = read_notebook(inkml_dir / "ms-word_output.inkml")
    assert word.created is not None and word.created.year == 2024  # its timeString


@pytest.mark.parametrize(
    ("units", "resolution", "mm"),
    [
        ("cm", (1000.0, "1/cm"), 0.01),  # Windows Journal, Word, OneNote
        ("cm", (1000.0, ""), 0.01),  # resolution units default to 1/(the channel's units)
        ("mm", (2.0, "1/mm"), 0.5),
        ("in", (1000.0, "1/in"), 0.0254),
        ("px", (96.0, "1/in"), 25.4 / 96),
        ("", (10.0, "1/mm"), 0.1),
        ("dev", (100.0, "1/cm"), 0.1),
        ("cm", None, 10.0),  # no resolution: a value is one unit
        ("himetric", None, 0.01),
        ("dev", None, None),
        ("cm", (5.0, "1/dev"), 10.0),  # a resolution that is no length: the units decide
    ],
)
def test_length_channel_rules(units, resolution, mm):
    assert mm_per_unit(units, resolution) == (pytest.approx(mm) if mm is not None else None)


@pytest.mark.parametrize(
    ("units", "resolution", "ms"),
    [
        ("ms", None, 1.0),
        ("s", None, 1000.0),
        (None, None, 1.0),
        ("s", (1000.0, "1/s"), 1.0),
        ("s", (10.0, ""), 100.0),
    ],
)
def test_time_channel_rules(units, resolution, ms):
    assert ms_per_tick(units, resolution) == pytest.approx(ms)
