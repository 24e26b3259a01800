"""The .pencast format: exact round trips, refusal of malformed files, atomic saving."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import struct
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pencastviewer.formats import FormatError, NotAPencastError, detect, read_notebook
from pencastviewer.formats.audio_source import audio_bytes
from pencastviewer.formats.pencast import WriteCancelled, read_pencast, sniff_pencast, write_pencast
from pencastviewer.formats.pencast.layout import STROKE_DTYPE, section_offsets
from pencastviewer.model import (
    CAPS,
    AudioFile,
    AudioStore,
    Background,
    BackgroundKind,
    Notebook,
    Page,
    PageImage,
    PageText,
    Recording,
    Ruling,
    Stroke,
    Tool,
)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))
PDF = b"%PDF-1.4\n% not a real document, the format stores bytes as they are\n%%EOF\n"

# --- strategies: arbitrary notebooks ---------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False)
non_negative = st.floats(min_value=0.0, allow_infinity=False)
positive = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False)
colors = st.tuples(*[st.integers(0, 255)] * 4)
rects = st.tuples(finite, finite, finite, finite)
texts = st.text(max_size=30)
zones = st.builds(lambda minutes: dt.timezone(dt.timedelta(minutes=minutes)), st.integers(-23 * 60, 23 * 60))
moments = st.none() | st.datetimes(timezones=zones) | st.datetimes()


def draw_stroke(draw: Callable, n_recordings: int) -> Stroke:
    n = draw(st.integers(1, 12))
    widths = draw(st.none() | hnp.arrays(np.float64, n, elements=finite))
    return Stroke(
        xy_mm=draw(hnp.arrays(np.float64, (n, 2), elements=finite)),
        t_ms=draw(hnp.arrays(np.float64, n, elements=finite)),
        width_mm=draw(finite),
        color=draw(colors),
        tool=draw(st.sampled_from(Tool)),
        recording=draw(st.none() | st.integers(0, n_recordings - 1)) if n_recordings else None,
        widths_mm=widths,
        fill_alpha=draw(st.none() | st.integers(0, 255)),
        cap=draw(st.sampled_from(CAPS)),
        # a few shared patterns, so pages have dash tables with repeats
        dash_mm=draw(st.sampled_from([(), (1.5, 0.75)]) | st.lists(non_negative, max_size=5).map(tuple)),
    )


rulings = st.builds(
    Ruling,
    texts,
    finite,
    colors,
    finite,
    colors,
    finite,
    st.none() | finite,
    finite,
    st.booleans(),
    finite,
    finite,
    finite,
)


def draw_background(draw: Callable, folder: Path) -> Background | None:
    ruling = draw(st.none() | rulings)
    kind = draw(st.sampled_from([None, *BackgroundKind]))
    if kind is None:
        return None
    if kind == BackgroundKind.SOLID:
        return Background(color=draw(colors), ruling=ruling)
    if kind == BackgroundKind.IMAGE:
        image = draw(st.sampled_from([PNG, b"\xff\xd8\xff" + bytes(9)]))
        return Background(kind, draw(colors), ruling, image=image, image_rect_mm=draw(st.none() | rects))
    if draw(st.booleans()):  # a PDF on disk, embedded when saved
        pdf = folder / "background.pdf"
        pdf.write_bytes(PDF)
        return Background(kind, pdf_path=str(pdf), pdf_page=draw(st.integers(0, 50)))
    return Background(kind, pdf_data=PDF + draw(st.binary(max_size=8)), pdf_page=draw(st.integers(0, 50)))


def draw_page(draw: Callable, n_recordings: int, folder: Path) -> Page:
    text_recording = st.none() | st.integers(0, n_recordings - 1) if n_recordings else st.none()
    page_texts = st.builds(
        PageText, texts, finite, finite, texts, finite, colors, st.none() | finite, text_recording
    )
    return Page(
        width_mm=draw(positive),
        height_mm=draw(positive),
        strokes=tuple(draw_stroke(draw, n_recordings) for _ in range(draw(st.integers(0, 5)))),
        label=draw(texts),
        background=draw_background(draw, folder),
        texts=tuple(draw(st.lists(page_texts, max_size=2))),
        images=tuple(draw(st.lists(st.builds(PageImage, st.binary(max_size=20), rects), max_size=2))),
        address=draw(texts),
    )


def draw_audio(draw: Callable, folder: Path, name: str) -> AudioFile:
    kind = draw(st.sampled_from(["wav", "bytes", "missing"]))
    timing = dict(clock_start_ms=draw(finite), clock_duration_ms=draw(st.floats(0, 1e9)))
    if kind == "missing":
        return AudioFile(AudioStore.MISSING, f"{name}.ogg", "vorbis", 48000, 1, 0, **timing)
    if kind == "wav":
        path = folder / f"{name}.wav"
        soundfile.write(path, np.linspace(-0.5, 0.5, 64), 8000, subtype="PCM_16")
        return AudioFile(AudioStore.FILE, str(path), "pcm_s16le", 8000, 1, 64, **timing)
    path = folder / f"{name}.m4a"
    path.write_bytes(draw(st.binary(min_size=1, max_size=64)))
    return AudioFile(AudioStore.FILE, str(path), "aac", 16000, 1, draw(st.integers(0, 10**9)), **timing)


def draw_notebook(draw: Callable, folder: Path) -> Notebook:
    recordings = [
        Recording(
            name=draw(texts),
            files=tuple(draw_audio(draw, folder, f"r{r}f{f}") for f in range(draw(st.integers(1, 3)))),
            created=draw(moments),
        )
        for r in range(draw(st.integers(0, 2)))
    ]
    return Notebook(
        pages=tuple(draw_page(draw, len(recordings), folder) for _ in range(draw(st.integers(1, 3)))),
        recordings=tuple(recordings),
        title=draw(texts),
        source_format=draw(st.sampled_from(["pencast", "livescribe-pdf", "xournalpp", "inkml"])),
        created=draw(moments),
        warnings=tuple(draw(st.lists(texts, max_size=3))),
    )


# --- comparing ------------------------------------------------------------------------


def embedded(background: Background | None) -> Background | None:
    """What a background reads back as: a PDF on disk comes back as the PDF's bytes."""
    if background is None or background.pdf_data or not background.pdf_path:
        return dataclasses.replace(background, pdf_path=None) if background else None
    return dataclasses.replace(background, pdf_path=None, pdf_data=Path(background.pdf_path).read_bytes())


