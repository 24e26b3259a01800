"""The InkML reader on generated InkML and on the InkML inside real Livescribe pencasts."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pencastviewer.formats import CorruptFileError
from pencastviewer.formats.inkml import notebook as inkml
from pencastviewer.formats.inkml.trace import decode_values
from pencastviewer.formats.registry import ReadOptions
from pencastviewer.model import Timeline, Tool
from pencastviewer.model.units import MM_PER_ANOTO, MM_PER_INCH, MM_PER_POINT

NS = 'xmlns="http://www.w3.org/2003/InkML"'


def ink(*body: str) -> str:
    return f'<?xml version="1.0"?>\n<ink {NS}>{"".join(body)}</ink>'


def trace_format(*channels: str) -> str:
    return "<traceFormat>" + "".join(f"<channel {c}/>" for c in channels) + "</traceFormat>"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def read(path: Path, **options: object):
    return inkml.read(path, ReadOptions(**options))  # type: ignore[arg-type]


def unix_ms(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp() * 1000


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory):
    """make(path, text): real speech from espeak-ng in the format path's suffix names."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    scratch = tmp_path_factory.mktemp("speech")

    def make(path: Path, text: str) -> int:
        wav = scratch / "speech.wav"
        subprocess.run(["espeak-ng", "-w", str(wav), text], check=True, capture_output=True)
        samples, rate = sf.read(wav)
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, samples, rate)
        return len(samples)

    return make


