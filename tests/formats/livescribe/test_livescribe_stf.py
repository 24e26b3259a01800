"""The STF stroke decoder on the real pen file, on encoder round trips and on broken input."""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.stf_encoder import PenStroke, encode_stf, synthetic_strokes

from pencastviewer.formats import CorruptFileError, FormatError
from pencastviewer.formats.livescribe import stf as livescribe_stf
from pencastviewer.formats.livescribe.stf import HEADER_BYTES, MAGIC, decode_stf
from pencastviewer.formats.livescribe.stf_codes import canonical_code

ARCHIVE = "notebook-archive-testing.zip"
STF_MEMBER = "data/2208.1.12.19/AYE-APD-UKB-HE/0x00000000-0x006bb87b.stf"
FIRST_STROKE_MS = 7_059_567_802
TABLES = ("HDR", "HDR2", "FORCE", "TIME", "DX", "DY", "DFORCE")


@pytest.fixture(scope="module")
def fixture_stf(livescribe_dir: Path) -> bytes:
    with zipfile.ZipFile(livescribe_dir / ARCHIVE) as archive:
        return archive.read(STF_MEMBER)


Row = tuple[int, list[int], list[int], list[int], list[int]]  # start, x, y, t, force


def as_lists(ink) -> list[Row]:
    return [(s.start_ms, s.x.tolist(), s.y.tolist(), s.t_ms.tolist(), s.force.tolist()) for s in ink.strokes]


def expected(strokes: list[PenStroke], rate: int = 75) -> list[Row]:
    return [(s.start_ms, s.x, s.y, s.times_ms(rate), s.force) for s in strokes]


# ---- the real pen file --------------------------------------------------------------------------


def test_fixture_figures(fixture_stf: bytes) -> None:
    ink = decode_stf(fixture_stf, STF_MEMBER)
    assert ink.sample_rate == 75
    assert len(ink.strokes) == 15
    assert ink.n_points == 385
    starts = [s.start_ms for s in ink.strokes]
    assert starts[0] == FIRST_STROKE_MS
    assert starts[1] - starts[0] == 338
    assert starts[2] - starts[1] == 322
    assert ink.damage is None


def test_fixture_point_columns(fixture_stf: bytes) -> None:
    ink = decode_stf(fixture_stf)
    first = ink.strokes[0]
    assert first.x.dtype == np.int64 and first.t_ms.dtype == np.int64
    assert (first.x[0], first.y[0]) == (1010, 789)
    for stroke in ink.strokes:
        assert stroke.t_ms[0] == stroke.start_ms
        assert np.all(np.diff(stroke.t_ms) >= 13)  # 75 Hz: 13 or 14 ms per sample, more over a gap
        assert set(stroke.force[:-1].tolist()) <= {30} and stroke.force[-1] in (0, 30)  # a contact flag
        assert stroke.x.min() >= 339 and stroke.x.max() <= 4623  # inside the page's active area
    assert sum(int(np.sum(np.diff(s.t_ms) > 14)) for s in ink.strokes) == 3  # the file's gaps of 2 samples


def test_fixture_arrays_are_read_only(fixture_stf: bytes) -> None:
    stroke = decode_stf(fixture_stf).strokes[0]
    with pytest.raises(ValueError):
        stroke.x[0] = 0


# ---- tables and encoder round trips --------------------------------------------------------------


def test_packaged_tables_equal_the_spec(fixtures_dir: Path) -> None:
    spec = fixtures_dir.parent / "docs" / "stf-tables.json"
    if not spec.is_file():
        pytest.skip(f"{spec} not found")
    packaged = (
        Path(__file__).resolve().parents[3] / "pencastviewer" / "formats" / "livescribe" / "stf_tables.json"
    )
    assert json.loads(packaged.read_text()) == json.loads(spec.read_text())


@pytest.mark.parametrize("name", TABLES)
def test_tables_are_complete_prefix_codes(name: str) -> None:
    codes = sorted(canonical_code(name).values(), key=lambda c: (c[1], c[0]))
    assert sum(2.0**-length for _, length in codes) == 1.0
    as_text = [format(code, f"0{length}b") for code, length in codes]
    assert not any(b.startswith(a) for a in as_text for b in as_text if a != b)


def test_canonical_codes_match_the_reference_reader() -> None:
    # libsmartpen's hand-written codebooks (gap '0' = 1, '1100' = 0; dx '0000' = 3, '00110' = 0)
    assert canonical_code("TIME")[1] == (0b0, 1) and canonical_code("TIME")[0] == (0b1100, 4)
    assert canonical_code("DX")[3] == (0b0000, 4) and canonical_code("DX")[0] == (0b00110, 5)
    assert canonical_code("FORCE")[30] == (0b110010, 6)


@pytest.mark.parametrize("chunk_words", [1, 3, 1 << 16])
def test_round_trip_synthetic_strokes(monkeypatch: pytest.MonkeyPatch, chunk_words: int) -> None:
    # Small chunks put chunk boundaries everywhere: inside codes, stroke headers and refills.
    monkeypatch.setattr(livescribe_stf, "_CHUNK_WORDS", chunk_words)
    strokes = synthetic_strokes(20_000, seed=3)
    ink = decode_stf(encode_stf(strokes))
    assert as_lists(ink) == expected(strokes)


