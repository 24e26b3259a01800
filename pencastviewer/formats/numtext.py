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


# The characters of plain decimals and the blanks between them.
_PLAIN = np.zeros(256, bool)
_PLAIN[list(b" \t\n\r0123456789.+-")] = True
_PLUS, _MINUS, _POINT, _BLANK = ord("+"), ord("-"), ord("."), ord(" ")
_MAX_DIGITS = 15  # below 2^53: the digits are an exact integer, and so is 10^(<= 22)
_MAX_WORD = _MAX_DIGITS + 2  # a sign, the digits and a point
_POW10 = 10.0 ** np.arange(_MAX_DIGITS + 1)


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
    try:  # (blank at both ends: every number has a character before and after it)
        data = np.frombuffer(f" {' '.join(texts)} ".encode("ascii"), np.uint8)
    except UnicodeEncodeError:
        return None
    if not np.take(_PLAIN, data).all():  # (1 byte a character: np.bincount would take 8)
        return None
    word = data > _BLANK  # digits, points and signs (the blanks sort below them)
    edges = np.flatnonzero(word[1:] != word[:-1]) + 1
    starts, ends = edges[::2], edges[1::2]
    # Text k is data[bounds[k - 1] + 1 : bounds[k]] (bounds[-1] = 0): its numbers start there.
    bounds = np.cumsum(np.fromiter((len(t) + 1 for t in texts), np.int64, len(texts)))
    counts = np.diff(np.searchsorted(starts, bounds), prepend=0).astype(np.int64)
    values = _decimals(data, starts, ends)
    return None if values is None else (values, counts)


def decimals_at(
    data: NDArray[np.uint8], starts: NDArray[np.intp], ends: NDArray[np.intp]
) -> NDArray[np.float64] | None:
    """The numbers data[starts[k]:ends[k]] of ASCII bytes in which every digit, point and
    sign belongs to one of these words: each an optional sign, 1 to 15 digits and at most
    one point (bit for bit what float() gives); None when a word is not such a number."""
    padded = np.concatenate((data, np.full(1, _BLANK, np.uint8)))  # (a blank after the last word)
    return _decimals(padded, starts, ends)


def _decimals(
    data: NDArray[np.uint8], starts: NDArray[np.intp], ends: NDArray[np.intp]
) -> NDArray[np.float64] | None:
    """The value of each word data[starts[k]:ends[k]] (words of digits, signs and points;
    data[ends[-1]] exists)."""
    n = len(starts)
    first = data[starts]
    signed = (first == _PLUS) | (first == _MINUS)
    if np.count_nonzero(signed) != np.count_nonzero(data == _PLUS) + np.count_nonzero(data == _MINUS):
        return None  # a sign inside a number (an exponent, "1-2")
    dots = np.flatnonzero(data == _POINT)
    if len(dots) == n and bool(((dots >= starts) & (dots < ends)).all()):
        dot_word = np.arange(n)  # the usual case: one point in every number
    else:
        dot_word = np.searchsorted(starts, dots, side="right") - 1
        if len(dots) and np.bincount(dot_word, minlength=n).max() > 1:
            return None
    dot_at = np.full(n, -1, np.intp)
    dot_at[dot_word] = dots
    has_dot = dot_at >= 0
    lengths = ends - starts
    n_digits = lengths - signed - has_dot
    if n and (n_digits.min() < 1 or n_digits.max() > _MAX_DIGITS):
        return None
    # Horner's rule a column of characters at a time (at most 17: sign, 15 digits, point),
    # every number at once: exact, since the mantissa stays an integer below 10^15 < 2^53.
    # A point or a sign (which wrap above 9 here), or a column past the number's end,
    # multiplies by 1 and adds 0: arithmetic, where a masked select cost twice as much.
    digits = data - np.uint8(ord("0"))
    mantissa = np.zeros(n)
    for column in range(int(lengths.max()) if n else 0):
        d = digits[np.minimum(starts + column, ends)]
        use = (d <= 9) & (lengths > column)
        mantissa *= np.where(use, 10.0, 1.0)
        mantissa += d * use
    scale = np.where(has_dot, ends - 1 - dot_at, 0)
    values: NDArray[np.float64] = mantissa / _POW10[scale]
    np.negative(values, out=values, where=signed & (first == _MINUS))
    return values