def assert_same_strokes(got: tuple[Stroke, ...], want: tuple[Stroke, ...]) -> None:
    assert got == want
    for a, b in zip(got, want, strict=True):  # bit for bit, so -0.0 and NaN payloads would show
        assert a.xy_mm.tobytes() == b.xy_mm.tobytes() and a.t_ms.tobytes() == b.t_ms.tobytes()
        assert a.xy_mm.dtype == np.float64 and a.xy_mm.shape == b.xy_mm.shape
        assert type(a.tool) is Tool and isinstance(a.width_mm, float)
        assert not a.xy_mm.flags.writeable


def assert_same_notebook(got: Notebook, want: Notebook, path: Path) -> None:
    assert (got.title, got.source_format, got.warnings) == (want.title, want.source_format, want.warnings)
    assert got.created == want.created
    assert (got.created and got.created.utcoffset()) == (want.created and want.created.utcoffset())
    assert len(got.pages) == len(want.pages)
    for g, w in zip(got.pages, want.pages, strict=True):
        assert (g.width_mm, g.height_mm, g.label, g.address) == (w.width_mm, w.height_mm, w.label, w.address)
        assert_same_strokes(g.strokes, w.strokes)
        assert g.background == embedded(w.background)
        assert g.texts == w.texts and g.images == w.images
    assert len(got.recordings) == len(want.recordings)
    for g, w in zip(got.recordings, want.recordings, strict=True):
        assert (g.name, g.created) == (w.name, w.created)
        assert len(g.files) == len(w.files)
        for gf, wf in zip(g.files, w.files, strict=True):
            fields = ("codec", "sample_rate", "channels", "n_frames", "clock_start_ms", "clock_duration_ms")
            assert [getattr(gf, f) for f in fields] == [getattr(wf, f) for f in fields]
            if wf.store == AudioStore.MISSING:
                assert (gf.store, gf.member) == (AudioStore.MISSING, wf.member)
            else:
                assert (gf.store, gf.container) == (AudioStore.ZIP, str(path.absolute()))
                assert audio_bytes(gf) == audio_bytes(wf)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(data=st.data())
