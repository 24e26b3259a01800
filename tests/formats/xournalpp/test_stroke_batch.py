"""The Xournal++ reader converts a layer's strokes together (numbers of all strokes in one
pass, checks as columns, times computed for all strokes at once). It must give exactly the
ink, warnings and recordings that reading stroke by stroke gives — bit for bit — on the
real files and on a layer holding every kind of odd stroke."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from pencastviewer.formats import read_notebook
from pencastviewer.formats.numtext import floats_in_text, floats_in_texts
from pencastviewer.formats.timing import writing_times, writing_times_many
from pencastviewer.formats.xournalpp import reader, stroke_batch


def _one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader with the batch path turned off: every stroke through parse_stroke."""
    monkeypatch.setattr(reader, "batch_strokes", lambda elems, links, ctx: None)


def _columns(path: Path) -> tuple[object, ...]:
    notebook = read_notebook(path)
    pages = []
    for page in notebook.pages:
        ink = page.ink
        arrays = [ink.xy_mm, ink.t_ms, ink.offsets, ink.has_widths, ink.width_mm, ink.color]
        arrays += [ink.tool, ink.recording, ink.fill_alpha, ink.cap]
        arrays += [ink.widths_mm if ink.widths_mm is not None else np.zeros(0)]
        # bytes: equal only when every bit is (also -0.0 against 0.0)
        pages.append((tuple(a.tobytes() for a in arrays), ink.dash_mm, page.texts))
    return tuple(pages), notebook.warnings, tuple((r.name, r.files) for r in notebook.recordings)


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many strokes the batch path read (it must do the work it is there for)."""
    taken = [0]
    original = reader.batch_strokes

    def counted(elems, links, ctx):  # type: ignore[no-untyped-def]
        done = original(elems, links, ctx)
        taken[0] += sum(done.plain) if done is not None else 0
        return done

    monkeypatch.setattr(reader, "batch_strokes", counted)
    return taken


def _real_files(xournalpp_dir: Path) -> list[Path]:
    return sorted(p for p in xournalpp_dir.rglob("*") if p.suffix in (".xopp", ".xoj"))


def test_real_files_read_the_same_in_one_batch(xournalpp_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _real_files(xournalpp_dir)
    assert len(files) >= 10
    batched = [_columns(p) for p in files]
    with monkeypatch.context() as m:
        _one_by_one(m)
        one_by_one = [_columns(p) for p in files]
    for path, a, b in zip(files, batched, one_by_one, strict=True):
        assert a == b, path.name
    taken = _counting(monkeypatch)
    for path in files:
        read_notebook(path)
    assert taken[0] >= 15  # strokes.xopp alone has 12 plain strokes


ODD_STROKES = [
    # (attributes, text): plain ones, and each thing that sends a stroke to parse_stroke
    ('tool="pen" color="#ff0000ff" width="1.41"', "10 10 20 20 30 15"),
    ('tool="pen" color="#000000ff" width="2.26 1.1 1.3 0.9"', "10.5 -0.0 +20 20 .5 40 50. 45"),
    ('tool="highlighter" color="#ffff007f" width="8 3 4"', "5 5 50 5 90 8"),
    ('tool="pen" color="#000000ff" width="1.41 0.5 0 0.7"', "1 1 2 2 3 3 4 4"),  # zero pressure: split
    ('tool="pen" color="#000000ff" width="1.41 0.5"', "1 1 2 2 3 3 4 4"),  # too few pressures
    ('tool="pen" color="#000000ff" width="1.41"', "1 1 2 2 3"),  # odd number of coordinates
    ('tool="pen" color="#000000ff" width="1.41"', "1e1 1 2 2"),  # an exponent
    ('tool="pen" color="#000000ff" width="1.41"', ""),  # no points
    ('tool="pen" color="#000000ff" width="1.41"', "1 1 2000000 2"),  # beyond the limit
    ('tool="pen" color="#000000ff" width="-3"', "7 7"),  # a single point, a bad width
    ('tool="pen" color="#000000ff" width="1.41" pressures="0.5 nan 0.7"', "1 1 2 2 3 3"),
    (
        'tool="pen" color="#00ff00ff" width="1.41" fill="128" capStyle="butt" style="dashdot"',
        "9 9 19 9 19 19",
    ),
    ('tool="eraser" color="#ffffffff" width="5.0 3 3"', "100 100 120 120 140 110"),
    ('tool="pen" color="#000000ff" width="1.41" ts="2000" fn="rec.ogg"', "30 30 40 45 60 50 70 80"),
    ('tool="pen" color="#000000ff" width="1.41 1 1 1" ts="2000" fn="rec.ogg"', "130 30 140 45 160 50 170 80"),
    ('tool="pen" color="#000000ff" width="1.41" ts="2600" fn="rec.ogg"', "1 2 3 4 5 6 7 8 9 10"),
]


def _odd_notebook(path: Path) -> Path:
    strokes = "".join(f"<stroke {attrs}>{text}</stroke>" for attrs, text in ODD_STROKES)
    old_link = '<timestamp ts="5000" fn="old.ogg"/><stroke tool="pen" width="1">3 3 4 4</stroke>'
    layer = f"<layer>{strokes}{old_link}{strokes}</layer>"
    page = '<page width="612" height="792"><background type="solid" color="#ffffffff" style="plain"/>'
    pages = f"{page}{layer}</page>{page}{layer}{layer}</page>"
    xml = f'<?xml version="1.0"?><xournal fileversion="4">{pages}</xournal>'
    path.write_bytes(gzip.compress(xml.encode()))
    return path


def test_every_odd_stroke_reads_as_one_by_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _odd_notebook(tmp_path / "odd.xopp")
    with monkeypatch.context() as m:
        taken = _counting(m)
        batched = _columns(path)
    assert taken[0] >= 8 * 5  # the plain ones took the batch path
    with monkeypatch.context() as m:
        _one_by_one(m)
        one_by_one = _columns(path)
    assert batched == one_by_one
    assert len(batched[1]) >= 5  # the odd ones said what was wrong, as they do one by one


def test_numbers_of_many_texts_are_strtod_bit_for_bit() -> None:
    rng = np.random.default_rng(7)
    values = np.concatenate([rng.uniform(-2000, 2000, 3000), rng.normal(0, 1e-3, 500), [0.0, -0.0]])
    for digits in (0, 1, 4, 6, 10):
        texts = [" ".join(f"{v:.{digits}f}" for v in values[i : i + 37]) for i in range(0, len(values), 37)]
        texts[3] = f"  \n\t{texts[3]}  \n"
        texts.insert(5, "")
        result = floats_in_texts(texts)
        assert result[2].all()
        expected = [floats_in_text(t) for t in texts]
        assert result[0].tobytes() == np.concatenate(expected).tobytes()
        assert result[1].tolist() == [len(e) for e in expected]


def test_the_longest_plain_numbers_anywhere_are_strtod_bit_for_bit() -> None:
    """Sign, 15 digits and a point (17 characters, every column of the conversion), at a
    text's start, its end and the batch's end, with and without a point or sign."""
    longest = [
        "-1234567.89012345",
        "+.123456789012345",
        "123456789012345.",
        "-999999999999999",
        "0.00000000000001",
    ]
    texts = [
        " ".join(longest),
        "7 " + " ".join(reversed(longest)),
        longest[0],
        "1.5\t-2\n+3.25 " + longest[1],
    ]
    values, counts, plain = floats_in_texts(texts)
    assert plain.all()
    expected = [floats_in_text(t) for t in texts]
    assert values.tobytes() == np.concatenate(expected).tobytes()
    assert counts.tolist() == [len(e) for e in expected]


@pytest.mark.parametrize(
    "odd", ["1e5", "1.5.2", "1-2", "--1", "nan", "inf", "a", "-", ".", "1;2", "1234567890123456", "é"]
)
def test_anything_but_plain_decimals_is_left_to_the_text_by_text_reader(odd: str) -> None:
    values, counts, plain = floats_in_texts(["1 2", f"3 {odd} 4", "5"])
    assert plain.tolist() == [True, False, True]
    assert counts.tolist() == [2, 0, 1] and values.tolist() == [1, 2, 5]


def test_a_layer_beyond_the_point_limit_is_read_stroke_by_stroke(monkeypatch: pytest.MonkeyPatch) -> None:
    """Converting it first would allocate what the limit is there to refuse."""
    monkeypatch.setattr(stroke_batch, "MAX_POINTS", 3)
    path_text = ["1 1 2 2", "3 3 4 4"]
    import xml.etree.ElementTree as ET

    from pencastviewer.formats.xournalpp.elements import ElementContext

    elems = [ET.fromstring(f'<stroke width="1">{t}</stroke>') for t in path_text]
    ctx = ElementContext("x.xopp", 4, lambda _w: None)
    assert stroke_batch.batch_strokes(elems, [None, None], ctx) is None
    assert ctx.n_points == 0


def test_writing_times_of_many_strokes_are_each_strokes_own_bit_for_bit() -> None:
    """The reader times all strokes of a page together; each must get what it gets alone."""
    rng = np.random.default_rng(3)
    counts = np.concatenate([rng.integers(1, 90, 300), [1, 1, 2, 700, 3]])
    offsets = np.concatenate(([0], np.cumsum(counts)))
    xy = np.cumsum(rng.normal(0, 2, (int(offsets[-1]), 2)), axis=0)
    xy[offsets[5] : offsets[6]] = xy[offsets[5]]  # a stroke that does not move
    start = np.sort(rng.uniform(0, 1e6, len(counts)))
    limit = np.where(rng.random(len(counts)) < 0.5, start + rng.uniform(0, 3000, len(counts)), np.nan)
    together = writing_times_many(xy, offsets, start, limit)
    for k in range(len(counts)):
        a, b = offsets[k], offsets[k + 1]
        alone = writing_times(xy[a:b], float(start[k]), None if np.isnan(limit[k]) else float(limit[k]))
        assert together[a:b].tobytes() == alone.tobytes(), k


def test_numbers_of_every_shape_are_float_bit_for_bit() -> None:
    """Digits are read 8 characters at a time on both sides of the point: every split of
    1 to 15 digits around it, signed or not, first in the batch or after others."""
    rng = np.random.default_rng(11)
    words = []
    for n_int in range(16):
        for n_frac in range(16 - n_int):
            for sign in ("", "-", "+"):
                digits = "".join(rng.choice(list("0123456789"), n_int + n_frac))
                if n_int + n_frac == 0:
                    continue
                point = "." if n_frac or rng.random() < 0.5 else ""
                words.append(f"{sign}{digits[:n_int]}{point}{digits[n_int:]}")
    texts = [" ".join(words), words[-1], "\t".join(reversed(words)), "9"]
    values, counts, plain = floats_in_texts(texts)
    assert plain.all()
    expected = np.array([float(w) for t in texts for w in t.split()])
    assert values.tobytes() == expected.tobytes()
    assert counts.tolist() == [len(t.split()) for t in texts]


def test_page_columns_give_each_stroke_its_own_look_recording_and_time() -> None:
    """The columns are made from tables of the distinct looks and recordings: each stroke
    must still get its own, linked or not, whatever the order they come in."""
    from pencastviewer.formats.xournalpp.elements import AudioLink, StrokeStyle
    from pencastviewer.formats.xournalpp.page_columns import PageColumns
    from pencastviewer.model import CAPS, Tool

    looks = [
        StrokeStyle((255, 0, 0, 255), Tool.PEN, None, "round", ()),
        StrokeStyle((0, 0, 255, 120), Tool.HIGHLIGHTER, 64, "butt", (2.0, 1.0)),
        StrokeStyle((0, 128, 0, 255), Tool.PEN, 0, "square", ()),
    ]
    rng = np.random.default_rng(5)
    runs, expected = [], []
    for _ in range(3):
        n = 7
        counts = rng.integers(1, 6, n)
        style = [looks[k] for k in rng.integers(0, 3, n)]
        links = [
            None if k == 0 else AudioLink(f"rec{k}.ogg", int(t))
            for k, t in zip(rng.integers(0, 3, n), rng.integers(0, 9000, n), strict=True)
        ]
        xy = rng.uniform(0, 100, (int(counts.sum()), 2))
        offsets = np.concatenate(([0], np.cumsum(counts)))
        runs.append(
            stroke_batch.StrokeRun(
                xy, offsets, np.zeros(len(xy)), np.zeros(n, bool), np.ones(n), style, links
            )
        )
        expected += list(zip(style, links, strict=True))
    starts = {}
    for _, link in expected:
        if link:
            starts.setdefault(link.fn, set()).add(float(link.ts_ms))
    columns = PageColumns(runs, {k: sorted(v) for k, v in starts.items()})
    names = list(dict.fromkeys(link.fn for _, link in expected if link))
    clock = {name: 1000.0 * (i + 1) for i, name in enumerate(reversed(names))}
    index = {name: i for i, name in enumerate(sorted(names))}
    ink = columns.ink(clock, index, static_ms=-5.0)
    for k, (style, link) in enumerate(expected):
        assert ink.color[k].tolist() == list(style.color)
        assert ink.tool[k] == int(style.tool) and ink.cap[k] == CAPS.index(style.cap)
        assert ink.fill_alpha[k] == (-1 if style.fill_alpha is None else style.fill_alpha)
        assert ink.dash_mm[k] == style.dash_mm
        times = ink.t_ms[ink.offsets[k] : ink.offsets[k + 1]]
        if link is None:
            assert ink.recording[k] == -1 and (times == -5.0).all()
        else:
            assert ink.recording[k] == index[link.fn]
            assert times[0] == clock[link.fn] + link.ts_ms
    ends = columns.ends()
    assert set(ends) == set(names)


def test_the_tree_is_freed_and_points_are_not_copied_before_the_columns_are_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory a process touches first costs a page fault each: the XML tree is gone when
    the pages' columns are made, and a page of one layer of plain strokes keeps the
    numbers read from it instead of a copy."""
    import weakref

    stroke = '<stroke tool="pen" color="#000000ff" width="1.4 1 1 1">1 2 3 4 5 6 7 8</stroke>'
    page = f'<page width="600" height="800"><layer>{stroke * 50}</layer></page>'
    xml = f'<xournal fileversion="4">{page}</xournal>'
    path = tmp_path / "one.xopp"
    path.write_bytes(gzip.compress(xml.encode()))
    trees: list[weakref.ref[object]] = []
    alive: list[bool] = []
    parse, assemble = reader.parse_content, reader._assemble

    def parse_spy(*args):  # type: ignore[no-untyped-def]
        root = parse(*args)
        trees.append(weakref.ref(root))
        return root

    def assemble_spy(*args):  # type: ignore[no-untyped-def]
        alive.append(trees[-1]() is not None)
        return assemble(*args)

    monkeypatch.setattr(reader, "parse_content", parse_spy)
    monkeypatch.setattr(reader, "_assemble", assemble_spy)
    ink = read_notebook(path).pages[0].ink
    assert alive == [False]
    assert ink.n_points == 200 and not ink.xy_mm.flags.owndata and not ink.widths_mm.flags.owndata


