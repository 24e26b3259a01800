"""The Livescribe Pencast PDF reader on the real pencasts and on generated, broken and re-saved ones."""

from __future__ import annotations

import datetime as dt
import random
import zlib
from pathlib import Path

import numpy as np
import pikepdf
import pytest

from pencastviewer.formats import (
    CorruptFileError,
    FormatError,
    NotAPencastError,
    ReadOptions,
    TooLargeError,
    detect,
)
from pencastviewer.formats.livescribe.pdf import FORMAT, embedded_file_bytes, read_pencast_pdf
from pencastviewer.formats.registry import read_notebook
from pencastviewer.model import AudioStore, BackgroundKind, Timeline
from pencastviewer.model.units import MM_PER_ANOTO

# Figures from ../shared/fixtures/README.md: pages (labels), strokes, points, audio samples at 16 kHz.
FIGURES = {
    "3-dots.pdf": (["1"], 3, 62, 119_808),
    "corners-page.pdf": (["13"], 4, 275, 333_824),
    "2-pages.pdf": (["14", "15"], 136, 4_236, 2_013_184),
    "2-pages-no-audio.pdf": (["14", "15"], 136, 4_236, None),
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32  # enough for the reader, which only passes it on


def read(path: Path):
    """The reader itself, not through the registry (which would wrap stray exceptions)."""
    return read_pencast_pdf(path, ReadOptions())


# ---- factories --------------------------------------------------------------------------------


def inkml_document(groups: str, metadata: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="ISO-8859-1"?>'
        '<ink xmlns="http://www.w3.org/2003/InkML"><inkSource manufacturer="Livescribe">'
        '<sampleRate uniform="true" value="75"/></inkSource>'
        f'<annotationXML type="Livescribe_Metadata">{metadata}</annotationXML>{groups}</ink>'
    )


def trace_group(address: int, page_index: int, timestamps: str, traces: str) -> str:
    area = (
        f'<activeArea cropBounds="{{(339, 339), (4284, 5599)}}" mediaSize="(4963, 6278)" '
        f'pageIndex="{page_index}" units="anoto"/>'
    )
    return f'<traceGroup xml:id="{address}">{area}{timestamps}{traces}</traceGroup>'


def one_trace_page(trace: str, stamps: str = '<timestamp time="0" xml:id="t"/>', address: int = 1) -> str:
    return trace_group(address, 1, stamps, trace)


def pencast_pdf(
    path: Path, inkml: str, *, images: dict[str, bytes] | None = None, audio: dict[str, bytes] | None = None
) -> Path:
    """A PDF holding `inkml` the way Livescribe stores it (Flate stream in the catalog's
    Livescribe_Metadata), with background image streams and embedded audio files."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    metadata = pikepdf.Dictionary()
    metadata["/Livescribe_PdfPlusVersion"] = pikepdf.Stream(pdf, b"\x06\x00")
    metadata["/Livescribe_InkML"] = pikepdf.Stream(
        pdf, zlib.compress(inkml.encode("iso-8859-1")), Filter=pikepdf.Name.FlateDecode
    )
    for key, data in (images or {}).items():
        metadata["/" + key] = pikepdf.Stream(pdf, data)
    pdf.Root["/Livescribe_Metadata"] = pdf.make_indirect(metadata)
    for name, data in (audio or {}).items():
        pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, data, filename=name)
    pdf.save(path)
    return path


def edited_copy(source: Path, target: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    with pikepdf.open(source) as pdf:
        edit(pdf)
        pdf.save(target)
    return target


# ---- the real pencasts ------------------------------------------------------------------------


@pytest.mark.parametrize("name", FIGURES)
def test_fixture_figures(livescribe_dir: Path, name: str) -> None:
    labels, n_strokes, n_points, n_samples = FIGURES[name]
    notebook = read_notebook(livescribe_dir / name)
    assert notebook.source_format == "livescribe-pdf" and notebook.warnings == ()
    assert [p.label for p in notebook.pages] == labels
    assert (notebook.n_strokes, notebook.n_points) == (n_strokes, n_points)
    for page in notebook.pages:
        assert (page.width_mm, page.height_mm) == pytest.approx((4963 * MM_PER_ANOTO, 6278 * MM_PER_ANOTO))
        assert page.background.kind == BackgroundKind.IMAGE and page.background.image.startswith(b"\x89PNG")
    if n_samples is None:
        assert notebook.recordings == ()
        assert all(s.recording is None for p in notebook.pages for s in p.strokes)
        return
    (recording,) = notebook.recordings
    (audio,) = recording.files
    assert (audio.store, audio.member, audio.container) == (
        AudioStore.PDF_EMBEDDED,
        "Livescribe_Audio0.m4a",
        str(livescribe_dir / name),
    )
    assert (audio.codec, audio.sample_rate, audio.channels, audio.n_frames) == ("aac", 16000, 1, n_samples)
    assert audio.clock_duration_ms == n_samples / 16  # end − start, to the ms
    assert all(s.recording == 0 for p in notebook.pages for s in p.strokes)


def test_addresses_names_and_dates(livescribe_dir: Path) -> None:
    notebook = read(livescribe_dir / "2-pages.pdf")
    assert [p.address for p in notebook.pages] == ["2208.1.12.31", "2208.1.12.32"]
    # Page 14 (address ...807) has Livescribe_BgImage1.png, page 15 BgImage0 (12 206 / 12 745 bytes).
    assert [len(p.background.image) for p in notebook.pages] == [12_206, 12_745]
    recording = notebook.recordings[0]
    assert recording.name == "9/11/13, 2:56:36 AM"
    assert recording.created == dt.datetime(2013, 9, 11, 2, 56, 36, 263000, tzinfo=dt.UTC)
    assert recording.files[0].clock_start_ms == 92_576_714_186  # audio_file@start, not the session's


def test_2_pages_ink_follows_the_recording(livescribe_dir: Path) -> None:
    """Page 15 ("Hello! This is a trial sheet…") was written first, from 13.9 s; page 14
    ("This is also a trial sheet…", then an X below it) from 73.3 s; the X came last."""
    notebook = read(livescribe_dir / "2-pages.pdf")
    timeline = Timeline(notebook)
    page14, page15 = notebook.pages
    times14 = [timeline.stroke_position_s(s) for s in page14.strokes]
    times15 = [timeline.stroke_position_s(s) for s in page15.strokes]
    assert times15[0] == pytest.approx(13.909, abs=0.001)  # dts3 − audio_file start
    assert times14[0] == pytest.approx(73.274, abs=0.001)
    assert min(times14) > max(times15)  # page 15 finished before page 14 began
    x_strokes = [s for s in page14.strokes if s.bounds_mm()[1] > 48]  # below the three lines of text
    words = [s for s in page14.strokes if s.bounds_mm()[3] < 46]
    assert len(x_strokes) == 2 and len(words) == len(page14.strokes) - 2
    assert min(timeline.stroke_position_s(s) for s in x_strokes) > max(
        timeline.stroke_position_s(s) for s in words
    )
    assert page14.strokes[-1] in x_strokes


def test_corner_strokes_are_written_in_order(livescribe_dir: Path) -> None:
    notebook = read(livescribe_dir / "corners-page.pdf")
    timeline = Timeline(notebook)
    strokes = notebook.pages[0].strokes
    centres = [np.mean(s.xy_mm, axis=0) for s in strokes]
    corners = [(c[0] > 90, c[1] > 110) for c in centres]  # (right?, bottom?)
    assert corners == [(False, False), (True, False), (False, True), (True, True)]
    times = [timeline.stroke_position_s(s) for s in strokes]
    assert times == sorted(times) and len(set(times)) == 4
    assert times[0] == pytest.approx(12.247, abs=0.001) and times[-1] < 20.864


def test_first_point_absolute_then_deltas(livescribe_dir: Path) -> None:
    """3-dots.pdf, first trace "504 763, 3 -1" at dts1 (21 690 104 861) + 0 ms."""
    stroke = read(livescribe_dir / "3-dots.pdf").pages[0].strokes[0]
    assert np.allclose(stroke.xy_mm, np.array([[504, 763], [507, 762]]) * MM_PER_ANOTO)
    assert np.array_equal(stroke.t_ms, [21_690_104_861, 21_690_104_861 + 1000 / 75])


def test_resaved_with_object_streams_reads_the_same(livescribe_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "objstm.pdf"
    with pikepdf.open(livescribe_dir / "2-pages.pdf") as pdf:
        pdf.save(copy, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert b"/ObjStm" in copy.read_bytes()
    original, resaved = read(livescribe_dir / "2-pages.pdf"), read(copy)
    assert resaved.n_points == 4_236 and resaved.recordings[0].n_frames == 2_013_184
    assert [s.t_ms[0] for p in resaved.pages for s in p.strokes] == [
        s.t_ms[0] for p in original.pages for s in p.strokes
    ]
    assert embedded_file_bytes(copy, "Livescribe_Audio0.m4a") == embedded_file_bytes(
        livescribe_dir / "2-pages.pdf", "Livescribe_Audio0.m4a"
    )


def test_embedded_file_bytes(livescribe_dir: Path) -> None:
    data = embedded_file_bytes(livescribe_dir / "2-pages.pdf", "Livescribe_Audio0.m4a")
    assert len(data) == 442_938 and data[4:8] == b"ftyp"
    with pytest.raises(CorruptFileError, match="no embedded file"):
        embedded_file_bytes(livescribe_dir / "2-pages-no-audio.pdf", "Livescribe_Audio0.m4a")
    with pytest.raises(FormatError):
        embedded_file_bytes(livescribe_dir / "absent.pdf", "Livescribe_Audio0.m4a")


def test_detected_by_content(livescribe_dir: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "pencast.bin"
    renamed.write_bytes((livescribe_dir / "3-dots.pdf").read_bytes())
    assert detect(renamed) is FORMAT and detect(livescribe_dir / "3-dots.pdf") is FORMAT


# ---- not a pencast, damaged pencasts ------------------------------------------------------------


def test_a_plain_pdf_is_not_a_pencast(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(tmp_path / "plain.pdf")
    with pytest.raises(NotAPencastError) as error:
        read_notebook(tmp_path / "plain.pdf")
    assert error.value.problem == "this PDF was not written by Livescribe: it has no pencast data"


@pytest.mark.parametrize(
    ("edit", "error"),
    [
        (lambda pdf: pdf.Root.Livescribe_Metadata.__delitem__("/Livescribe_InkML"), CorruptFileError),
        (lambda pdf: pdf.Root.__delitem__("/Livescribe_Metadata"), NotAPencastError),
        (lambda pdf: pdf.Root.__setitem__("/Livescribe_Metadata", 7), CorruptFileError),
        (
            lambda pdf: pdf.Root.Livescribe_Metadata.Livescribe_InkML.write(
                b"not deflated", filter=pikepdf.Name.FlateDecode
            ),
            CorruptFileError,
        ),
        (
            lambda pdf: pdf.Root.Livescribe_Metadata.Livescribe_InkML.write(b"<ink><traceGroup"),
            CorruptFileError,
        ),
    ],
    ids=["no-inkml", "no-metadata", "metadata-not-dict", "bad-deflate", "bad-xml"],
)
def test_metadata_removed_or_broken(livescribe_dir: Path, tmp_path: Path, edit, error) -> None:  # type: ignore[no-untyped-def]
    broken = edited_copy(livescribe_dir / "3-dots.pdf", tmp_path / "broken.pdf", edit)
    with pytest.raises(error):
        read(broken)


@pytest.mark.parametrize("name", FIGURES)
def test_damaged_copies_raise_only_format_errors(livescribe_dir: Path, tmp_path: Path, name: str) -> None:
    data = (livescribe_dir / name).read_bytes()
    rng = random.Random(name)
    copies = [data[: int(len(data) * f)] for f in (0.0, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.999)]
    for _ in range(25):
        flipped = bytearray(data)
        at = rng.randrange(len(data))
        for i in range(at, min(at + rng.choice((1, 8, 200)), len(data))):
            flipped[i] ^= rng.randrange(1, 256)
        copies.append(bytes(flipped))
    outcomes = set()
    for k, copy in enumerate(copies):
        path = tmp_path / f"{k}.pdf"
        path.write_bytes(copy)
        try:
            outcomes.add(type(read(path)).__name__)
        except FormatError as e:
            assert str(e).startswith(str(path)), e
            outcomes.add(type(e).__name__)
    assert "CorruptFileError" in outcomes  # the damage was noticed at least once


def test_truncated_pencast_says_damaged_not_foreign(livescribe_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes((livescribe_dir / "3-dots.pdf").read_bytes()[:1500])
    with pytest.raises(CorruptFileError, match="damaged"):
        read(path)


def test_repaired_pencast_warns(livescribe_dir: Path, tmp_path: Path) -> None:
    data = (livescribe_dir / "2-pages.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 2])  # catalog and ink survive, the audio does not
    notebook = read(path)
    assert notebook.n_points == 4_236
    assert notebook.recordings[0].files[0].store == AudioStore.MISSING
    assert any("damaged" in w for w in notebook.warnings)


# ---- generated pencasts -------------------------------------------------------------------------


def test_timestamp_chains_and_offsets(tmp_path: Path) -> None:
    stamps = (
        '<timestamp time="1000" xml:id="a"/><timestamp timestampRef="#a" timeOffset="500" xml:id="b"/>'
        '<timestamp timestampRef="#b" timeOffset="250" xml:id="c"/>'
    )
    traces = (
        '<trace contextRef="#c" timeOffset="100">100 200, 8 0, 0 -8</trace><trace contextRef="#a">5 5</trace>'
    )
    path = pencast_pdf(tmp_path / "p.pdf", inkml_document(trace_group(17, 2, stamps, traces)))
    first, second = read(path).pages[0].strokes
    assert np.allclose(first.xy_mm, np.array([[100, 200], [108, 200], [108, 192]]) * MM_PER_ANOTO)
    assert np.allclose(first.t_ms, 1850 + np.arange(3) * 1000 / 75)
    assert second.t_ms.tolist() == [1000.0]


def test_pages_sorted_by_number_with_their_backgrounds(tmp_path: Path) -> None:
    stamps = '<timestamp time="0" xml:id="t"/>'
    groups = trace_group(3000, 7, stamps, '<trace contextRef="#t">1 1</trace>') + trace_group(
        2000, 3, stamps, '<trace contextRef="#t">2 2</trace>'
    )
    metadata = (
        '<backgroundImage metadata_key="Livescribe_BgImage0.png" page_address="3000"/>'
        '<backgroundImage metadata_key="Livescribe_BgImage1.png" page_address="2000"/>'
    )
    images = {"Livescribe_BgImage0.png": PNG + b"seven", "Livescribe_BgImage1.png": PNG + b"three"}
    notebook = read(pencast_pdf(tmp_path / "p.pdf", inkml_document(groups, metadata), images=images))
    assert [p.label for p in notebook.pages] == ["3", "7"]
    assert [p.background.image.endswith(b"three") for p in notebook.pages] == [True, False]
    assert notebook.pages[0].address == "0.0.0.2000"


def test_session_files_play_back_to_back(livescribe_dir: Path, tmp_path: Path) -> None:
    """Two 7.488 s files recorded 20 s apart on the pen clock play as one 14.976 s
    recording; ink written in the pause maps to the end of the first file."""
    m4a = embedded_file_bytes(livescribe_dir / "3-dots.pdf", "Livescribe_Audio0.m4a")
    stamps = '<timestamp time="10000" xml:id="t"/>'
    traces = "".join(
        f'<trace contextRef="#t" timeOffset="{ms}">10 10, 1 1</trace>' for ms in (1000, 15000, 21000, 40000)
    )
    session = (
        '<audioSession created="1595858711651" start="10000" end="37488" id="1" name="Lecture">'
        '<audio_file end="37488" file_attachment_key="B.m4a" start="30000"/>'
        '<audio_file end="17488" file_attachment_key="A.m4a" start="10000"/>'
        '<audio_stroke page_address="5" start="10000" end="37488" offset="10000"/></audioSession>'
    )
    path = pencast_pdf(
        tmp_path / "p.pdf",
        inkml_document(trace_group(5, 1, stamps, traces), session),
        audio={"A.m4a": m4a, "B.m4a": m4a},
    )
    notebook = read(path)
    (recording,) = notebook.recordings
    assert [f.member for f in recording.files] == ["A.m4a", "B.m4a"]
    assert recording.duration_s == pytest.approx(14.976) and recording.n_frames == 2 * 119_808
    strokes = notebook.pages[0].strokes
    assert [s.recording for s in strokes] == [0, 0, 0, None]  # t = 11 s, 25 s, 31 s, 50 s
    timeline = Timeline(notebook)
    assert [timeline.stroke_position_s(s) for s in strokes[:3]] == pytest.approx([1.0, 7.488, 8.488])


def test_missing_audio_file_is_reported(tmp_path: Path) -> None:
    stamps = '<timestamp time="0" xml:id="t"/>'
    session = (
        '<audioSession start="0" end="5000" name="S">'
        '<audio_file end="5000" file_attachment_key="gone.m4a" start="0"/>'
        '<audio_stroke page_address="5" start="0" end="5000"/></audioSession>'
    )
    path = pencast_pdf(
        tmp_path / "p.pdf",
        inkml_document(
            trace_group(5, 1, stamps, '<trace contextRef="#t" timeOffset="10">1 1</trace>'), session
        ),
    )
    notebook = read(path)
    audio = notebook.recordings[0].files[0]
    assert (audio.store, audio.member, audio.clock_duration_ms) == (AudioStore.MISSING, "gone.m4a", 5000)
    assert notebook.pages[0].strokes[0].recording == 0
    assert any("gone.m4a" in w for w in notebook.warnings)


def test_damaged_embedded_audio_is_reported(tmp_path: Path) -> None:
    stamps = '<timestamp time="0" xml:id="t"/>'
    session = (
        '<audioSession start="0" end="5000" name="S">'
        '<audio_file end="5000" file_attachment_key="a.m4a" start="0"/></audioSession>'
    )
    document = inkml_document(trace_group(5, 1, stamps, '<trace contextRef="#t">1 1</trace>'), session)
    path = pencast_pdf(tmp_path / "p.pdf", document, audio={"a.m4a": b"junk" * 50})
    notebook = read(path)
    assert notebook.recordings[0].files[0].n_frames == 0
    assert any("damaged" in w for w in notebook.warnings)


BAD_INKML = {
    "doctype": '<?xml version="1.0"?><!DOCTYPE ink [<!ENTITY x "y">]><ink/>',
    "trace-not-pairs": one_trace_page('<trace contextRef="#t">1 2 3, 4</trace>'),
    "trace-float": one_trace_page('<trace contextRef="#t">1.5 2</trace>'),
    "huge-number": one_trace_page('<trace contextRef="#t">1 99999999999999999999</trace>'),
    "timestamp-loop": one_trace_page(
        '<trace contextRef="#t">1 2</trace>',
        stamps=('<timestamp timestampRef="#u" xml:id="t"/><timestamp timestampRef="#t" xml:id="u"/>'),
    ),
    "unknown-ref": one_trace_page('<trace contextRef="#x">1 2</trace>'),
    "no-time-ref": one_trace_page("<trace>1 2</trace>"),
    "bad-offset": one_trace_page('<trace contextRef="#t" timeOffset="soon">1 2</trace>'),
    "bad-address": one_trace_page('<trace contextRef="#t">1 2</trace>', address=-4),
    "no-pages": "",
}


@pytest.mark.parametrize("case", BAD_INKML)
def test_malformed_inkml_is_a_corrupt_file(tmp_path: Path, case: str) -> None:
    text = BAD_INKML[case] if case == "doctype" else inkml_document(BAD_INKML[case])
    path = pencast_pdf(tmp_path / "p.pdf", text)
    with pytest.raises(CorruptFileError) as error:
        read(path)
    assert str(error.value).startswith(str(path))


def test_a_flate_bomb_with_decode_parms_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    """Issue 10: Flate with DecodeParms skipped the size-limited inflate (9 s, 2.5 GB).
    Read again in a process whose address space may grow by 300 MB only."""
    import os
    import subprocess
    import sys

    deflate = zlib.compressobj(9)
    zeros = bytes(1 << 20)
    bomb = b"".join(deflate.compress(zeros) for _ in range(1024)) + deflate.flush()  # 1 GiB inflated
    path = pencast_pdf(tmp_path / "bomb.pdf", "<ink/>")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        stream = pdf.Root.Livescribe_Metadata.Livescribe_InkML
        stream.write(bomb, filter=pikepdf.Name.FlateDecode, decode_parms=pikepdf.Dictionary(Predictor=1))
        pdf.save(path)
    with pytest.raises(TooLargeError, match="larger than"):
        read(path)
    code = (
        "import resource, sys\n"
        "from pencastviewer.formats import FormatError, read_notebook\n"
        "with open('/proc/self/statm') as f: vm = int(f.read().split()[0]) * 4096\n"
        "resource.setrlimit(resource.RLIMIT_AS, (vm + 300 * 2**20,) * 2)\n"
        "try: read_notebook(sys.argv[1])\n"
        "except FormatError as e: print(e)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env)
    assert "is larger than 268435456 bytes" in done.stdout, done.stdout + done.stderr


def test_flate_with_a_predictor_still_reads(tmp_path: Path) -> None:
    path = pencast_pdf(
        tmp_path / "p.pdf", inkml_document(one_trace_page('<trace contextRef="#t">10 10, 1 1</trace>'))
    )
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        stream = pdf.Root.Livescribe_Metadata.Livescribe_InkML
        data = stream.read_bytes()
        stream.write(
            zlib.compress(data), filter=pikepdf.Name.FlateDecode, decode_parms=pikepdf.Dictionary(Predictor=1)
        )
        pdf.save(path)
    assert read(path).n_strokes == 1