def test_any_notebook_round_trips_exactly(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        notebook = draw_notebook(data.draw, folder)
        path = folder / "out.pencast"
        write_pencast(notebook, path)
        assert_same_notebook(read_pencast(path), notebook, path)
        assert detect(path).name == "pencast"


def test_offset_in_seconds_keeps_the_instant(tmp_path: Path) -> None:
    created = dt.datetime(
        1900, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(minutes=9, seconds=21))
    )  # Paris LMT
    write_pencast(Notebook((Page(1.0, 1.0),), created=created), tmp_path / "lmt.pencast")
    back = read_pencast(tmp_path / "lmt.pencast").created
    assert back == created and back.utcoffset() == dt.timedelta(0)


# --- small factories for the other tests ----------------------------------------------


def small_notebook(folder: Path, *, n_strokes: int = 3) -> Notebook:
    audio = folder / "talk.m4a"
    audio.write_bytes(b"\x00\x00\x00\x18ftypM4A " + bytes(200))
    recording = Recording("talk", (AudioFile(AudioStore.FILE, str(audio), "aac", 16000, 1, 160, 0.0, 10.0),))
    strokes = tuple(
        Stroke([[k, k + 1.0], [k + 2.0, k + 3.0]], [k * 10.0, k * 10.0 + 5], recording=0)
        for k in range(n_strokes)
    )
    page = Page(210.0, 297.0, strokes, background=Background(BackgroundKind.PDF, pdf_data=PDF))
    return Notebook((page, page), (recording,), title="small")


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "nb.pencast"
    write_pencast(small_notebook(tmp_path), path)
    return path


def rewrite(path: Path, edit: Callable[[dict[str, bytes]], None], *, name: str = "bad.pencast") -> Path:
    """A copy of the archive with its members changed by `edit` (name -> bytes)."""
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    edit(members)
    out = path.with_name(name)
    with zipfile.ZipFile(out, "w") as archive:
        for n, data in members.items():
            archive.writestr(n, data, zipfile.ZIP_STORED if n == "mimetype" else zipfile.ZIP_DEFLATED)
    return out


def edit_manifest(change: Callable[[dict], None]) -> Callable[[dict[str, bytes]], None]:
    def edit(members: dict[str, bytes]) -> None:
        manifest = json.loads(members["manifest.json"])
        change(manifest)
        members["manifest.json"] = json.dumps(manifest).encode()

    return edit


def edit_table(change: Callable[[np.ndarray], None]) -> Callable[[dict[str, bytes]], None]:
    """Change the stroke table of page 0 in place (3 strokes, 6 points)."""

    def edit(members: dict[str, bytes]) -> None:
        data = bytearray(members["pages/0000/strokes.bin"])
        table = np.frombuffer(data, STROKE_DTYPE, 3, section_offsets(3, 6)[0])
        change(table)
        members["pages/0000/strokes.bin"] = bytes(data)

    return edit