@pytest.mark.parametrize("first_page", ['width="600"', 'width="-1"'])
def test_pages_are_read_while_the_file_is_parsed_and_malformed_xml_is_still_what_is_said(
    first_page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each page is read (and let go) as soon as the parser has it, before the rest of the
    file is parsed; an error in a page waits, so that XML broken further on is reported."""
    from pencastviewer.formats.errors import CorruptFileError

    stroke = '<stroke tool="pen" color="#000000ff" width="1.4">1 2 3 4</stroke>'
    page = f'<page {{}} height="800"><layer>{stroke}</layer></page>'
    xml = f'<xournal fileversion="4">{page.format(first_page)}{page.format(chr(32))}<page <<</xournal>'
    path = tmp_path / "broken.xopp"
    path.write_bytes(gzip.compress(xml.encode()))
    read_pages: list[int] = []
    original = reader._parse_page

    def counted(elem, index, ctx, files):  # type: ignore[no-untyped-def]
        read_pages.append(index)
        return original(elem, index, ctx, files)

    monkeypatch.setattr(reader, "_parse_page", counted)
    with pytest.raises(CorruptFileError, match="malformed"):
        read_notebook(path)
    # Both complete pages were read before the break; after a page's error, no other is.
    assert read_pages == ([0, 1] if first_page == 'width="600"' else [0])
