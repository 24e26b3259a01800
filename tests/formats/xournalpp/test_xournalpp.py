"""The Xournal++ reader on the real files written by Xournal++ and on generated notebooks."""

from __future__ import annotations

import gzip
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pencastviewer.formats import CorruptFileError, FormatError, TooLargeError
from pencastviewer.formats.registry import ReadOptions
from pencastviewer.formats.xournalpp import container as xournalpp_container
from pencastviewer.formats.xournalpp import reader as xournalpp
from pencastviewer.model import AudioStore, BackgroundKind, Timeline, Tool
from pencastviewer.model.units import MM_PER_POINT

FIXTURES = ["audio-old.xopp", "audio-packaged.xopp", "strokes.xopp", "stroke-packaged.xopp"]


def read(path: Path, **options: object) -> xournalpp.Notebook:
    return xournalpp.read(path, ReadOptions(**options))  # type: ignore[arg-type]


# --- factories -----------------------------------------------------------------------------


def stroke_xml(
    points: list[tuple[float, float]],
    *,
    width: str = "1.41",
    tool: str = "pen",
    color: str = "#000000ff",
    ts: str | None = None,
    fn: str | None = None,
    extra: str = "",
) -> str:
    link = f' ts="{ts}" fn="{fn}"' if fn is not None else ""
    coords = " ".join(f"{x} {y}" for x, y in points)
    return f'<stroke tool="{tool}" color="{color}" width="{width}"{link}{extra}>{coords}</stroke>'


def page_xml(
    *elements: str, background: str = '<background type="solid" color="#ffffffff" style="plain"/>'
) -> str:
    return f'<page width="595.27559" height="841.88976">{background}<layer>{"".join(elements)}</layer></page>'


def document_xml(*pages: str, fileversion: int = 4, head: str = "") -> bytes:
    body = "".join(pages)
    return (
        f'<?xml version="1.0" standalone="no"?>\n<xournal creator="test" fileversion="{fileversion}">'
        f"<title>t</title>{head}{body}</xournal>"
    ).encode()


def write_xopp(path: Path, xml: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(xml))
    return path


def line(x0: float, y0: float, length: float, n: int = 5) -> list[tuple[float, float]]:
    return [(x0 + length * k / (n - 1), y0) for k in range(n)]


