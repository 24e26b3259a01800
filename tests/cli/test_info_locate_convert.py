"""The CLI on real files: `info` gives the fixtures' measured figures, `locate` the times
a tap would play, `convert` a lossless .pencast; bad input one line and a non-zero exit."""

import json
import subprocess
import sys

import numpy as np
import pytest

from pencastviewer.cli.main import main
from pencastviewer.formats import read_notebook
from pencastviewer.formats.audio_source import audio_bytes

# (file, pages, strokes, points, [(duration_s, sample_rate, channels, codec)]) from
# ../shared/fixtures/README.md (test.ogg measured: 240 000 frames at 48 kHz = 5.0 s)
FIXTURES = [
    ("livescribe/3-dots.pdf", 1, 3, 62, [(7.488, 16000, 1, "aac")]),
    ("livescribe/corners-page.pdf", 1, 4, 275, [(20.864, 16000, 1, "aac")]),
    ("livescribe/2-pages.pdf", 2, 136, 4236, [(125.824, 16000, 1, "aac")]),
    ("livescribe/2-pages-no-audio.pdf", 2, 136, 4236, []),
    ("livescribe/notebook-archive-testing.zip", 1, 15, 385, []),
    ("xournalpp/audio-old.xopp", 1, 1, None, [(5.0, 48000, 1, "vorbis")]),
    ("xournalpp/audio-packaged.xopp", 1, 1, None, [(5.0, 48000, 1, "vorbis")]),
]


def run_cli(capsys, *args):
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def info_json(capsys, path):
    status, out, err = run_cli(capsys, "info", path, "--json")
    assert status == 0, err
    return json.loads(out)


@pytest.mark.parametrize("name, pages, strokes, points, recordings", FIXTURES)
def test_info_gives_the_measured_figures(capsys, fixtures_dir, name, pages, strokes, points, recordings):
    doc = info_json(capsys, fixtures_dir / name)
    assert len(doc["pages"]) == pages
    assert doc["strokes"] == strokes == sum(p["strokes"] for p in doc["pages"])
    if points is not None:
        assert doc["points"] == points
    got = [(r["duration_s"], r["sample_rate"], r["channels"], r["codec"]) for r in doc["recordings"]]
    assert len(got) == len(recordings)
    for (d, rate, ch, codec), (d_exp, rate_exp, ch_exp, codec_exp) in zip(got, recordings, strict=True):
        assert d == pytest.approx(d_exp, abs=0.0005)
        assert (rate, ch, codec) == (rate_exp, ch_exp, codec_exp)
    assert set(doc["pages"][0]) == {"index", "label", "width_mm", "height_mm", "strokes", "points"}
    assert doc["ink_span_ms"][0] <= doc["ink_span_ms"][1]


def test_info_on_the_demo(capsys, demo_path):
    doc = info_json(capsys, demo_path)
    assert doc["format"] == "pencast"
    assert len(doc["pages"]) == 2 and doc["strokes"] > 200
    (rec,) = doc["recordings"]
    assert rec["codec"] == "vorbis" and 120 < rec["duration_s"] < 200


def locate(capsys, path, page, x, y, radius=3.0):
    status, out, err = run_cli(
        capsys, "locate", path, "--page", page, "--at", f"{x},{y}", "--radius", radius, "--json"
    )
    return status, (json.loads(out) if status == 0 else err)


