"""The Livescribe pen archive reader on the real archive and on generated, broken and Paper Replay ones."""

from __future__ import annotations

import io
import random
import shutil
import zipfile
from pathlib import Path

import av
import numpy as np
import pytest
from support.stf_encoder import PenStroke, encode_stf

from pencastviewer.formats import FormatError, NotAPencastError, ReadOptions, detect
from pencastviewer.formats.anoto import parse_page_address
from pencastviewer.formats.livescribe.archive import FORMAT, read_livescribe_archive
from pencastviewer.formats.registry import read_notebook
from pencastviewer.media.adts import probe_adts
from pencastviewer.model import AudioStore, BackgroundKind, Timeline
from pencastviewer.model.units import MM_PER_ANOTO

ARCHIVE = "notebook-archive-testing.zip"
STF_MEMBER = "data/2208.1.12.19/AYE-APD-UKB-HE/0x00000000-0x006bb87b.stf"
FIRST_STROKE_MS = 7_059_567_802
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32  # enough for the reader, which only passes it on
PEN = "AYE-APD-UKB-HE"
START = "2208.1.12.18"
SESSION = "userdata/AYE-APD-UKB-HE/Paper Replay/0/1/sessions/PRS-1a2b"
INFO_MAGIC = b"\xfa\xce\x03\x00\x00\x00\x00\x00"


def read(path: Path, options: ReadOptions | None = None):
    """The reader itself, not through the registry (which would wrap stray exceptions)."""
    return read_livescribe_archive(path, options or ReadOptions())


# ---- factories --------------------------------------------------------------------------------


def document(n_pages: int, width: int = 4963, height: int = 6278) -> bytes:
    pages = "".join(
        f'<page basepath="pages/{i % 2}" areasfile_ref="page.areas" gfxfile_ref="page.gfx" '
        f'width="{width}" height="{height}" haspattern="1"/>'
        for i in range(n_pages)
    )
    return f'<document version="1.0" pattern_ref="main.pattern">{pages}</document>'.encode()


def gfx(stem: str) -> bytes:
    image = f'<image elemid="0x2" x="0" y="0" width="4962" height="6276" src="pages/resources/{stem}.eps"/>'
    return f'<graphics version="1.0"><setbase elemid="0x0" scale="au">{image}</setbase></graphics>'.encode()


def notebook_members(n_pages: int = 4) -> dict[str, bytes]:
    return {
        "main.info": f"title: Generated\nguid: 0x1\npagestart: {START}\npagestop: 2208.1.13.18\n".encode(),
        "main.document": document(n_pages),
        "pages/0/page.gfx": gfx("Left"),
        "pages/1/page.gfx": gfx("Right"),
        "userdata/lsac_data/Left.png": PNG + b"left",
        "userdata/lsac_data/Right.png": PNG + b"right",
    }


def stroke(start_ms: int, x0: int = 1000, n: int = 5) -> PenStroke:
    return PenStroke(
        start_ms,
        [x0 + 10 * i for i in range(n)],
        [800 + 3 * i for i in range(n)],
        [30] * (n - 1) + [0],
        list(range(n)),
    )


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def adts_audio(seconds: float, sample_rate: int = 16000) -> bytes:
    """A real ADTS AAC file made by FFmpeg's encoder."""
    buffer = io.BytesIO()
    samples = 0.3 * np.sin(np.arange(int(seconds * sample_rate)) * 2 * np.pi * 440 / sample_rate)
    with av.open(buffer, "w", format="adts") as out:
        stream = out.add_stream("aac", rate=sample_rate, layout="mono")
        for i in range(0, len(samples), 1024):
            frame = av.AudioFrame.from_ndarray(
                samples[i : i + 1024].astype(np.float32).reshape(1, -1), format="fltp", layout="mono"
            )
            frame.sample_rate, frame.pts = sample_rate, i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def session_members(
    start_ms: int,
    end_ms: int,
    pages: list[str],
    audio: bytes | None,
    folder: str = SESSION,
    magic: bytes = INFO_MAGIC,
) -> dict[str, bytes]:
    info = magic + start_ms.to_bytes(8, "big") + end_ms.to_bytes(8, "big") + bytes(8)
    listing = (
        b"\xca\xbe\x01\x00\x00"
        + bytes([len(pages)])
        + b"".join(parse_page_address(p).to_bytes(8, "big") + bytes(8) for p in pages)
    )
    members = {f"{folder}/session.info": info, f"{folder}/session.pages": listing}
    if audio is not None:
        members[f"{folder}/audio-0.aac"] = audio
    return members


@pytest.fixture(scope="module")
def audio_2s() -> bytes:
    return adts_audio(2.0)


def span_ms(audio: bytes) -> int:
    probe = probe_adts(audio)
    return round(probe.n_frames / probe.sample_rate * 1000)


