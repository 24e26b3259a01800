"""What a new user meets on the command line: usage text, plurals, one stroke numbering,
and page image exports that say which pages they wrote."""

from __future__ import annotations

import json
import re

import pytest
import soundfile as sf

from pencastviewer.cli.main import main
from pencastviewer.formats import read_notebook
from pencastviewer.model.units import parse_time


def run_cli(capsys, *args: object) -> tuple[int, str, str]:
    status = main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_help_starts_with_usage(capsys):
    status, out, _ = run_cli(capsys, "--help")
    assert status == 0 and out.startswith("usage: pencastviewer")


def test_one_audio_file_is_singular(capsys, tmp_path, demo_path):
    notebook = read_notebook(demo_path)
    assert sum(len(r.files) for r in notebook.recordings) == 1
    status, out, _ = run_cli(capsys, "convert", demo_path, tmp_path / "copy.pencast")
    assert status == 0 and "1 audio file copied" in out and "files" not in out


def test_the_stroke_locate_names_is_the_stroke_export_strokes_exports(capsys, tmp_path, demo_path):
    page = read_notebook(demo_path).pages[0]
    index = 7  # a stroke well inside the page; 0-based like every stroke number
    x, y = page.strokes[index].xy_mm[page.strokes[index].n_points // 2]
    status, out, _ = run_cli(
        capsys, "locate", demo_path, "--page", 1, "--at", f"{x},{y}", "--radius", 0.01, "--json"
    )
    hit = json.loads(out)
    assert status == 0 and hit["stroke"] == index
    stroke = f"{hit['stroke']}-{hit['stroke']}"
    out_path = tmp_path / "stroke.wav"
    status, out, err = run_cli(
        capsys,
        "export",
        demo_path,
        "-o",
        out_path,
        "--page",
        1,
        "--strokes",
        stroke,
        "--lead-in",
        0,
        "--lead-out",
        0,
    )
    assert status == 0, err
    assert f"strokes {index}–{index}" in out
    start, end = (parse_time(t) for t in re.search(r"(\d+:[\d.]+)–(\d+:[\d.]+)", out).groups())
    assert start - 0.001 <= hit["time_s"] <= end + 0.001  # the located moment lies in the exported clip
    assert sf.info(out_path).duration == pytest.approx(end - start, abs=0.002)


def test_a_png_says_which_page_it_wrote(qapp, capsys, tmp_path, demo_path):
    status, out, _ = run_cli(capsys, "export", demo_path, "-o", tmp_path / "x.png")
    assert status == 0 and "page 1 of 2" in out and "{n}" in out  # says how to get page 2


def test_a_pdf_without_page_holds_every_page_with_all_its_ink(qapp, capsys, tmp_path, demo_path):
    from PySide6.QtPdf import QPdfDocument

    out_path = tmp_path / "all.pdf"
    status, out, _ = run_cli(capsys, "export", demo_path, "-o", out_path)
    assert status == 0 and "pages 1–2 of 2" in out
    document = QPdfDocument()
    document.load(str(out_path))
    assert document.pageCount() == 2


def test_page_number_in_the_name_writes_several_pages_in_one_run(qapp, capsys, tmp_path, demo_path):
    status, out, _ = run_cli(capsys, "export", demo_path, "-o", tmp_path / "page-{n}.png", "--pages", "2,1")
    assert status == 0 and len(out.splitlines()) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page-1.png", "page-2.png"]
    assert "page 2 of 2" in out.splitlines()[0]


def test_several_pages_in_one_png_are_refused_with_the_way_out(qapp, capsys, tmp_path, demo_path):
    status, out, err = run_cli(capsys, "export", demo_path, "-o", tmp_path / "x.png", "--pages", "1-2")
    assert status == 1 and out == "" and "{n}" in err
    assert list(tmp_path.iterdir()) == []


def _two_recordings_xopp(folder):
    """One page, a stroke left linked to a.wav and one right linked to b.wav."""
    import gzip

    import numpy as np

    for name in ("a.wav", "b.wav"):
        sf.write(folder / name, np.zeros(8000, dtype=np.float32), 8000)
    xml = (
        '<?xml version="1.0" standalone="no"?><xournal creator="xournalpp 1.2.3" fileversion="4">'
        '<page width="595.27" height="841.89"><background type="solid" color="#ffffffff" style="plain"/>'
        "<layer>"
        '<stroke tool="pen" color="#000000ff" width="4" ts="0" fn="a.wav">100 100 200 100 200 200</stroke>'
        '<stroke tool="pen" color="#000000ff" width="4" ts="0" fn="b.wav">400 600 500 600 500 700</stroke>'
        "</layer></page></xournal>"
    )
    path = folder / "two.xopp"
    path.write_bytes(gzip.compress(xml.encode()))
    return path


def test_a_pdf_holds_the_ink_of_every_recording(qapp, capsys, tmp_path):
    from PySide6.QtCore import QSize
    from PySide6.QtPdf import QPdfDocument

    source = _two_recordings_xopp(tmp_path)
    assert len(read_notebook(source).recordings) == 2
    out_path = tmp_path / "all.pdf"
    status, _out, err = run_cli(capsys, "export", source, "-o", out_path)
    assert status == 0, err
    document = QPdfDocument()
    document.load(str(out_path))
    image = document.render(0, QSize(595, 842))
    # a point on each stroke's vertical leg (x = 200 pt and x = 500 pt)
    dark = [image.pixelColor(x, y).lightness() < 128 for x, y in ((200, 150), (500, 650))]
    assert dark == [True, True]