def every_point_kind() -> list[PenStroke]:
    """Strokes that need every branch: gaps coded (up to 127), raw 8/16/32-bit gaps (128,
    1000, 70000), absolute jumps, 8-bit residuals, force changes, a one-point stroke and
    all four start-time widths."""
    return [
        PenStroke(5, [100], [200], [30], [0]),  # 8-bit start time, one point
        PenStroke(
            5 + 300,
            [100, 110, 125, 140, 4000, 4010, 4100, 4090],
            [200, 205, 215, 230, 60000, 59990, 59900, 59950],
            [30, 31, 33, 63, 0, 5, 5, 0],
            [0, 1, 3, 131, 1131, 71131, 71132, 71134],
        ),  # 16-bit
        PenStroke(5 + 300 + 70_000, [10, 20, 30, 40], [10, 30, 50, 70], [1, 1, 1, 1], [0, 2, 4, 131]),  # 32
        PenStroke(1 << 40, [500, 400, 700], [500, 620, 380], [30, 30, 0], [0, 1, 2]),  # 64-bit
    ]


@pytest.mark.parametrize("chunk_words", [1, 1 << 16])
def test_round_trip_every_point_kind(monkeypatch: pytest.MonkeyPatch, chunk_words: int) -> None:
    monkeypatch.setattr(livescribe_stf, "_CHUNK_WORDS", chunk_words)
    strokes = every_point_kind()
    ink = decode_stf(encode_stf(strokes, rate=100))
    assert as_lists(ink) == expected(strokes, rate=100)


def test_skips_bytes_that_cannot_start_a_record() -> None:
    # Reference readers skip bytes with bits outside 0x98 before a record header.
    data = encode_stf(synthetic_strokes(100, seed=5))
    padded = data[:HEADER_BYTES] + b"\x01\x47" + data[HEADER_BYTES:]
    assert as_lists(decode_stf(padded)) == as_lists(decode_stf(data))


# ---- broken input --------------------------------------------------------------------------------


def test_not_an_stf_file() -> None:
    with pytest.raises(CorruptFileError, match="not an Anoto STF") as err:
        decode_stf(b"PK\x03\x04" + bytes(40), "x.stf")
    assert err.value.where == "byte 0" and str(err.value).startswith("x.stf:")


def test_zero_sample_rate() -> None:
    with pytest.raises(CorruptFileError, match="sample rate") as err:
        decode_stf(MAGIC + b"\x00\x00\x80")
    assert err.value.where == "byte 16"


def test_unknown_record_header_names_its_offset() -> None:
    with pytest.raises(CorruptFileError, match="0x88") as err:
        decode_stf(MAGIC + b"\x00\x4b\x88\x00")
    assert err.value.where == "byte 18"


def test_missing_end_marker_keeps_strokes_when_lenient() -> None:
    strokes = synthetic_strokes(300, seed=9)
    data = encode_stf(strokes, end_marker=False)
    with pytest.raises(CorruptFileError, match="end-of-file marker"):
        decode_stf(data)
    ink = decode_stf(data, "a.stf", lenient=True)
    assert as_lists(ink) == expected(strokes)
    assert ink.damage is not None and ink.damage.where == f"byte {len(data)}"


def test_every_truncation_is_a_format_error(fixture_stf: bytes) -> None:
    full = as_lists(decode_stf(fixture_stf))
    for size in range(len(fixture_stf)):
        with pytest.raises(CorruptFileError) as err:
            decode_stf(fixture_stf[:size], "cut.stf")
        assert err.value.where is not None and err.value.where.startswith("byte ")
        if size >= HEADER_BYTES:
            kept = as_lists(decode_stf(fixture_stf[:size], lenient=True))
            assert kept == full[: len(kept)]  # only whole strokes before the cut survive


def test_flipped_bits_never_crash(fixture_stf: bytes) -> None:
    rng = random.Random(4)
    outcomes = set()
    for _ in range(2000):
        data = bytearray(fixture_stf)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(HEADER_BYTES, len(data))] ^= 1 << rng.randrange(8)
        try:
            ink = decode_stf(bytes(data))
            outcomes.add("decoded")
            assert ink.n_points <= 8 * len(data) // 12 + len(ink.strokes)  # a point takes ≥ 12 bits
        except CorruptFileError as e:
            outcomes.add("error")
            assert e.where is not None
    assert outcomes == {"decoded", "error"}


# Half the bodies start with a valid stroke header, so the point decoder sees random bits.
BODIES = st.one_of(st.binary(max_size=600), st.binary(max_size=600).map(lambda b: b"\x00\x07" + b))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BODIES, st.integers(1, 1000))
def test_random_bytes_after_a_header_only_raise_format_errors(body: bytes, rate: int) -> None:
    data = MAGIC + rate.to_bytes(2, "big") + body
    try:
        ink = decode_stf(data)
    except FormatError:
        return
    assert ink.n_points <= 8 * len(body) // 12 + len(ink.strokes)
    lenient = decode_stf(data, lenient=True)
    assert lenient.n_points == ink.n_points


def test_the_point_limit_stops_decoding_while_it_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 10: a 130 KB archive held a 64 MB stroke file (21 s, 3.3 GB): decoding stops
    once the file has more points than formats.limits allows (lowered here to 50)."""
    from pencastviewer.formats import TooLargeError
    from pencastviewer.formats.livescribe import stf

    strokes = [
        PenStroke(1000 * k, [100 + i for i in range(40)], [200] * 40, [50] * 40, list(range(40)))
        for k in range(5)
    ]
    data = encode_stf(strokes)
    assert stf.decode_stf(data).strokes  # within the real limit
    monkeypatch.setattr(stf, "MAX_POINTS", 50)
    with pytest.raises(TooLargeError, match="more than"):
        stf.decode_stf(data, "pen.stf")