def png_bytes(width: int = 2, height: int = 3) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\0" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def speech_ogg(tmp_path_factory: pytest.TempPathFactory):
    """make(path, text): real speech from espeak-ng, saved as Ogg Vorbis; returns n_frames."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    scratch = tmp_path_factory.mktemp("speech")

    def make(path: Path, text: str) -> int:
        wav = scratch / (path.stem + ".wav")
        subprocess.run(["espeak-ng", "-w", str(wav), text], check=True, capture_output=True)
        samples, rate = sf.read(wav)
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, samples, rate, format="OGG", subtype="VORBIS")
        return len(samples)

    return make


# --- the real files ----------------------------------------------------------------------


@pytest.mark.parametrize("name", FIXTURES)
def test_every_real_file_is_recognised_and_opens(xournalpp_dir: Path, name: str) -> None:
    path = xournalpp_dir / name
    assert xournalpp.sniff(path.read_bytes()[:4096], path)
    notebook = read(path)
    assert notebook.source_format == "xournalpp"
    assert len(notebook.pages) == 1 and notebook.n_strokes >= 1
    assert notebook.pages[0].width_mm == pytest.approx(595 * MM_PER_POINT, abs=0.2)


def test_old_file_links_its_stroke_in_seconds_to_test_ogg(xournalpp_dir: Path) -> None:
    notebook = read(xournalpp_dir / "audio-old.xopp")
    (recording,) = notebook.recordings
    assert recording.name == "test.ogg" and recording.files[0].store == AudioStore.FILE
    assert Path(recording.files[0].member) == (xournalpp_dir / "test.ogg").resolve()
    assert (recording.sample_rate, recording.channels, recording.n_frames) == (48000, 1, 240000)
    assert recording.codec == "vorbis" and recording.duration_s == pytest.approx(5.0)
    stroke = notebook.pages[0].strokes[0]
    assert stroke.recording == 0
    assert Timeline(notebook).stroke_position_s(stroke) == 0.0
    assert notebook.warnings == ()


def test_packaged_file_links_its_stroke_to_the_attachment(xournalpp_dir: Path) -> None:
    path = xournalpp_dir / "audio-packaged.xopp"
    notebook = read(path)
    (recording,) = notebook.recordings
    audio = recording.files[0]
    assert (audio.store, audio.member, audio.container) == (AudioStore.ZIP, "attachments/test.ogg", str(path))
    assert recording.sample_rate == 48000 and recording.n_frames == 240000
    assert Timeline(notebook).stroke_position_s(notebook.pages[0].strokes[0]) == 0.0


def test_empty_link_of_old_packaged_file_means_no_recording(xournalpp_dir: Path) -> None:
    notebook = read(xournalpp_dir / "stroke-packaged.xopp")
    assert notebook.recordings == ()
    assert notebook.pages[0].strokes[0].recording is None
    assert notebook.pages[0].strokes[0].n_points == 90


def test_pressure_widths_become_point_widths(xournalpp_dir: Path) -> None:
    stroke = read(xournalpp_dir / "strokes.xopp").pages[0].strokes[0]
    assert stroke.n_points == 69 and stroke.widths_mm is not None
    assert stroke.width_mm == pytest.approx(2.26 * MM_PER_POINT)
    assert stroke.widths_mm[0] == pytest.approx(0.41932136 * MM_PER_POINT)
    assert stroke.widths_mm[-2] == pytest.approx(0.56020856 * MM_PER_POINT)  # the 68th segment
    assert stroke.widths_mm[-1] == stroke.widths_mm[-2]


def test_highlighters_take_xournalpps_fixed_opacity_and_ignore_pressure(xournalpp_dir: Path) -> None:
    strokes = read(xournalpp_dir / "strokes.xopp").pages[0].strokes
    highlighters = [s for s in strokes if s.tool == Tool.HIGHLIGHTER]
    assert len(highlighters) == 4
    # stored as #ffa1547f; Xournal++ paints every highlighter at 0.47 whatever the alpha
    assert {s.color[3] for s in highlighters} == {120}
    assert highlighters[0].color == (0xFF, 0xA1, 0x54, 120)
    assert highlighters[0].width_mm == pytest.approx(19.84 * MM_PER_POINT)


def test_graph_paper_with_xournalpp_defaults_and_config(xournalpp_dir: Path) -> None:
    notebook = read(xournalpp_dir / "strokes.xopp")
    background = notebook.pages[0].background
    assert background is not None and background.kind == BackgroundKind.SOLID
    assert background.color == (255, 255, 255, 255)
    ruling = background.ruling
    assert ruling is not None and ruling.style == "graph"
    assert ruling.spacing_mm == pytest.approx(14.17 * MM_PER_POINT)  # 5 mm squares
    assert ruling.line_color == (0xBD, 0xBD, 0xBD, 255)
    assert ruling.round_to_grid
    assert ruling.grid_margin_mm == pytest.approx(40 * MM_PER_POINT)
    assert ruling.line_width_mm == pytest.approx(0.5 * MM_PER_POINT)
    assert (ruling.header_mm, ruling.footer_mm, ruling.margin_mm) == (0.0, 0.0, 0.0)


def test_eraser_fill_cap_and_dash_are_carried(xournalpp_dir: Path) -> None:
    strokes = read(xournalpp_dir / "strokes.xopp").pages[0].strokes
    assert len(strokes) == 12
    eraser = strokes[5]  # tool="eraser": Xournal's whiteout, an opaque white pen stroke
    assert eraser.tool == Tool.PEN and eraser.color == (255, 255, 255, 255)
    assert eraser.width_mm == pytest.approx(8.5 * MM_PER_POINT)
    assert strokes[1].dash_mm == pytest.approx((6 * MM_PER_POINT, 3 * MM_PER_POINT))
    assert strokes[2].dash_mm == pytest.approx(tuple(v * MM_PER_POINT for v in (6, 3, 0.5, 3)))
    assert strokes[3].dash_mm == pytest.approx((0.5 * MM_PER_POINT, 3 * MM_PER_POINT))
    assert strokes[6].fill_alpha == 128 and strokes[0].fill_alpha is None
    assert (strokes[10].fill_alpha, strokes[10].cap, strokes[10].tool) == (255, "butt", Tool.HIGHLIGHTER)
    assert {s.cap for s in strokes[:10]} == {"round"} and strokes[0].dash_mm == ()


def test_custom_dashes_and_unknown_styles(tmp_path: Path) -> None:
    strokes = [
        stroke_xml(line(0, 0, 10), extra=' style="cust: 2 1 0.5"'),
        stroke_xml(line(0, 0, 10), extra=' style="cust: -2 1" capStyle="square" fill="-1"'),
        stroke_xml(line(0, 0, 10), extra=' style="wavy" capStyle="pointy" fill="300"'),
    ]
    notebook = read(write_xopp(tmp_path / "d.xopp", document_xml(page_xml(*strokes))))
    custom, negative, unknown = notebook.pages[0].strokes
    assert custom.dash_mm == pytest.approx(tuple(v * MM_PER_POINT for v in (2, 1, 0.5)))
    assert (negative.dash_mm, negative.cap, negative.fill_alpha) == ((), "square", None)
    assert (unknown.dash_mm, unknown.cap, unknown.fill_alpha) == ((), "round", 255)


def test_every_ruled_style_carries_xournalpp_layout(tmp_path: Path) -> None:
    def ruling(style: str, config: str = ""):
        bg = f'<background type="solid" color="#ffffffff" style="{style}" config="{config}"/>'
        notebook = read(write_xopp(tmp_path / f"{style}.xopp", document_xml(page_xml(background=bg))))
        return notebook.pages[0].background.ruling

    staves = ruling("staves")
    assert staves.spacing_mm == pytest.approx(5 * MM_PER_POINT)
    pt = MM_PER_POINT
    assert (staves.staff_gap_mm, staves.staff_side_mm) == pytest.approx((40 * pt, 50 * pt))
    assert (staves.header_mm, staves.footer_mm) == pytest.approx((80 * pt, 60 * pt))
    assert ruling("dotted", "lw=2").line_width_mm == pytest.approx(2 * MM_PER_POINT)
    assert ruling("isograph").line_width_mm == pytest.approx(1 * MM_PER_POINT)
    graph = ruling("graph", "m1=-5,rm=1")  # a negative border is no border, so nothing to round
    assert (graph.grid_margin_mm, graph.round_to_grid) == (0.0, False)


# --- generated notebooks ----------------------------------------------------------------


def test_three_recordings_over_three_pages_place_every_stroke_exactly(
    tmp_path: Path, speech_ogg, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "notes"
    configured = tmp_path / "xpp-audio"
    frames_a = speech_ogg(
        folder / "2024-03-05_10-15-30.ogg", "First, the cell membrane keeps the cell together."
    )
    frames_b = speech_ogg(
        folder / "audio" / "lecture.ogg", "Second, ribosomes build proteins from amino acids."
    )
    frames_c = speech_ogg(configured / "2024-03-05_11-00-00.ogg", "Third, the nucleus holds the genome.")
    settings = tmp_path / "config" / "xournalpp" / "settings.xml"
    settings.parent.mkdir(parents=True)
    settings.write_text(
        f'<?xml version="1.0"?>\n<settings><property name="audioFolder" value="{configured}"/></settings>'
    )
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    plan = [  # page, recording name, ts in ms
        (0, "2024-03-05_10-15-30.ogg", 0),
        (0, "2024-03-05_10-15-30.ogg", 731),
        (0, "lecture.ogg", 250),
        (1, "lecture.ogg", 1999),
        (1, "2024-03-05_11-00-00.ogg", 1234),
        (2, "2024-03-05_11-00-00.ogg", 0),
        (2, "2024-03-05_10-15-30.ogg", 2000),
    ]
    pages = [[] for _ in range(3)]
    for n, (page, fn, ts) in enumerate(plan):
        pages[page].append(stroke_xml(line(50, 50 + 20 * n, 100), ts=str(ts), fn=fn))
    path = write_xopp(folder / "lecture.xopp", document_xml(*(page_xml(*p) for p in pages)))

    notebook = read(path)
    assert [r.name for r in notebook.recordings] == [
        "2024-03-05_10-15-30.ogg",
        "lecture.ogg",
        "2024-03-05_11-00-00.ogg",
    ]
    assert [r.n_frames for r in notebook.recordings] == [frames_a, frames_b, frames_c]
    assert notebook.recordings[0].clock_start_ms == 1709633730000.0  # the name, read as UTC
    assert notebook.recordings[1].clock_start_ms == 0.0  # undated: laid out from 0
    assert notebook.recordings[2].files[0].member == str((configured / "2024-03-05_11-00-00.ogg").resolve())
    timeline = Timeline(notebook)
    strokes = [s for page in notebook.pages for s in page.strokes]
    for stroke, (_, fn, ts) in zip(strokes, plan, strict=True):
        assert notebook.recordings[stroke.recording].name == fn
        assert timeline.stroke_position_s(stroke) == ts / 1000
        assert np.all(np.diff(stroke.t_ms) >= 0)
    # 100 pt at 40 mm/s lasts 882 ms, but the next stroke of that recording starts 731 ms later.
    assert strokes[0].end_ms == strokes[1].start_ms
    assert strokes[1].end_ms - strokes[1].start_ms == pytest.approx(100 * MM_PER_POINT / 40 * 1000)


def test_a_link_outside_the_allowed_folders_is_not_read(tmp_path: Path, speech_ogg) -> None:
    speech_ogg(tmp_path / "secret.ogg", "This file sits outside the notebook's folders.")
    strokes = [
        stroke_xml(line(10, 10, 50), ts="0", fn="../../etc/passwd"),
        stroke_xml(line(10, 40, 50), ts="10", fn="../secret.ogg"),
        stroke_xml(line(10, 70, 50), ts="20", fn=str(tmp_path / "secret.ogg")),
    ]
    path = write_xopp(tmp_path / "inner" / "doc.xopp", document_xml(page_xml(*strokes)))
    notebook = read(path)
    assert notebook.n_strokes == 3
    stores = [r.files[0].store for r in notebook.recordings]
    assert stores == [AudioStore.MISSING] * 3
    assert notebook.recordings[0].files[0].member == "../../etc/passwd"
    assert sum("not found" in w for w in notebook.warnings) == 3


def test_a_link_resolves_by_base_name_inside_search_dirs_and_located(tmp_path: Path, speech_ogg) -> None:
    frames = speech_ogg(tmp_path / "found" / "talk.ogg", "Found by its base name.")
    speech_ogg(tmp_path / "picked.ogg", "Picked by the user.")
    strokes = [
        stroke_xml(line(10, 10, 50), ts="0", fn="/elsewhere/talk.ogg"),
        stroke_xml(line(10, 40, 50), ts="0", fn="old-name.ogg"),
    ]
    path = write_xopp(tmp_path / "doc" / "doc.xopp", document_xml(page_xml(*strokes)))
    notebook = read(
        path, search_dirs=(tmp_path / "found",), located={"old-name.ogg": tmp_path / "picked.ogg"}
    )
    assert [r.files[0].store for r in notebook.recordings] == [AudioStore.FILE, AudioStore.FILE]
    assert notebook.recordings[0].n_frames == frames
    assert notebook.recordings[1].files[0].member == str((tmp_path / "picked.ogg").resolve())


def test_missing_recording_keeps_ink_and_spans_its_ink(tmp_path: Path) -> None:
    xml = document_xml(page_xml(stroke_xml(line(10, 10, 100), ts="3", fn="gone.ogg")), fileversion=3)
    notebook = read(write_xopp(tmp_path / "doc.xopp", xml))
    (recording,) = notebook.recordings
    assert recording.is_missing and recording.files[0].member == "gone.ogg"
    stroke = notebook.pages[0].strokes[0]
    assert stroke.start_ms == 3000.0  # fileversion 3: seconds
    assert recording.clock_end_ms >= stroke.end_ms
    assert any("gone.ogg" in w for w in notebook.warnings)


def test_lenient_timestamps_and_old_timestamp_elements(tmp_path: Path) -> None:
    elements = [
        stroke_xml(line(10, 10, 50), ts="0ll", fn="a.ogg"),
        '<timestamp ts="1500" fn="a.ogg"/>',
        stroke_xml(line(10, 40, 50)),
        '<text font="Sans" size="12" x="10" y="80" color="#ff0000ff" ts="2500" fn="a.ogg">hi</text>',
    ]
    notebook = read(write_xopp(tmp_path / "doc.xopp", document_xml(page_xml(*elements))))
    first, second = notebook.pages[0].strokes
    assert first.start_ms - notebook.recordings[0].clock_start_ms == 0.0
    assert second.recording == 0 and second.start_ms - first.start_ms == 1500.0
    text = notebook.pages[0].texts[0]
    assert (text.text, text.recording, text.t_ms - first.start_ms) == ("hi", 0, 2500.0)
    assert text.color == (255, 0, 0, 255) and text.x_mm == pytest.approx(10 * MM_PER_POINT)


def test_images_and_teximages_become_page_images(tmp_path: Path) -> None:
    import base64

    data = png_bytes(4, 2)
    encoded = base64.b64encode(data).decode()
    elements = [
        f'<image left="10" top="20" right="110" bottom="70">{encoded}</image>',
        f'<teximage text="x^2" left="0" top="0" right="20" bottom="10">{encoded}</teximage>',
        f'<image matrix="2 0 0 3 5 6">{encoded}</image>',
    ]
    notebook = read(write_xopp(tmp_path / "doc.xopp", document_xml(page_xml(*elements), fileversion=5)))
    images = notebook.pages[0].images
    assert [i.data for i in images] == [data] * 3
    assert images[0].rect_mm == pytest.approx(tuple(v * MM_PER_POINT for v in (10, 20, 100, 50)))
    assert images[2].rect_mm == pytest.approx(tuple(v * MM_PER_POINT for v in (5, 6, 8, 6)))


def test_non_positive_pressures_split_the_stroke_like_xournalpp(tmp_path: Path) -> None:
    stroke = stroke_xml(line(0, 0, 60, n=7), width="1 0.5 0.6 0 0.7 0.8 0.9")
    notebook = read(write_xopp(tmp_path / "doc.xopp", document_xml(page_xml(stroke))))
    first, second = notebook.pages[0].strokes
    assert (first.n_points, second.n_points) == (3, 4)
    assert second.widths_mm == pytest.approx(np.array([0.7, 0.8, 0.9, 0.9]) * MM_PER_POINT)


def test_pdf_background_attached_beside_moved_or_missing(tmp_path: Path) -> None:
    pdf_page = '<background type="pdf" domain="attach" filename="bg.pdf" pageno="2"/>'
    xml = document_xml(
        page_xml(background=pdf_page), page_xml(background='<background type="pdf" pageno="3"/>')
    )
    path = write_xopp(tmp_path / "doc.xopp", xml)
    missing = read(path)
    assert missing.pages[0].background.kind == BackgroundKind.SOLID
    assert [w for w in missing.warnings if "bg.pdf" in w]
    (tmp_path / "doc.xopp.bg.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    found = read(path)
    assert [p.background.pdf_page for p in found.pages] == [1, 2]
    assert found.pages[1].background.pdf_path == str(tmp_path / "doc.xopp.bg.pdf")
    moved = document_xml(
        page_xml(
            background='<background type="pdf" domain="absolute" '
            'filename="/old/place/slides.pdf" pageno="1"/>'
        )
    )
    (tmp_path / "slides.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert read(write_xopp(tmp_path / "moved.xopp", moved)).pages[0].background.pdf_path == str(
        tmp_path / "slides.pdf"
    )


def test_pixmap_background_attached_and_cloned(tmp_path: Path) -> None:
    first = '<background type="pixmap" domain="attach" filename="bg_1.png"/>'
    clone = '<background type="pixmap" domain="clone" filename="0"/>'
    path = write_xopp(
        tmp_path / "doc.xoj", document_xml(page_xml(background=first), page_xml(background=clone))
    )
    (tmp_path / "doc.xoj.bg_1.png").write_bytes(png_bytes())
    backgrounds = [p.background for p in read(path).pages]
    assert [b.kind for b in backgrounds] == [BackgroundKind.IMAGE] * 2
    assert backgrounds[1].image == png_bytes()


def test_ruled_and_lined_paper_on_dark_paper_uses_the_alternative_colours(tmp_path: Path) -> None:
    lined = '<background type="solid" color="#202020ff" style="lined" config="m1=-50"/>'
    notebook = read(write_xopp(tmp_path / "doc.xopp", document_xml(page_xml(background=lined))))
    ruling = notebook.pages[0].background.ruling
    assert ruling.line_color == (0x43, 0x43, 0x43, 255) and ruling.margin_color == (0x22, 0x00, 0x80, 255)
    assert ruling.margin_mm == pytest.approx((595.27559 - 50) * MM_PER_POINT)
    assert ruling.spacing_mm == pytest.approx(24 * MM_PER_POINT)


def test_plain_uncompressed_xml_and_sniffing(tmp_path: Path) -> None:
    path = tmp_path / "plain.xopp"
    path.write_bytes(document_xml(page_xml(stroke_xml(line(0, 0, 10)))))
    assert xournalpp.sniff(path.read_bytes()[:4096], path)
    assert read(path).n_strokes == 1
    other = gzip.compress(b"<svg>not a notebook</svg>")
    assert not xournalpp.sniff(other, tmp_path / "x.gz")
    assert not xournalpp.sniff(b"\x1f\x8bgarbage", tmp_path / "x.xopp")


# --- malformed and hostile input ------------------------------------------------------


def test_malformed_xml_names_line_and_column(tmp_path: Path) -> None:
    xml = document_xml(page_xml(stroke_xml(line(0, 0, 10)))).replace(b"</layer>", b"</layr>")
    with pytest.raises(CorruptFileError) as err:
        read(write_xopp(tmp_path / "bad.xopp", xml))
    assert "line 2, column" in str(err.value) and "bad.xopp" in str(err.value)


def test_xml_bomb_is_refused(tmp_path: Path) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b'<xournal fileversion="4"><page width="10" height="10"><layer>&b;</layer></page></xournal>'
    )
    with pytest.raises(CorruptFileError, match="DTD"):
        read(write_xopp(tmp_path / "bomb.xopp", bomb))


def test_zip_entry_escaping_the_archive_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "evil.xopp"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/xournal++")
        archive.writestr("content.xml", document_xml(page_xml()))
        archive.writestr("../../escaped.txt", "x")
    with pytest.raises(CorruptFileError, match="outside the archive"):
        read(path)


def test_gzip_bomb_stops_at_the_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xournalpp_container, "MAX_CONTENT_BYTES", 1 << 20)
    path = tmp_path / "bomb.xopp"
    path.write_bytes(gzip.compress(document_xml(page_xml()) + b" " * (8 << 20)))
    with pytest.raises(TooLargeError, match="gzip bomb"):
        read(path)


def test_truncated_gzip_and_missing_pages_are_errors(tmp_path: Path) -> None:
    whole = gzip.compress(document_xml(page_xml(stroke_xml(line(0, 0, 10)))))
    (tmp_path / "cut.xopp").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(CorruptFileError, match="truncated"):
        read(tmp_path / "cut.xopp")
    with pytest.raises(CorruptFileError, match="no pages"):
        read(write_xopp(tmp_path / "empty.xopp", document_xml()))
    with pytest.raises(FormatError, match="width"):
        read(
            write_xopp(
                tmp_path / "w.xopp", document_xml(page_xml().replace('width="595.27559"', 'width="x"'))
            )
        )


def test_absurd_coordinates_skip_the_stroke(tmp_path: Path) -> None:
    strokes = [stroke_xml([(0, 0), (1e300, 5)]), stroke_xml(line(0, 0, 10))]
    notebook = read(write_xopp(tmp_path / "doc.xopp", document_xml(page_xml(*strokes))))
    assert notebook.n_strokes == 1
    assert any("beyond" in w for w in notebook.warnings)


def test_bad_numbers_in_a_stroke_keep_what_came_before(tmp_path: Path) -> None:
    stroke = '<stroke tool="pen" color="#000000ff" width="1">1 2 3 4 5 six 7 8</stroke>'
    notebook = read(write_xopp(tmp_path / "doc.xopp", document_xml(page_xml(stroke))))
    assert notebook.pages[0].strokes[0].n_points == 2
    assert any("unreadable number" in w for w in notebook.warnings)
