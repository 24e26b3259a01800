"""Difference-encoded InkML (Windows Journal, Word: ' first and " second differences) is
decoded in bulk with numpy, giving bit for bit the values of the token-by-token decoder:
on the real files (the same ink as before this decoder existed) and on generated text of
the whole grammar; the 5 M point limit still holds while reading."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pencastviewer.formats import FormatError, read_notebook
from pencastviewer.formats.inkml import trace
from pencastviewer.formats.inkml.differences import decode_differences
from pencastviewer.formats.inkml.trace import _decode_full, decode_values
from pencastviewer.formats.limits import MAX_POINTS

# sha256 of every stroke's xy_mm, t_ms and widths_mm (float64, little-endian) as read with
# the token-by-token decoder, before the bulk one existed (main at a61573b).
INK_BEFORE = {
    "crohme-MfrDB1843.inkml": "d48fd6713b7e7d4ac1f18e16",
    "inkml2svg-example.inkml": "4aeb9414fbc73f98559c35b0",
    "ms-journal_output.inkml": "05e1417895d903d5351911da",
    "ms-word_output.inkml": "e6d402210eb1b389c014d6ec",
    "nakagawa-synthetic-10065.inkml": "1f8c44cb7fca389378d28ab9",
    "uhc-sample-filled.inkml": "0dcfea6f071bba51f95c4a58",
}
TRACE = re.compile(r"<(?:\w+:)?trace\b[^>]*>([^<]*)</(?:\w+:)?trace>")


def ink_digest(path: Path) -> str:
    h = hashlib.sha256()
    for page in read_notebook(path).pages:
        for s in page.strokes:
            for a in (s.xy_mm, s.t_ms, s.widths_mm):
                h.update(b"-" if a is None else np.ascontiguousarray(a, "<f8").tobytes())
    return h.hexdigest()[:24]


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("name", sorted(INK_BEFORE))
def test_the_real_files_give_the_same_ink_bit_for_bit(fixtures_dir: Path, name: str) -> None:
    assert ink_digest(fixtures_dir / "inkml" / name) == INK_BEFORE[name]


@pytest.mark.parametrize(
    ("name", "n_channels", "n_traces"), [("ms-journal_output", 5, 115), ("ms-word_output", 5, 1)]
)
def test_the_real_difference_encoded_traces_are_decoded_in_bulk(
    fixtures_dir: Path, name: str, n_channels: int, n_traces: int
) -> None:
    """Windows ink: X Y F and two intermittent channels, first row explicit, then ' and "."""
    text = (fixtures_dir / "inkml" / f"{name}.inkml").read_text(encoding="utf-8")
    encoded = [t for t in TRACE.findall(text) if "'" in t]
    assert len(encoded) == n_traces
    for data in encoded:
        bulk = decode_differences(data, n_channels)
        assert bulk is not None, data[:80]
        assert same_bits(bulk, _decode_full(data, n_channels))


def test_a_long_difference_encoded_trace_never_goes_token_by_token(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    steps = rng.integers(-40, 41, (200_000, 3))
    rows = [
        "2988 13425 1902",
        "'-93'37'0",
        *('"' + '"'.join(map(str, r)) for r in steps[:1]),
        *(" ".join(map(str, r)) for r in steps[1:]),
    ]
    text = ",".join(rows)
    expected = _decode_full(text, 3)

    def token_by_token(text: str, n_channels: int) -> np.ndarray:
        raise AssertionError("decoded token by token")

    monkeypatch.setattr(trace, "_decode_full", token_by_token)
    assert same_bits(decode_values(text, 3), expected)


# Text of the whole grammar: numbers written every way, mode prefixes, the flags, rows
# short or long, spaces or none between numbers.
_NUMBER = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.integers(-(10**15) + 1, 10**15 - 1).map(str),
    st.decimals(-1000, 1000, places=3, allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from([".5", "-.25", "+3", "7.", "0", "-0", "1e3", "1.5E-2", "1234567890123456"]),
)
_VALUE = st.tuples(
    st.sampled_from(["", "", "", "'", '"', "!", "''"]), st.one_of(_NUMBER, st.sampled_from("TF*?"))
)
_ROW = st.lists(_VALUE, max_size=5).map(lambda values: " ".join(mode + value for mode, value in values))


@settings(max_examples=400, deadline=None)
@given(rows=st.lists(_ROW, min_size=1, max_size=30), n_channels=st.integers(1, 4), joined=st.booleans())
def test_any_text_decodes_as_the_token_decoder_does(rows: list[str], n_channels: int, joined: bool) -> None:
    text = ",".join(rows)
    if joined:  # numbers written without spaces, as Windows ink does ("22-6")
        text = text.replace(" -", "-")
    assume(text.strip())  # (no text at all is no point at all, before any decoding)
    expected = _decode_full(text, n_channels)
    assert same_bits(decode_values(text, n_channels), expected), text


# What programs write: no flags or exponents, the first point explicit and whole.
_PLAIN_NUMBER = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.decimals(-1000, 1000, places=2, allow_nan=False, allow_infinity=False).map(str),
)
_PLAIN_ROW = st.lists(st.tuples(st.sampled_from(["", "", "'", '"', "!"]), _PLAIN_NUMBER), max_size=5).map(
    lambda values: " ".join(mode + value for mode, value in values)
)


@settings(max_examples=300, deadline=None)
@given(
    first=st.lists(_PLAIN_NUMBER, min_size=4, max_size=4),
    rows=st.lists(_PLAIN_ROW, max_size=40),
    n_channels=st.integers(1, 4),
)
def test_ink_as_programs_write_it_is_decoded_in_bulk(
    first: list[str], rows: list[str], n_channels: int
) -> None:
    text = ",".join([" ".join(first), *rows]).replace(" -", "-")
    bulk = decode_differences(text, n_channels)
    assert bulk is not None and same_bits(bulk, _decode_full(text, n_channels)), text


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("10 20, '1 '2, \"1 \"1, 0 0, 0 3", [[10, 20], [11, 22], [13, 25], [15, 28], [17, 34]]),
        ("1 2 9 9, '1 '1 '9", [[1, 2], [2, 3]]),  # values beyond the channels are ignored
    ],
)
def test_differences_by_example(text: str, values: list[list[float]]) -> None:
    assert decode_differences(text, 2) is not None
    np.testing.assert_array_equal(decode_values(text, 2), values)


def test_fractions_are_summed_in_the_token_decoders_order() -> None:
    text = "0.1 5, '0.2 '1, \"0.1 !2, 0.3 4, 0.7 \"0.1,"
    bulk = decode_differences(text, 2)
    assert bulk is not None and same_bits(bulk, _decode_full(text, 2))
    assert bulk[1, 0] == 0.1 + 0.2 and bulk[2, 0] == (bulk[1, 0] + (bulk[1, 0] - 0.1)) + 0.1


def test_a_difference_encoded_file_over_the_point_limit_is_refused_while_reading(tmp_path: Path) -> None:
    path = tmp_path / "n.inkml"
    rows = "0 0,'1'1," + '"0"0,' * (MAX_POINTS - 1)
    path.write_text(f'<ink xmlns="http://www.w3.org/2003/InkML"><trace>{rows}</trace></ink>')
    with pytest.raises(FormatError, match="more than 5,000,000 points") as caught:
        read_notebook(path)
    assert str(caught.value).startswith(str(path))