def test_locate_the_four_corners_in_writing_order(capsys, livescribe_dir):
    path = livescribe_dir / "corners-page.pdf"
    page = read_notebook(path).pages[0]
    # one stroke per corner: tap the middle point of each, named by its corner
    centres = {i: s.xy_mm[len(s.xy_mm) // 2] for i, s in enumerate(page.strokes)}
    corner = {
        i: ("top" if c[1] < page.height_mm / 2 else "bottom")
        + ("-left" if c[0] < page.width_mm / 2 else "-right")
        for i, c in centres.items()
    }
    assert sorted(corner.values()) == ["bottom-left", "bottom-right", "top-left", "top-right"]
    times = []
    for i in range(4):
        status, hit = locate(capsys, path, 1, *centres[i])
        assert status == 0 and hit["stroke"] == i and hit["recording"] == 0
        times.append(hit["time_s"])
    assert times == sorted(times) and len(set(times)) == 4
    assert times[0] > 0 and times[-1] < 20.864


def test_locate_on_two_pages_the_cross_comes_after_every_word(capsys, livescribe_dir):
    """Page 14 (the first page of the file) ends with an "X" drawn below the text.
    Note: the recording's first minute is page 15 ("Hello! This is a trial sheet…"), so
    page 14's first word is heard at about 73 s, not near the recording's start."""
    path = livescribe_dir / "2-pages.pdf"
    page = read_notebook(path).pages[0]
    assert page.label == "14"
    lowest = max(range(len(page.strokes)), key=lambda i: page.strokes[i].xy_mm[:, 1].mean())
    cross_y = page.strokes[lowest].xy_mm[:, 1].mean()
    x, y = page.strokes[lowest].xy_mm[len(page.strokes[lowest].xy_mm) // 2]
    status, cross = locate(capsys, path, 1, x, y, 1.0)
    assert status == 0
    first = page.strokes[0].xy_mm[0]
    status, first_word = locate(capsys, path, 1, *first, 0.5)
    assert status == 0 and first_word["stroke"] == 0
    above = [i for i, s in enumerate(page.strokes) if s.xy_mm[:, 1].max() < cross_y - 10]
    assert len(above) > 50
    for i in above[:: max(1, len(above) // 12)]:
        px, py = page.strokes[i].xy_mm[0]
        status, word = locate(capsys, path, 1, px, py, 0.3)
        assert status == 0 and word["time_s"] < cross["time_s"]
    assert first_word["time_s"] < cross["time_s"]


def test_locate_interpolates_within_a_stroke_of_the_demo(capsys, demo_path):
    notebook = read_notebook(demo_path)
    stroke = max(notebook.pages[0].strokes, key=lambda s: s.n_points)
    start = notebook.recordings[0].clock_start_ms
    k = stroke.n_points - 2
    status, hit = locate(capsys, demo_path, 1, *stroke.xy_mm[k], 0.05)
    assert status == 0
    assert hit["time_s"] == pytest.approx((stroke.t_ms[k] - start) / 1000, abs=0.02)
    status, hit0 = locate(capsys, demo_path, 1, *stroke.xy_mm[1], 0.05)
    assert hit0["time_s"] == pytest.approx((stroke.t_ms[1] - start) / 1000, abs=0.02)
    assert hit["time_s"] - hit0["time_s"] > 0.1  # the end of a word plays from the end


def test_locate_on_empty_paper_exits_1(capsys, demo_path):
    status, err = locate(capsys, demo_path, 1, 180, 230, 1.0)
    assert status == 1 and "no ink within 1 mm" in err


@pytest.mark.parametrize(
    "name",
    [
        "livescribe/2-pages.pdf",
        "livescribe/notebook-archive-testing.zip",
        "xournalpp/audio-packaged.xopp",
        "xournalpp/strokes.xopp",
    ],
)
def test_convert_is_lossless(capsys, tmp_path, fixtures_dir, name):
    source = fixtures_dir / name
    target = tmp_path / "out.pencast"
    status, out, err = run_cli(capsys, "convert", source, target)
    assert status == 0, err
    assert "wrote" in out
    before, after = info_json(capsys, source), info_json(capsys, target)
    assert after.pop("format") == "pencast"
    before.pop("format")
    assert after == before
    a, b = read_notebook(source), read_notebook(target)
    for page_a, page_b in zip(a.pages, b.pages, strict=True):
        assert page_a.strokes == page_b.strokes
    for rec_a, rec_b in zip(a.recordings, b.recordings, strict=True):
        for fa, fb in zip(rec_a.files, rec_b.files, strict=True):
            assert audio_bytes(fa) == audio_bytes(fb)  # copied, not re-encoded


def test_convert_refuses_to_overwrite_without_force(capsys, tmp_path, demo_path):
    target = tmp_path / "x.pencast"
    target.write_bytes(b"precious")
    status, _out, err = run_cli(capsys, "convert", demo_path, target)
    assert status == 1 and "already exists" in err
    assert target.read_bytes() == b"precious"


@pytest.mark.parametrize(
    "args, message",
    [
        (["info", "/no/such/file.pdf"], "no such file"),
        (["info", "README.md"], "unknown file format"),
        (["locate", "{demo}", "--page", "9", "--at", "1,1"], "page 9 does not exist"),
        (["locate", "{demo}", "--page", "1", "--at", "oops"], "expected X,Y"),
    ],
)
def test_bad_input_gives_one_line_without_traceback(demo_path, args, message):
    args = [a.replace("{demo}", str(demo_path)) for a in args]
    result = subprocess.run(
        [sys.executable, "-m", "pencastviewer", *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_corrupt_file_gives_one_line(tmp_path, demo_path):
    bad = tmp_path / "bad.pencast"
    data = bytearray(demo_path.read_bytes())
    bad.write_bytes(bytes(data[: len(data) // 3]))
    result = subprocess.run(
        [sys.executable, "-m", "pencastviewer", "info", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert str(bad) in result.stderr and "Traceback" not in result.stderr
    assert np.isfinite(len(result.stderr))
