"""Hostile values (issue 10), each in a small generated file, through the one read entry
point and what `info` does with the result: every failure is a FormatError naming the file
(and the place where one is known), every float that leaves a reader is finite, `info
--json` is strict JSON, and declared recording lengths never outgrow the audio present."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pencastviewer.cli.main import main
from pencastviewer.formats import FormatError, read_notebook
from pencastviewer.formats.limits import MAX_POINTS, MAX_TIME_MS, check_notebook
from pencastviewer.model import AudioFile, AudioStore, Notebook, Page, Recording, Stroke

NS = 'xmlns="http://www.w3.org/2003/InkML"'


def xopp(tmp_path: Path, stroke_attributes: str, points: str = "10 10 20 20", name: str = "n.xopp") -> Path:
    xml = (
        '<?xml version="1.0"?><xournal creator="test" fileversion="4"><page width="595" height="842">'
        '<background type="solid" color="#ffffffff" style="plain"/><layer>'
        f'<stroke tool="pen" color="#000000ff" width="1.41" {stroke_attributes}>{points}</stroke>'
        "</layer></page></xournal>"
    )
    path = tmp_path / name
    path.write_bytes(gzip.compress(xml.encode()))
    return path


def inkml(tmp_path: Path, body: str, name: str = "n.inkml") -> Path:
    path = tmp_path / name
    path.write_text(f'<?xml version="1.0"?><ink {NS}>{body}</ink>')
    return path


T_FORMAT = (
    '<traceFormat><channel name="X" units="mm"/><channel name="Y" units="mm"/>'
    '<channel name="T" units="ms"/></traceFormat>'
)


def finite_everywhere(notebook: Notebook) -> bool:
    for page in notebook.pages:
        for stroke in page.strokes:
            if not (np.isfinite(stroke.xy_mm).all() and np.isfinite(stroke.t_ms).all()):
                return False
    return all(
        math.isfinite(f.clock_start_ms) and math.isfinite(f.clock_duration_ms)
        for r in notebook.recordings
        for f in r.files
    )


def read_or_error(path: Path) -> Notebook | FormatError:
    try:
        notebook = read_notebook(path)
    except FormatError as e:
        assert str(e).startswith(str(path)), e
        return e
    assert finite_everywhere(notebook)
    return notebook


def info_json(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["info", "--json", str(path)])
    out = capsys.readouterr()
    if status == 0:
        json.loads(out.out, parse_constant=lambda c: pytest.fail(f"info --json printed {c}"))
    else:
        assert status == 1 and out.err.count("\n") == 1 and str(path) in out.err, out.err
    return status, out.out + out.err


@pytest.mark.parametrize(
    "attributes",
    [
        'ts="' + "9" * 400 + '" fn="a.ogg"',
        'ts="' + "1" * 5000 + '" fn="a.ogg"',
        'fill="' + "9" * 400 + '"',
        'fill="' + "7" * 5000 + '"',
        'ts="0" fn="' + "x" * 300 + '"',
        'ts="0" fn="' + "x" * 300 + '/y.ogg"',
    ],
    ids=["ts-400-digits", "ts-5000-digits", "fill-400-digits", "fill-5000-digits", "fn-300", "fn-300-dir"],
)
def test_xournalpp_attribute_values_are_read_or_refused_cleanly(
    tmp_path: Path, attributes: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = xopp(tmp_path, attributes)
    result = read_or_error(path)
    assert not isinstance(result, FormatError) or "Exceeds the limit" not in str(result)
    info_json(path, capsys)


@pytest.mark.parametrize("value", ["1e308", "-1e308", "1e20", "nan", "inf", "9" * 400])
def test_inkml_times_and_coordinates_stay_finite(tmp_path: Path, value: str, capsys) -> None:
    for body in (
        f"{T_FORMAT}<trace>0 0 0, 5 5 {value}</trace>",
        f"{T_FORMAT}<trace>0 0 0, {value} 5 10</trace>",
        f'<definitions><timestamp xml:id="t" time="{value}"/></definitions>'
        f'{T_FORMAT}<trace contextRef="#t" timeOffset="0">0 0 0, 5 5 10</trace>',
    ):
        path = inkml(tmp_path, body)
        read_or_error(path)
        info_json(path, capsys)


def test_a_year_78901_is_a_format_error_or_no_date(tmp_path: Path, capsys) -> None:
    ms = 2_427_906_000_000_000  # 78901-01-01 in Unix ms: beyond datetime, within float64
    body = (
        f'<definitions><timestamp xml:id="t" time="{ms}"/></definitions>'
        f'{T_FORMAT}<trace contextRef="#t" timeOffset="0">0 0 0, 5 5 10</trace>'
    )
    path = inkml(tmp_path, body)
    result = read_or_error(path)
    assert "out of range" not in str(result) or "year" not in str(result)
    info_json(path, capsys)


def test_livescribe_sample_rate_of_1e_minus_320_is_refused(tmp_path: Path) -> None:
    body = (
        '<definitions><context xml:id="c"><inkSource xml:id="s"><sampleRate value="1e-320"/>'
        f"</inkSource></context></definitions>{T_FORMAT}<trace>0 0 0, 5 5 10</trace>"
    )
    read_or_error(inkml(tmp_path, body))


def test_numbers_out_of_range_never_leave_the_entry_point(tmp_path: Path) -> None:
    page = Page(100.0, 100.0, (Stroke(np.array([[1.0, 1.0], [2.0, 2.0]]), np.array([0.0, MAX_TIME_MS * 2])),))
    with pytest.raises(FormatError, match=r"a time is not a number or out of range \(at page 1, stroke 1\)"):
        check_notebook(Notebook((page,)), tmp_path / "x.pencast")
    page = Page(100.0, 100.0, (Stroke(np.array([[1.0, np.nan], [2.0, 2.0]]), np.array([0.0, 1.0])),))
    with pytest.raises(FormatError, match="a coordinate is not a finite number"):
        check_notebook(Notebook((page,)), tmp_path / "x.pencast")


def test_more_points_than_a_notebook_has_are_refused(tmp_path: Path) -> None:
    n = MAX_POINTS // 4 + 1
    strokes = tuple(Stroke(np.zeros((n, 2)), np.zeros(n)) for _ in range(4))
    with pytest.raises(FormatError, match="more than 5,000,000 points"):
        check_notebook(Notebook((Page(100.0, 100.0, strokes),)), tmp_path / "big.pencast")


def test_a_declared_length_longer_than_the_audio_is_cut_to_the_audio(tmp_path: Path) -> None:
    wav = tmp_path / "a.wav"
    sf.write(wav, np.zeros(8000, np.int16), 8000)  # 1 s
    declared = 1e15  # ms: a .pencast may say so
    audio = AudioFile(AudioStore.FILE, str(wav), "pcm", 8000, 1, 8000, 0.0, declared)
    notebook = check_notebook(
        Notebook((Page(10.0, 10.0),), (Recording("r", (audio,)),)), tmp_path / "x.pencast"
    )
    (recording,) = notebook.recordings
    assert recording.files[0].clock_duration_ms == 1000.0 and recording.duration_s == 1.0
    assert any("holds 1.000 s of audio" in w for w in notebook.warnings)
    unmeasured = AudioFile(AudioStore.FILE, str(wav), "pcm", 8000, 1, 0, 0.0, 2.0**52)
    notebook = check_notebook(Notebook((Page(10.0, 10.0),), (Recording("r", (unmeasured,)),)), tmp_path / "x")
    assert notebook.recordings[0].duration_s == 24 * 3600


def test_a_pencast_declaring_1e15_ms_exports_only_its_audio(tmp_path: Path, capsys) -> None:
    from pencastviewer.formats.pencast import write_pencast

    wav = tmp_path / "a.wav"
    sf.write(wav, np.zeros(8000, np.int16), 8000)
    audio = AudioFile(AudioStore.FILE, str(wav), "pcm", 8000, 1, 8000, 0.0, 1e15)
    stroke = Stroke(np.array([[1.0, 1.0], [2.0, 2.0]]), np.array([0.0, 500.0]), recording=0)
    notebook = Notebook((Page(10.0, 10.0, (stroke,)),), (Recording("r", (audio,)),))
    path = tmp_path / "long.pencast"
    write_pencast(notebook, path)
    out = tmp_path / "clip.flac"
    assert main(["export", str(path), "-o", str(out)]) == 0, capsys.readouterr().err
    assert sf.info(out).frames == 8000


def test_a_xopp_with_more_points_than_the_limit_is_refused_while_reading(tmp_path: Path) -> None:
    path = xopp(tmp_path, "", points="1 " * (2 * MAX_POINTS + 2))  # 20 MB of text, 20 KB gzipped
    with pytest.raises(FormatError, match="more than 5,000,000 points") as caught:
        read_notebook(path)
    assert str(caught.value).startswith(str(path))


def test_an_inkml_with_more_points_than_the_limit_is_refused_while_reading(tmp_path: Path) -> None:
    half = "0 0," * (MAX_POINTS // 2)
    path = inkml(tmp_path, f"<trace>{half}0 0</trace><trace>{half}0 0</trace>")
    with pytest.raises(FormatError, match="more than 5,000,000 points"):
        read_notebook(path)


def test_plain_inkml_rows_are_decoded_in_bulk_and_irregular_rows_by_the_grammar() -> None:
    from pencastviewer.formats.inkml.trace import decode_values

    assert decode_values("1 2 3, 4 5 6", 3).tolist() == [[1, 2, 3], [4, 5, 6]]
    irregular = decode_values("1 2, 3 4 5 6", 3)  # six numbers, but not three per point
    assert np.isnan(irregular[0, 2]) and irregular[1].tolist() == [3, 4, 5]
