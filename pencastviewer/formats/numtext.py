"""Numbers in text converted in bulk: a stroke of 10^6 coordinates is one numpy call, not
10^6 Python strings and floats (a 255 KB .xopp holding 250 MB of coordinates took 2.7 GB)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray


def floats_in_text(text: str) -> NDArray[np.float64] | None:
    """The whitespace-separated decimal numbers of `text` (nan/inf included, checked by
    the caller), or None when something in it is not such a number."""
    if not text or text.isspace():
        return np.zeros(0)  # numpy reads whitespace alone as [-1.0]
    try:
        return np.fromstring(text, dtype=np.float64, sep=" ")
    except ValueError:  # "could not be read to its end due to unmatched data"
        return None


# The blanks between numbers, and the characters of plain decimals (43 to 57 but , and /).
_BLANKS = tuple(np.uint8(c) for c in b" \t\n\r")
_PLUS, _MINUS, _POINT, _BLANK = ord("+"), ord("-"), ord("."), ord(" ")
_FIRST_CHAR, _CHAR_RANGE, _NOT_IN_NUMBERS = np.uint8(ord("+")), np.uint8(14), (ord(","), ord("/"))
_MAX_DIGITS = 15  # below 2^53: the digits are an exact integer, and so is 10^(<= 22)
_POW10 = 10.0 ** np.arange(_MAX_DIGITS + 1)
_INT_POW10 = 10 ** np.arange(_MAX_DIGITS + 1, dtype=np.uint64)
# Numbers are read 8 characters at a time as one little-endian uint64 (their first character
# the lowest byte) and combined in a few integer steps ("SWAR"): _KEEP[g] clears the g
# lowest bytes (the characters before the digits), each step joins neighbouring groups.
_PAD = 16  # blanks before the first number: the 16 bytes before any digit exist
_KEEP = np.array([((1 << 64) - 1) << (8 * g) & ((1 << 64) - 1) for g in range(9)], np.uint64)
_ZEROS = np.uint64(0x3030303030303030)  # "00000000": XOR makes each digit character its value
_STEPS = tuple(
    (np.uint64(factor), np.uint64(shift), np.uint64(mask))
    for factor, shift, mask in (
        (10, 8, 0x00FF00FF00FF00FF),  # pairs of digits, in 16 bits each
        (100, 16, 0x0000FFFF0000FFFF),  # groups of four, in 32 bits
        (10_000, 32, 0xFFFFFFFF),  # all eight
    )
)
_E8 = np.uint64(10**8)


def floats_in_texts(
    texts: Sequence[str],
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.bool_]]:
    """(values, counts, plain): the numbers of many texts at once, how many each text
    holds, and which texts are plain decimals (an optional sign, at most 15 digits, an
    optional point) separated by whitespace. The others count 0 values: the caller reads
    them one by one (floats_in_text). A batch with such a text is halved until the texts
    that are not plain stand alone."""
    result = _plain_floats(texts)
    if result is not None:
        return (*result, np.ones(len(texts), bool))
    if len(texts) <= 1:
        return np.zeros(0), np.zeros(len(texts), np.int64), np.zeros(len(texts), bool)
    half = len(texts) // 2
    parts = floats_in_texts(texts[:half]), floats_in_texts(texts[half:])
    values, counts, plain = (np.concatenate([a[k] for a in parts]) for k in range(3))
    return values, counts, plain


def _plain_floats(texts: Sequence[str]) -> tuple[NDArray[np.float64], NDArray[np.int64]] | None:
    """The numbers of `texts` when all of them are plain decimals, else None.

    Each value is an exact integer of at most 15 digits divided by an exact power of ten,
    which IEEE division rounds correctly: bit for bit what strtod (and floats_in_text)
    gives. The work is a few numpy passes over the characters: no object per number."""
    try:  # (blanks at both ends: every number has a character before and after it)
        data = np.frombuffer(f"{' ' * _PAD}{' '.join(texts)} ".encode("ascii"), np.uint8)
    except UnicodeEncodeError:
        return None
    word = data > _BLANK  # digits, points and signs (the blanks sort below them)
    if not _only_plain_characters(data, word):
        return None
    edges = np.flatnonzero(word[1:] != word[:-1]) + 1
    starts, ends = edges[::2], edges[1::2]
    # Text k is data[bounds[k - 1] + 1 : bounds[k]] (bounds[-1] = _PAD - 1): its numbers start there.
    bounds = np.cumsum(np.fromiter((len(t) + 1 for t in texts), np.int64, len(texts))) + (_PAD - 1)
    counts = np.diff(np.searchsorted(starts, bounds), prepend=0).astype(np.int64)
    values = _decimals(data, starts, ends)
    return None if values is None else (values, counts)


def _only_plain_characters(data: NDArray[np.uint8], word: NDArray[np.bool_]) -> bool:
    """Whether `data` holds only blanks and the characters of plain decimals: counted by
    comparisons (a lookup table through np.take cost 4 times as much)."""
    in_words = np.count_nonzero(word)
    blanks = sum(np.count_nonzero(data == c) for c in _BLANKS)
    if blanks != len(data) - in_words:
        return False
    in_range = np.count_nonzero((data - _FIRST_CHAR) <= _CHAR_RANGE)  # (wraps below "+")
    return in_range == in_words and not any(np.count_nonzero(data == c) for c in _NOT_IN_NUMBERS)


def decimals_at(
    data: NDArray[np.uint8], starts: NDArray[np.intp], ends: NDArray[np.intp]
) -> NDArray[np.float64] | None:
    """The numbers data[starts[k]:ends[k]] of ASCII bytes in which every digit, point and
    sign belongs to one of these words: each an optional sign, 1 to 15 digits and at most
    one point (bit for bit what float() gives); None when a word is not such a number."""
    blanks = np.full(_PAD, _BLANK, np.uint8)
    padded = np.concatenate((blanks, data, blanks))
    return _decimals(padded, starts + _PAD, ends + _PAD)


def _decimals(
    data: NDArray[np.uint8], starts: NDArray[np.intp], ends: NDArray[np.intp]
) -> NDArray[np.float64] | None:
    """The value of each word data[starts[k]:ends[k]] (words of digits, signs and points;
    _PAD bytes before the first word)."""
    n = len(starts)
    first = data[starts]
    signed = (first == _PLUS) | (first == _MINUS)
    if np.count_nonzero(signed) != np.count_nonzero(data == _PLUS) + np.count_nonzero(data == _MINUS):
        return None  # a sign inside a number (an exponent, "1-2")
    dots = np.flatnonzero(data == _POINT)
    if len(dots) == n and bool(((dots >= starts) & (dots < ends)).all()):
        point = dots  # the usual case: one point in every number
    else:
        dot_word = np.searchsorted(starts, dots, side="right") - 1
        if len(dots) and np.bincount(dot_word, minlength=n).max() > 1:
            return None
        point = ends.copy()  # (a number without a point: as if it were at its end)
        point[dot_word] = dots
    n_int = point - starts - signed  # digits before the point, and after it
    n_frac = np.maximum(ends - 1 - point, 0)
    n_digits = n_int + n_frac
    if n and (n_digits.min() < 1 or n_digits.max() > _MAX_DIGITS):
        return None
    # Every character of a word but its sign and point is a digit: the integer part ends
    # at the point, the fraction at the word's end. Integers below 10^15: exact.
    chars = np.ndarray((len(data) - 7,), "<u8", buffer=data, strides=(1,))  # (unaligned)
    if n and n_digits.max() <= 8:  # (the usual case) both parts side by side in one uint64
        shift = (n_frac << 3).astype(np.uint64)
        mantissa = _joined((_kept(chars, point, n_int) >> shift) | _kept(chars, ends, n_frac))
    else:
        mantissa = _digits(chars, point, n_int) * _INT_POW10[n_frac] + _digits(chars, ends, n_frac)
    values: NDArray[np.float64] = mantissa.astype(np.float64) / _POW10[n_frac]
    np.negative(values, out=values, where=signed & (first == _MINUS))
    return values


U64 = NDArray[np.uint64]
INTP = NDArray[np.intp]


def _digits(chars: U64, end: INTP, count: INTP) -> U64:
    """The integer each run of count[k] (<= 15) digit characters ending before end[k] writes."""
    low = np.minimum(count, 8)
    value = _joined(_kept(chars, end, low))
    if len(count) and count.max() > 8:
        value += _joined(_kept(chars, end - 8, count - low)) * _E8
    return value


def _kept(chars: U64, end: INTP, count: INTP) -> U64:
    """The 8 characters before end[k] as byte values 0-9 (the digit characters' values),
    of which only the last count[k] (<= 8), the run's digits, are kept (the others 0)."""
    v = chars[end - 8] ^ _ZEROS
    v &= _KEEP[8 - count]
    return v


def _joined(v: U64) -> U64:
    """The integer that 8 bytes of digit values write (the first byte the highest digit)."""
    for factor, shift, mask in _STEPS:
        v = (v * factor + (v >> shift)) & mask
    return v