@pytest.fixture(scope="module")
def livescribe_inkml(livescribe_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The InkML Livescribe Desktop wrote into a real pencast, saved as a standalone file."""
    import pikepdf

    def extract(name: str) -> Path:
        with pikepdf.open(livescribe_dir / f"{name}.pdf") as pdf:
            data = pdf.Root.Livescribe_Metadata.Livescribe_InkML.read_bytes()
        path = tmp_path_factory.mktemp("livescribe") / f"{name}.inkml"
        path.write_bytes(data)
        return path

    return extract


# --- values ------------------------------------------------------------------------


def test_explicit_first_and_second_differences_decode() -> None:
    values = decode_values("10 20, '1 '2, 1 2, \"1 !5, * *, ? 7", 2)
    expected = [[10, 20], [11, 22], [12, 24], [14, 5], [16, 5], [np.nan, 7]]
    np.testing.assert_array_equal(values, expected)


def test_numbers_written_without_spaces_and_flags() -> None:
    np.testing.assert_array_equal(decode_values("1-2 T,.5+3 F", 3), [[1, -2, 1], [0.5, 3, 0]])


# --- generated files -------------------------------------------------------------------


def test_units_times_and_pressure_from_the_trace_format(tmp_path: Path) -> None:
    fmt = trace_format(
        'name="X" units="cm"',
        'name="Y" units="cm"',
        'name="T" units="s" respectTo="#t0"',
        'name="F" max="1023"',
    )
    body = ink(
        f'<definitions><timestamp xml:id="t0" timeString="2024-01-02T03:04:05Z"/></definitions>{fmt}',
        "<trace>1 2 0.5 1023, 1.5 2 0.6 511.5, 2 2.5 0.75 0</trace>",
    )
    notebook = read(write(tmp_path / "a.inkml", body))
    (page,) = notebook.pages
    (stroke,) = page.strokes
    start = unix_ms("2024-01-02T03:04:05+00:00")
    np.testing.assert_allclose(stroke.t_ms, [start + 500, start + 600, start + 750])
    # no paper given: the page is the ink's bounds plus a 10 mm margin
    np.testing.assert_allclose(stroke.xy_mm, [[10, 10], [15, 10], [20, 15]])
    assert (page.width_mm, page.height_mm) == pytest.approx((30.0, 25.0))
    np.testing.assert_allclose(stroke.widths_mm, stroke.width_mm * np.array([1.0, 0.5, 0.1]))
    assert notebook.created == dt.datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("units", "extra", "mm"),
    [
        ("mm", "", 1.0),
        ("in", "", MM_PER_INCH),
        ("pt", "", MM_PER_POINT),
        ("anoto", "", MM_PER_ANOTO),
        (
            "px",
            '<channelProperties><channelProperty channel="X" name="resolution" value="96" units="1/in"/>'
            "</channelProperties>",
            MM_PER_INCH / 96,
        ),
    ],
)
def test_length_units(tmp_path: Path, units: str, extra: str, mm: float) -> None:
    channels = f'<channel name="X" units="{units}"/><channel name="Y" units="{units}"/>'
    fmt = f"<traceFormat>{channels}{extra}</traceFormat>"
    stroke = read(write(tmp_path / "u.inkml", ink(fmt, "<trace>0 0, 100 50</trace>"))).pages[0].strokes[0]
    assert stroke.xy_mm[1] - stroke.xy_mm[0] == pytest.approx((100 * mm, 50 * mm))


def test_unknown_units_are_fitted_with_a_warning(tmp_path: Path) -> None:
    notebook = read(write(tmp_path / "u.inkml", ink("<trace>0 0, 9000 4500</trace>")))
    stroke = notebook.pages[0].strokes[0]
    assert stroke.xy_mm[1] - stroke.xy_mm[0] == pytest.approx((inkml.FIT_MM, inkml.FIT_MM / 2))
    assert any("units are not given" in w for w in notebook.warnings)


def test_timestamp_chains_contexts_and_trace_offsets(tmp_path: Path) -> None:
    body = ink(
        "<definitions>",
        '<timestamp xml:id="a" time="1700000000000"/>',
        '<timestamp xml:id="b" timestampRef="#a" timeOffset="2000"/>',
        '<context xml:id="ctx" timestampRef="#b"><inkSource xml:id="s"><traceFormat>'
        '<channel name="X" units="mm"/><channel name="Y" units="mm"/></traceFormat>'
        '<sampleRate uniform="true" value="100"/></inkSource></context>',
        "</definitions>",
        '<trace contextRef="#ctx" timeOffset="500">0 0, 1 0, 2 0</trace>',
        '<trace contextRef="#ctx" timeOffset="900" duration="300">0 5, 1 5, 2 5, 3 5</trace>',
    )
    first, second = read(write(tmp_path / "t.inkml", body)).pages[0].strokes
    np.testing.assert_allclose(first.t_ms, 1700000002500 + np.array([0, 10, 20]))
    np.testing.assert_allclose(second.t_ms, 1700000002900 + np.array([0, 100, 200, 300]))


def test_trace_groups_are_pages_and_untimed_ink_keeps_its_order(tmp_path: Path) -> None:
    fmt = trace_format('name="X" units="mm"', 'name="Y" units="mm"')
    body = ink(
        fmt,
        '<traceGroup xml:id="p1"><trace>0 0, 40 0</trace><trace>0 10, 40 10</trace></traceGroup>',
        '<traceGroup xml:id="p2"><traceGroup><trace>5 5, 5 25</trace></traceGroup></traceGroup>',
    )
    notebook = read(write(tmp_path / "g.inkml", body))
    assert [p.label for p in notebook.pages] == ["p1", "p2"]
    assert [len(p.strokes) for p in notebook.pages] == [2, 1]
    a, b = notebook.pages[0].strokes
    assert a.end_ms == pytest.approx(1000.0)  # 40 mm at 40 mm/s
    assert b.start_ms == pytest.approx(a.end_ms + inkml.UNTIMED_GAP_MS)
    assert notebook.pages[1].height_mm == pytest.approx(40.0)


def test_brushes_set_colour_width_transparency_and_highlighter(tmp_path: Path) -> None:
    body = ink(
        '<definitions><brush xml:id="red"><brushProperty name="color" value="#FF0000"/>'
        '<brushProperty name="width" value="0.1" units="cm"/></brush>'
        '<brush xml:id="marker" brushRef="#red"><brushProperty name="transparency" value="128"/>'
        '<brushProperty name="rasterOp" value="maskPen"/></brush></definitions>',
        trace_format('name="X" units="mm"', 'name="Y" units="mm"'),
        '<trace brushRef="#red">0 0, 1 1</trace><trace brushRef="#marker">0 0, 1 1</trace>',
    )
    red, marker = read(write(tmp_path / "b.inkml", body)).pages[0].strokes
    assert (red.color, red.width_mm, red.tool) == ((255, 0, 0, 255), pytest.approx(1.0), Tool.PEN)
    assert (marker.color, marker.tool) == ((255, 0, 0, 127), Tool.HIGHLIGHTER)


def test_livescribe_deltas_only_for_livescribe(tmp_path: Path) -> None:
    fmt = trace_format('name="X" units="anoto"', 'name="Y" units="anoto"')
    source = f'<inkSource manufacturer="Livescribe">{fmt}<sampleRate uniform="true" value="75"/></inkSource>'
    trace = '<trace contextRef="#d">100 200, 3 -1, 2 2</trace>'
    body = f'<traceGroup><timestamp xml:id="d" time="1000"/>{trace}</traceGroup>'
    livescribe = read(write(tmp_path / "ls.inkml", ink(source, body))).pages[0].strokes[0]
    plain = read(write(tmp_path / "plain.inkml", ink(fmt, body))).pages[0].strokes[0]
    assert np.diff(livescribe.xy_mm, axis=0) == pytest.approx(np.array([[3, -1], [2, 2]]) * MM_PER_ANOTO)
    assert np.diff(plain.xy_mm, axis=0) == pytest.approx(np.array([[-97, -201], [-1, 3]]) * MM_PER_ANOTO)
    np.testing.assert_allclose(livescribe.t_ms, 1000 + np.arange(3) * 1000 / 75)


def test_real_livescribe_inkml_opens_with_its_pages(livescribe_inkml) -> None:
    notebook = read(livescribe_inkml("3-dots"))
    (page,) = notebook.pages
    assert (len(page.strokes), notebook.n_points) == (3, 62)
    assert page.address == "2208.1.12.18" and page.label == "1"
    assert (page.width_mm, page.height_mm) == pytest.approx((4963 * MM_PER_ANOTO, 6278 * MM_PER_ANOTO))
    assert page.strokes[0].xy_mm[1] == pytest.approx(np.array([507, 762]) * MM_PER_ANOTO)
    assert page.strokes[1].start_ms == 21690104861 + 1263
    two = read(livescribe_inkml("2-pages"))
    assert [p.address for p in two.pages] == ["2208.1.12.31", "2208.1.12.32"]
    assert (two.n_strokes, two.n_points) == (136, 4236)


def test_livescribe_audio_is_placed_by_its_session_start(livescribe_inkml, livescribe_dir: Path) -> None:
    import pikepdf

    path = livescribe_inkml("3-dots")
    with pikepdf.open(livescribe_dir / "3-dots.pdf") as pdf:
        audio = pdf.Root.Names.EmbeddedFiles.Names[1].EF.F.read_bytes()
    m4a = path.with_suffix(".m4a")
    m4a.write_bytes(audio)
    notebook = read(path)
    (recording,) = notebook.recordings
    assert (recording.codec, recording.sample_rate, recording.n_frames) == ("aac", 16000, 119808)
    assert recording.clock_start_ms == 21690103087.0
    timeline = Timeline(notebook)
    assert timeline.stroke_position_s(notebook.pages[0].strokes[1]) == pytest.approx(
        (21690104861 + 1263 - 21690103087) / 1000
    )
    assert notebook.warnings == ()


def test_dated_audio_beside_aligns_by_absolute_time(tmp_path: Path, speech) -> None:
    frames = speech(tmp_path / "2024-01-02_03-04-05.wav", "We start the lecture with a definition.")
    fmt = trace_format('name="X" units="mm"', 'name="Y" units="mm"')
    body = ink(
        f'<definitions><timestamp xml:id="t" time="{unix_ms("2024-01-02T03:04:05+00:00"):.0f}"/>',
        "</definitions>",
        fmt,
        '<trace contextRef="#t" timeOffset="1500">0 0, 10 0</trace>',
    )
    audio = tmp_path / "2024-01-02_03-04-05.wav"
    notebook = read(write(tmp_path / "notes.inkml", body), audio_paths=(audio,))
    (recording,) = notebook.recordings
    assert recording.n_frames == frames and notebook.warnings == ()
    stroke = notebook.pages[0].strokes[0]
    assert stroke.recording == 0 and Timeline(notebook).stroke_position_s(stroke) == 1.5


def test_undated_audio_beside_starts_with_the_ink_and_warns(tmp_path: Path, speech) -> None:
    speech(tmp_path / "notes.ogg", "No date is known for this recording.")
    fmt = trace_format('name="X" units="mm"', 'name="Y" units="mm"', 'name="T" units="ms"')
    path = write(
        tmp_path / "notes.inkml",
        ink(fmt, "<trace>0 0 5000, 5 0 5100</trace><trace>0 5 5900, 5 5 6000</trace>"),
    )
    notebook = read(path)
    assert notebook.recordings[0].clock_start_ms == 5000.0
    assert any("offset" in w for w in notebook.warnings)
    positions = [Timeline(notebook).stroke_position_s(s) for s in notebook.pages[0].strokes]
    assert positions == [0.0, 0.9]


def test_a_damaged_trace_is_skipped_with_a_warning(tmp_path: Path) -> None:
    fmt = trace_format('name="X" units="mm"', 'name="Y" units="mm"')
    body = ink(fmt, '<trace xml:id="bad">0 0, 1 x</trace><trace>0 0, 5 5</trace><trace>0 0, 1e300 0</trace>')
    notebook = read(write(tmp_path / "c.inkml", body))
    assert notebook.n_strokes == 1 and notebook.pages[0].strokes[0].n_points == 2
    assert any("trace bad: unexpected 'x'" in w for w in notebook.warnings)
    assert any("trace 3: coordinates farther" in w for w in notebook.warnings)


def test_sniff(tmp_path: Path) -> None:
    head = ink("<trace>0 0</trace>").encode()
    assert inkml.sniff(head, tmp_path / "a.xml")
    assert not inkml.sniff(b"<inkSource/>", tmp_path / "a.inkml")
    assert not inkml.sniff(b"<xournal>", tmp_path / "a.inkml")


# --- malformed ------------------------------------------------------------------------


def test_malformed_input_gives_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(CorruptFileError, match=r"line 2, column"):
        read(write(tmp_path / "a.inkml", ink("<trace>0 0</trac>")))
    with pytest.raises(CorruptFileError, match="not <ink>"):
        read(write(tmp_path / "b.inkml", "<svg/>"))
    with pytest.raises(CorruptFileError, match="no traces"):
        read(write(tmp_path / "d.inkml", ink()))
    cycle = (
        '<definitions><timestamp xml:id="a" timestampRef="#b"/><timestamp xml:id="b" timestampRef="#a"/>'
        '</definitions><trace contextRef="#a">0 0, 1 1</trace>'
    )
    with pytest.raises(CorruptFileError, match="cycle"):
        read(write(tmp_path / "e.inkml", ink(cycle)))
    brushes = (
        '<definitions><brush xml:id="a" brushRef="#b"/><brush xml:id="b" brushRef="#a"/></definitions>'
        '<trace brushRef="#a">0 0, 1 1</trace>'
    )
    with pytest.raises(CorruptFileError, match="cycle"):
        read(write(tmp_path / "g.inkml", ink(brushes)))
    with pytest.raises(CorruptFileError, match="DTD"):
        read(write(tmp_path / "f.inkml", '<!DOCTYPE ink [<!ENTITY a "b">]><ink>&a;</ink>'))