# ---- the real archive ----------------------------------------------------------------------------


def test_fixture_is_detected(livescribe_dir: Path) -> None:
    assert detect(livescribe_dir / ARCHIVE).name == "livescribe-archive"


def test_fixture_page_and_ink(livescribe_dir: Path) -> None:
    notebook = read(livescribe_dir / ARCHIVE)
    assert notebook.warnings == ()
    assert notebook.title == "A5 Starter Notebook" and notebook.source_format == FORMAT.name
    assert len(notebook.pages) == 1  # 100 pages defined, ink on one
    page = notebook.pages[0]
    assert page.address == "2208.1.12.19" and page.label == "2"  # pagestart 2208.1.12.18 is page 1
    assert page.width_mm == pytest.approx(4963 * MM_PER_ANOTO)
    assert page.height_mm == pytest.approx(6278 * MM_PER_ANOTO)
    assert notebook.n_strokes == 15 and notebook.n_points == 385
    starts = [s.start_ms for s in page.strokes]
    assert starts[0] == FIRST_STROKE_MS
    assert (starts[1] - starts[0], starts[2] - starts[1]) == (338, 322)
    assert starts == sorted(starts)
    first = page.strokes[0]
    assert first.xy_mm[0].tolist() == pytest.approx([1010 * MM_PER_ANOTO, 789 * MM_PER_ANOTO])
    assert all(s.recording is None and s.width_mm == 0.35 for s in page.strokes)
    assert notebook.recordings == ()


def test_fixture_background_is_the_right_hand_png(livescribe_dir: Path) -> None:
    page = read(livescribe_dir / ARCHIVE).pages[0]
    with zipfile.ZipFile(livescribe_dir / ARCHIVE) as archive:
        right = archive.read("userdata/lsac_data/LS_StarterA5_Master_Right.png")
    assert page.background is not None and page.background.kind == BackgroundKind.IMAGE
    assert page.background.image == right and page.background.image_rect_mm is None


# ---- generated notebooks -------------------------------------------------------------------------


def test_several_stf_files_on_a_page_merge_by_time(tmp_path: Path) -> None:
    members = notebook_members()
    members[f"data/2208.1.12.20/{PEN}/a.stf"] = encode_stf([stroke(1000), stroke(3000)])
    members[f"data/2208.1.12.20/{PEN}/b.stf"] = encode_stf([stroke(2000, x0=2000), stroke(4000, x0=2000)])
    members[f"data/2208.1.12.18/{PEN}/c.stf"] = encode_stf([stroke(500)])
    notebook = read(write_zip(tmp_path / "nb.zip", members))
    assert [p.label for p in notebook.pages] == ["1", "3"]
    assert [p.background.image for p in notebook.pages] == [PNG + b"left", PNG + b"left"]  # pages/0 both
    assert [s.start_ms for s in notebook.pages[1].strokes] == [1000, 2000, 3000, 4000]
    assert notebook.pages[1].strokes[1].xy_mm[0, 0] == pytest.approx(2000 * MM_PER_ANOTO)
    assert notebook.warnings == ()


def test_ink_for_a_page_the_notebook_does_not_define(tmp_path: Path) -> None:
    members = notebook_members(n_pages=4)
    members[f"data/2208.1.12.19/{PEN}/a.stf"] = encode_stf([stroke(1000)])
    members[f"data/2208.1.12.40/{PEN}/b.stf"] = encode_stf([stroke(2000)])  # page 23 of a 4-page notebook
    notebook = read(write_zip(tmp_path / "nb.zip", members))
    assert [p.address for p in notebook.pages] == ["2208.1.12.19", "2208.1.12.40"]
    assert notebook.pages[1].label == "2208.1.12.40" and notebook.pages[1].background is None
    assert any("2208.1.12.40" in w and "does not define" in w for w in notebook.warnings)


def test_no_main_document_still_opens(tmp_path: Path) -> None:
    members = {f"data/2208.1.12.19/{PEN}/a.stf": encode_stf([stroke(1000)])}
    notebook = read(write_zip(tmp_path / "nb.zip", members))
    assert detect(tmp_path / "nb.zip").name == "livescribe-archive"
    assert notebook.n_strokes == 1 and notebook.pages[0].width_mm == pytest.approx(4963 * MM_PER_ANOTO)
    assert any("main.document" in w for w in notebook.warnings)


def test_no_ink_shows_the_first_page(tmp_path: Path) -> None:
    notebook = read(write_zip(tmp_path / "nb.zip", notebook_members()))
    assert [p.label for p in notebook.pages] == ["1"] and notebook.n_strokes == 0
    assert any("no ink" in w for w in notebook.warnings)