def read_error(path: Path) -> str:
    with pytest.raises(FormatError) as info:
        read_pencast(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    return message


# --- what the file holds ----------------------------------------------------------------


def test_mimetype_first_and_stored_audio_copied_not_recompressed(saved: Path) -> None:
    with zipfile.ZipFile(saved) as archive:
        infos = archive.infolist()
        assert (infos[0].filename, infos[0].compress_type) == ("mimetype", zipfile.ZIP_STORED)
        assert archive.read("mimetype") == b"application/x-pencastviewer"
        audio = archive.getinfo("audio/0-0.m4a")
        assert audio.compress_type == zipfile.ZIP_STORED
        assert archive.read(audio) == (saved.parent / "talk.m4a").read_bytes()
        pdfs = [n for n in archive.namelist() if n.startswith("backgrounds/")]
        assert len(pdfs) == 1  # two pages share one PDF, stored once
        manifest = json.loads(archive.read("manifest.json"))
    assert (manifest["format"], manifest["version"]) == ("pencast", 1)
    assert manifest["pages"][0]["strokes"] == {
        "member": "pages/0000/strokes.bin",
        "n_strokes": 3,
        "n_points": 6,
        "has_widths": False,
    }
    notebook = read_pencast(saved)
    assert notebook.pages[0].background.pdf_data is notebook.pages[1].background.pdf_data


def test_same_notebook_gives_same_bytes_and_progress_counts_up(tmp_path: Path) -> None:
    notebook = small_notebook(tmp_path)
    calls: list[tuple[int, int]] = []
    write_pencast(
        notebook, tmp_path / "a.pencast", progress=lambda done, total: calls.append((done, total)) or True
    )
    write_pencast(notebook, tmp_path / "b.pencast")
    assert (tmp_path / "a.pencast").read_bytes() == (tmp_path / "b.pencast").read_bytes()
    total = calls[0][1]
    assert calls == [(done, total) for done in range(total + 1)]
    assert total == 6  # mimetype, manifest, audio, PDF, two strokes members


def test_notebook_made_here_reads_as_pencast_and_is_found_by_the_registry(tmp_path: Path) -> None:
    path = tmp_path / "plain.pencast"
    write_pencast(Notebook((Page(100.0, 50.0),)), path)
    notebook = read_notebook(path)
    assert notebook.source_format == "pencast"
    assert notebook.pages == (Page(100.0, 50.0),)


def test_sniff_needs_the_mimetype_or_a_pencast_manifest(saved: Path, tmp_path: Path) -> None:
    assert sniff_pencast(saved.read_bytes()[:4096], saved)
    xopp = tmp_path / "x.xopp"
    with zipfile.ZipFile(xopp, "w") as archive:
        archive.writestr("mimetype", "application/xournal++")
        archive.writestr("content.xml", "<xournal/>")
    assert not sniff_pencast(xopp.read_bytes(), xopp)
    repacked = rewrite(saved, lambda members: members.pop("mimetype"), name="repacked.zip")
    assert sniff_pencast(repacked.read_bytes()[:4096], repacked)
    assert detect(repacked).name == "pencast"
    assert read_pencast(repacked).title == "small"


# --- malformed files ----------------------------------------------------------------------


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "text.pencast"
    path.write_bytes(b"just some text, not an archive")
    assert "not a valid ZIP archive" in read_error(path)


def test_truncated_archive(saved: Path) -> None:
    path = saved.with_name("truncated.pencast")
    path.write_bytes(saved.read_bytes()[: saved.stat().st_size // 2])
    assert "not a valid ZIP archive" in read_error(path)


def test_flipped_bytes_in_the_stroke_data(saved: Path) -> None:
    data = bytearray(saved.read_bytes())
    with zipfile.ZipFile(saved) as archive:
        info = archive.getinfo("pages/0000/strokes.bin")
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    for k in range(start + 4, start + info.compress_size - 4):
        data[k] ^= 0x5A
    path = saved.with_name("flipped.pencast")
    path.write_bytes(bytes(data))
    message = read_error(path)
    assert "'pages/0000/strokes.bin' is damaged" in message


@settings(max_examples=150, deadline=None)
@given(offset=st.integers(0, 10**6), value=st.integers(1, 255))
def test_any_flipped_byte_gives_a_format_error_or_a_notebook(offset: int, value: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        good = Path(tmp) / "good.pencast"
        write_pencast(small_notebook(Path(tmp)), good)
        data = bytearray(good.read_bytes())
        data[offset % len(data)] ^= value
        good.write_bytes(bytes(data))
        try:
            notebook = read_pencast(good)
        except FormatError as e:
            assert str(e).startswith(str(good))
        else:
            assert len(notebook.pages) == 2


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=8,
)


def json_paths(value: object, path: tuple = ()) -> list[tuple]:
    """Every place in a JSON document, as a path of keys and indices."""
    places = [path]
    children = (
        value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    )
    for key, child in children:
        places += json_paths(child, (*path, key))
    return places


def read_or_refuse(path: Path) -> None:
    """Untrusted input gives a notebook or a FormatError naming the file, nothing else."""
    try:
        read_pencast(path)
    except FormatError as e:
        assert str(e).startswith(f"{path}: ")


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_manifest_value_replaced_gives_a_format_error_or_a_notebook(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        good = Path(tmp) / "good.pencast"
        styled = data.draw(st.booleans())
        write_pencast(styled_notebook() if styled else small_notebook(Path(tmp)), good)
        manifest = json.loads(zipfile.ZipFile(good).read("manifest.json"))
        place = data.draw(st.sampled_from([p for p in json_paths(manifest) if p]))
        parent = manifest
        for key in place[:-1]:
            parent = parent[key]
        parent[place[-1]] = data.draw(json_values)
        read_or_refuse(rewrite(good, lambda m: m.update({"manifest.json": json.dumps(manifest).encode()})))


@settings(max_examples=300, deadline=None)
@given(
    member=st.sampled_from(["manifest.json", "pages/0000/strokes.bin"]),
    offset=st.integers(0, 10**4),
    value=st.integers(1, 255),
    styled=st.booleans(),
)
def test_any_byte_changed_inside_a_member_gives_a_format_error_or_a_notebook(
    member: str, offset: int, value: int, styled: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        good = Path(tmp) / "good.pencast"
        write_pencast(styled_notebook() if styled else small_notebook(Path(tmp)), good)

        def flip(members: dict[str, bytes]) -> None:
            data = bytearray(members[member])
            data[offset % len(data)] ^= value
            members[member] = bytes(data)

        read_or_refuse(rewrite(good, flip))


def test_manifest_not_json(saved: Path) -> None:
    path = rewrite(saved, lambda m: m.update({"manifest.json": b'{"format": "pencast", "version": 1,'}))
    message = read_error(path)
    assert "manifest is not valid JSON" in message and "manifest.json line 1" in message


def test_missing_manifest(saved: Path) -> None:
    path = rewrite(saved, lambda m: m.pop("manifest.json"))
    with pytest.raises(NotAPencastError, match=r"no manifest\.json in the archive"):
        read_pencast(path)


def test_newer_version(saved: Path) -> None:
    path = rewrite(saved, edit_manifest(lambda m: m.update(version=4)))
    assert "written by a newer pencastviewer (version 4)" in read_error(path)


# --- version 2: stroke fill, cap and dash ------------------------------------------------


def styled_notebook() -> Notebook:
    """One page: a filled butt-capped stroke, two strokes sharing a dash, one plain."""
    xy, t = [[0.0, 0.0], [5.0, 1.0], [2.0, 4.0]], [0.0, 1.0, 2.0]
    strokes = (
        Stroke(xy, t, fill_alpha=128, cap="butt"),
        Stroke(xy, t, dash_mm=(2.1, 1.05)),
        Stroke(xy, t, cap="square", dash_mm=(2.1, 1.05)),
        Stroke(xy, t, dash_mm=(0.2, 1.0, 0.5)),
        Stroke(xy, t, fill_alpha=0),
    )
    return Notebook((Page(50.0, 50.0, strokes), Page(50.0, 50.0, strokes[:1])))


def test_styled_strokes_make_version_2_with_a_dash_table_per_page(tmp_path: Path) -> None:
    path = tmp_path / "styled.pencast"
    write_pencast(styled_notebook(), path)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        data = archive.read("pages/0000/strokes.bin")
    assert manifest["version"] == 2
    assert manifest["pages"][0]["strokes"]["dashes"] == [[2.1, 1.05], [0.2, 1.0, 0.5]]
    assert "dashes" not in manifest["pages"][1]["strokes"]
    table = np.frombuffer(data, STROKE_DTYPE, 5, section_offsets(5, 15)[0])
    assert table["dash"].tolist() == [0, 1, 1, 2, 0]
    assert table["cap"].tolist() == [1, 0, 2, 0, 0]
    assert table["fill_alpha"].tolist() == [128, 0, 0, 0, 0]
    assert table["flags"].tolist() == [2, 0, 0, 0, 2]
    back = read_pencast(path)
    assert_same_strokes(back.pages[0].strokes, styled_notebook().pages[0].strokes)
    assert back.pages[0].strokes[4].fill_alpha == 0  # filled but transparent is not "not filled"


def test_plain_notebooks_stay_version_1_and_old_files_read(saved: Path) -> None:
    with zipfile.ZipFile(saved) as archive:
        assert json.loads(archive.read("manifest.json"))["version"] == 1
    strokes = read_pencast(saved).pages[0].strokes
    assert [(s.fill_alpha, s.cap, s.dash_mm) for s in strokes] == [(None, "round", ())] * 3


def test_version_1_keeps_the_style_bytes_reserved(saved: Path) -> None:
    path = rewrite(saved, edit_table(lambda table: table["cap"].__setitem__(1, 1)))
    assert "stroke 1 has non-zero reserved bytes" in read_error(path)
    path = rewrite(saved, edit_table(lambda table: table["flags"].__setitem__(2, 2)), name="f.pencast")
    assert "stroke 2 has unknown flags" in read_error(path)


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("cap", 3, "stroke 1 has an unknown cap"),
        ("dash", 2, "stroke 1 names a dash pattern out of range (the page has 0)"),
        ("fill_alpha", 7, "stroke 1 has a fill opacity but no fill flag"),
    ],
)
def test_version_2_style_fields_are_checked(saved: Path, field: str, value: int, problem: str) -> None:
    def edit(members: dict[str, bytes]) -> None:
        edit_manifest(lambda m: m.update(version=2))(members)
        edit_table(lambda table: table[field].__setitem__(1, value))(members)

    assert problem in read_error(rewrite(saved, edit))


def test_bad_dash_table_names_the_field(tmp_path: Path) -> None:
    good = tmp_path / "styled.pencast"
    write_pencast(styled_notebook(), good)
    path = rewrite(good, edit_manifest(lambda m: m["pages"][0]["strokes"]["dashes"][1].__setitem__(0, -1)))
    assert "pages[0].strokes.dashes[1][0] is -1.0, must be at least 0.0" in read_error(path)


def test_wrong_type_names_the_field(saved: Path) -> None:
    path = rewrite(saved, edit_manifest(lambda m: m["pages"][1].update(width_mm="wide")))
    assert "manifest field pages[1].width_mm must be a number, not a string (at manifest.json)" in read_error(
        path
    )


def test_stroke_member_of_wrong_size(saved: Path) -> None:
    path = rewrite(saved, lambda m: m.update({"pages/0001/strokes.bin": m["pages/0001/strokes.bin"][:-8]}))
    message = read_error(path)
    assert "stroke data is 256 bytes, but 3 strokes and 6 points without widths take 264" in message
    assert "(at pages/0001/strokes.bin)" in message


def test_counts_that_lie_allocate_nothing(saved: Path) -> None:
    path = rewrite(saved, edit_manifest(lambda m: m["pages"][0]["strokes"].update(n_points=2**32 - 1)))
    assert "stroke data is 264 bytes, but 3 strokes and 4294967295 points" in read_error(path)


def test_point_range_out_of_bounds(saved: Path) -> None:
    path = rewrite(saved, edit_table(lambda table: table["n_points"].__setitem__(2, 9)))
    message = read_error(path)
    assert "stroke 2 point range is out of bounds (6 points)" in message
    assert "(at pages/0000/strokes.bin, stroke 2)" in message


def test_recording_index_out_of_range(saved: Path) -> None:
    path = rewrite(saved, edit_table(lambda table: table["recording"].__setitem__(1, 1)))
    message = read_error(path)
    assert "stroke 1 names a recording out of range (the notebook has 1)" in message


def test_non_finite_coordinate(saved: Path) -> None:
    def poison(members: dict[str, bytes]) -> None:
        data = bytearray(members["pages/0000/strokes.bin"])
        struct.pack_into("<d", data, section_offsets(3, 6)[1] + 8 * 5, float("nan"))  # point 2, y
        members["pages/0000/strokes.bin"] = bytes(data)

    message = read_error(rewrite(saved, poison))
    assert "point 2 has a non-finite coordinate" in message and "stroke 1" in message


def test_member_escaping_the_archive(saved: Path) -> None:
    path = rewrite(saved, lambda m: m.update({"../x": b"outside"}))
    assert "archive entry '../x' points outside the archive" in read_error(path)
    path = rewrite(
        saved, edit_manifest(lambda m: m["pages"][0]["strokes"].update(member="../x")), name="b2.pencast"
    )
    assert "pages[0].strokes.member names '../x', which points outside the archive" in read_error(path)


def test_reference_to_a_missing_member(saved: Path) -> None:
    path = rewrite(saved, lambda m: m.pop("audio/0-0.m4a"))
    assert "recordings[0].files[0].member names 'audio/0-0.m4a', which is not in the archive" in read_error(
        path
    )


# --- atomic saving ----------------------------------------------------------------------


def test_cancel_leaves_the_target_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out" / "nb.pencast"
    target.parent.mkdir()
    target.write_bytes(b"the previous version")
    with pytest.raises(WriteCancelled, match="cancelled"):
        write_pencast(small_notebook(tmp_path), target, progress=lambda done, total: done < 3)
    assert target.read_bytes() == b"the previous version"
    assert os.listdir(target.parent) == ["nb.pencast"]


def test_failure_leaves_the_target_untouched(tmp_path: Path) -> None:
    notebook = small_notebook(tmp_path)
    target = tmp_path / "out" / "nb.pencast"
    target.parent.mkdir()
    write_pencast(notebook, target)
    before = target.read_bytes()
    (tmp_path / "talk.m4a").unlink()  # the audio went away between opening and saving
    with pytest.raises(FormatError, match="cannot read the recording"):
        write_pencast(notebook, target)
    assert target.read_bytes() == before
    assert os.listdir(target.parent) == ["nb.pencast"]


def test_resaving_over_itself_keeps_the_audio(saved: Path) -> None:
    notebook = read_pencast(saved)  # its audio lives inside the file being replaced
    write_pencast(notebook, saved)
    again = read_pencast(saved)
    assert audio_bytes(again.recordings[0].files[0]) == (saved.parent / "talk.m4a").read_bytes()


def test_values_a_reader_would_refuse_are_not_written(tmp_path: Path) -> None:
    page = Page(10.0, 10.0, (Stroke([[0.0, float("inf")]], [0.0]),))
    with pytest.raises(FormatError, match="non-finite"):
        write_pencast(Notebook((page,)), tmp_path / "inf.pencast")
    assert not list(tmp_path.iterdir())
    with pytest.raises(FormatError, match="cannot save"):
        write_pencast(Notebook((Page(10.0, float("inf")),)), tmp_path / "inf.pencast")