def test_damaged_stf_keeps_what_came_before(tmp_path: Path) -> None:
    members = notebook_members()
    data = encode_stf([stroke(1000), stroke(2000), stroke(3000)])
    members[f"data/2208.1.12.19/{PEN}/a.stf"] = data[:-6]
    members[f"data/2208.1.12.19/{PEN}/b.stf"] = b"garbage"
    notebook = read(write_zip(tmp_path / "nb.zip", members))
    assert [s.start_ms for s in notebook.pages[0].strokes] == [1000, 2000]
    assert any("a.stf" in w and "byte" in w and "kept the 2 strokes" in w for w in notebook.warnings)
    assert any("b.stf" in w and "not an Anoto STF" in w for w in notebook.warnings)


def test_not_a_livescribe_zip_is_not_sniffed(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "other.zip", {"readme.txt": b"hello", "data/x.stf.txt": b""})
    assert not FORMAT.sniff(path.read_bytes()[:4096], path)


# ---- Paper Replay --------------------------------------------------------------------------------


def test_paper_replay_in_the_same_archive(tmp_path: Path, audio_2s: bytes) -> None:
    start = 5_000_000
    end = start + span_ms(audio_2s)
    members = notebook_members()
    members[f"data/2208.1.12.19/{PEN}/a.stf"] = encode_stf(
        [stroke(start - 5000), stroke(start + 700), stroke(start + 1500), stroke(end + 10)]
    )
    members[f"data/2208.1.12.20/{PEN}/b.stf"] = encode_stf([stroke(start + 900)])  # a page not in the session
    members |= session_members(start, end, ["2208.1.12.19"], audio_2s)
    path = write_zip(tmp_path / "nb.zip", members)
    notebook = read(path)
    assert notebook.warnings == ()
    (recording,) = notebook.recordings
    audio = recording.files[0]
    assert audio.store == AudioStore.ZIP and audio.container == str(path)
    assert audio.member == f"{SESSION}/audio-0.aac" and audio.codec == "aac"
    assert (audio.sample_rate, audio.channels) == (16000, 1)
    with av.open(io.BytesIO(audio_2s)) as decoded:  # the frame count equals what FFmpeg decodes
        assert audio.n_frames == sum(frame.samples for frame in decoded.decode(audio=0))
    assert audio.n_frames >= 2 * 16000
    assert (audio.clock_start_ms, audio.clock_duration_ms) == (start, end - start)
    assert [s.recording for s in notebook.pages[0].strokes] == [None, 0, 0, None]
    assert notebook.pages[1].strokes[0].recording is None
    timeline = Timeline(notebook)
    strokes = notebook.pages[0].strokes
    assert timeline.stroke_position_s(strokes[1]) == pytest.approx(0.7)
    assert timeline.stroke_position_s(strokes[2], point=2) == pytest.approx(1.5 + 2 / 75, abs=1e-3)


def test_paper_replay_in_a_second_archive(tmp_path: Path, audio_2s: bytes) -> None:
    start = 9_000_000
    members = notebook_members()
    members[f"data/2208.1.12.21/{PEN}/a.stf"] = encode_stf([stroke(start + 1000)])
    notebook_path = write_zip(tmp_path / "nb.zip", members)
    audio_path = write_zip(
        tmp_path / "replay.zip", session_members(start, start + span_ms(audio_2s), ["2208.1.12.21"], audio_2s)
    )
    notebook = read(notebook_path, ReadOptions(audio_paths=(audio_path,)))
    assert notebook.recordings[0].files[0].container == str(audio_path)
    assert notebook.pages[0].strokes[0].recording == 0
    assert Timeline(notebook).stroke_position_s(notebook.pages[0].strokes[0]) == pytest.approx(1.0)
    # Opened on its own, the audio archive says what it is.
    with pytest.raises(NotAPencastError, match="Paper Replay"):
        read_notebook(audio_path)


def test_session_on_pages_outside_the_notebook_is_not_placed(tmp_path: Path, audio_2s: bytes) -> None:
    members = notebook_members()
    members[f"data/2208.1.12.19/{PEN}/a.stf"] = encode_stf([stroke(1500)])
    members |= session_members(1000, 1000 + span_ms(audio_2s), ["2300.2.3.4"], audio_2s)
    notebook = read(write_zip(tmp_path / "nb.zip", members))
    assert notebook.recordings == () and notebook.pages[0].strokes[0].recording is None
    assert any("2300.2.3.4" in w and "not placed" in w for w in notebook.warnings)


def test_several_audio_files_in_a_session_play_back_to_back_with_a_warning(
    tmp_path: Path, audio_2s: bytes
) -> None:
    start = 1000
    members = notebook_members()
    members[f"data/2208.1.12.19/{PEN}/a.stf"] = encode_stf([stroke(start + 100)])
    members |= session_members(start, start + 2 * span_ms(audio_2s), ["2208.1.12.19"], audio_2s)
    members[f"{SESSION}/audio-1.aac"] = audio_2s
    notebook = read(write_zip(tmp_path / "nb.zip", members))
    first, second = notebook.recordings[0].files
    assert (first.member.endswith("audio-0.aac"), second.member.endswith("audio-1.aac")) == (True, True)
    assert second.clock_start_ms == pytest.approx(first.clock_start_ms + first.clock_duration_ms)
    assert any("2 audio files but one start time" in w for w in notebook.warnings)


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        ("magic", "unknown header"),
        ("no audio", "no audio-N.aac"),
        ("no pages", "no session.pages"),
        ("short audio", "cut off"),
        ("not adts", "not ADTS"),
        ("longer span", "drift"),
    ],
)
def test_unplaceable_sessions_are_reported(tmp_path: Path, audio_2s: bytes, damage: str, said: str) -> None:
    members = notebook_members()
    members[f"data/2208.1.12.19/{PEN}/a.stf"] = encode_stf([stroke(1500)])
    end_ms = 1000 + span_ms(audio_2s) + (5000 if damage == "longer span" else 0)
    session = session_members(
        1000,
        end_ms,
        ["2208.1.12.19"],
        audio_2s,
        magic=b"\xfa\xce\x04" + bytes(5) if damage == "magic" else INFO_MAGIC,
    )
    if damage == "no audio":
        del session[f"{SESSION}/audio-0.aac"]
    elif damage == "no pages":
        del session[f"{SESSION}/session.pages"]
    elif damage == "short audio":
        session[f"{SESSION}/audio-0.aac"] = audio_2s[: len(audio_2s) // 2 + 3]
    elif damage == "not adts":
        session[f"{SESSION}/audio-0.aac"] = b"ID3" + bytes(100)
    notebook = read(write_zip(tmp_path / "nb.zip", members | session))
    assert any(said in w and "PRS-1a2b" in w for w in notebook.warnings), notebook.warnings
    if damage in ("magic", "no audio", "no pages"):
        assert notebook.recordings == () and any("not placed" in w for w in notebook.warnings)
    else:  # the audio is kept (it may still play), but the user is told what is wrong with it
        assert notebook.pages[0].strokes[0].recording == 0


# ---- corrupted copies of the real archive --------------------------------------------------------


def test_truncated_copies_fail_cleanly(livescribe_dir: Path, tmp_path: Path) -> None:
    data = (livescribe_dir / ARCHIVE).read_bytes()
    for size in (0, 10, 100, len(data) // 2, len(data) - 30, len(data) - 1):
        path = tmp_path / f"cut{size}.zip"
        path.write_bytes(data[:size])
        with pytest.raises(FormatError):
            read_notebook(path)


def test_flipped_bytes_fail_cleanly_or_open_with_warnings(livescribe_dir: Path, tmp_path: Path) -> None:
    data = (livescribe_dir / ARCHIVE).read_bytes()
    with zipfile.ZipFile(livescribe_dir / ARCHIVE) as archive:
        info = archive.getinfo(STF_MEMBER)
    stf_start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    rng = random.Random(7)
    outcomes = set()
    for i in range(60):
        damaged = bytearray(data)
        lo, hi = (stf_start, stf_start + info.compress_size) if i % 2 else (0, len(data))
        for _ in range(3):
            damaged[rng.randrange(lo, hi)] ^= 0xFF
        path = tmp_path / f"flip{i}.zip"
        path.write_bytes(bytes(damaged))
        try:
            notebook = read_notebook(path)
            outcomes.add("opened")
            assert notebook.pages
        except FormatError:
            outcomes.add("error")
    assert "error" in outcomes


def test_stf_removed_from_the_real_archive(livescribe_dir: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(livescribe_dir / ARCHIVE) as archive:
        members = {i.filename: archive.read(i) for i in archive.infolist() if i.filename != STF_MEMBER}
    notebook = read(write_zip(tmp_path / "no-ink.zip", members))
    assert notebook.n_strokes == 0 and [p.label for p in notebook.pages] == ["1"]
    assert notebook.pages[0].background is not None  # page 1 uses the left-hand PNG
    assert any("no ink" in w for w in notebook.warnings)


def test_stf_damaged_inside_the_real_archive(livescribe_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.zip"
    shutil.copy(livescribe_dir / ARCHIVE, copy)
    with zipfile.ZipFile(livescribe_dir / ARCHIVE) as archive:
        members = {i.filename: archive.read(i) for i in archive.infolist()}
    members[STF_MEMBER] = members[STF_MEMBER][:400]
    notebook = read(write_zip(copy, members))
    assert 0 < notebook.n_strokes < 15
    assert any("byte 400" in w for w in notebook.warnings)
