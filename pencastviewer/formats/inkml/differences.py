"""Difference-encoded InkML traces decoded in bulk (what Windows Journal, Word and OneNote
write: a first point, then first differences ', then second differences "), with numpy
over the text's bytes and cumulative sums over each channel: no Python object per number.

The values are bit for bit those of the token-by-token decoder (trace._decode_full): an
explicit value is the correctly rounded decimal, a run of first differences is the same
left-to-right sum (np.cumsum adds in order), and a run of second differences is summed
in bulk only when it is exact integer arithmetic (integers below 2^50, as ink coordinates
are), else value by value as before. What this does not cover (the flags T F * ?,
exponents, numbers of more than 15 digits, a first value that is a difference, text far
longer than its points) gives None: the caller decodes it token by token."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..numtext import decimals_at

_SPACE, _DIGIT, _DOT, _SIGN, _COMMA, _MODE = 1, 2, 3, 4, 5, 6
_CLASS = np.zeros(256, np.uint8)  # 0: anything else (the full grammar decides)
_CLASS[list(b" \t\n\r\f\v")] = _SPACE
_CLASS[list(b"0123456789")] = _DIGIT
_CLASS[ord(".")], _CLASS[ord(",")] = _DOT, _COMMA
_CLASS[list(b"+-")] = _SIGN
_CLASS[list(b"!'\"")] = _MODE
EXPLICIT, FIRST, SECOND = 1, 2, 3
_MODE_OF = np.zeros(256, np.uint8)
_MODE_OF[ord("!")], _MODE_OF[ord("'")], _MODE_OF[ord('"')] = EXPLICIT, FIRST, SECOND
_EXACT = 2.0**50  # integer sums below this (and their sums of two) are exact in float64
MAX_CHARS_PER_VALUE = 64  # beyond: not ink written by a program (decoded token by token)


def decode_differences(text: str, n_channels: int) -> NDArray[np.float64] | None:
    """Points × n_channels values (NaN where a row has no value), or None when `text`
    needs the full grammar (see the module's note)."""
    n_rows = text.count(",") + 1
    if n_channels < 1 or len(text) > MAX_CHARS_PER_VALUE * n_rows * n_channels + 256:
        return None
    try:
        data = np.frombuffer(text.encode("ascii"), np.uint8)
    except UnicodeEncodeError:
        return None
    kind = _CLASS[data]
    if not kind.all():
        return None
    words = _number_words(kind)
    if words is None:
        return None
    starts, ends = words
    numbers = decimals_at(data, starts, ends)
    if numbers is None:
        return None
    rows = np.cumsum(kind == _COMMA)[starts]
    columns = np.arange(len(starts)) - np.searchsorted(rows, rows, side="left")
    modes = _prefixes(data, kind, starts)
    keep = columns < n_channels  # values beyond the format's channels are ignored
    rows, columns, numbers, modes = rows[keep], columns[keep], numbers[keep], modes[keep]
    out = np.full((n_rows, n_channels), np.nan)
    order = np.argsort(columns, kind="stable")  # by channel, rows in order within each
    bounds = np.concatenate(([0], np.cumsum(np.bincount(columns, minlength=n_channels))))
    for channel in range(n_channels):
        mine = order[bounds[channel] : bounds[channel + 1]]
        values = channel_values(numbers[mine], modes[mine])
        if values is None:
            return None
        out[rows[mine], channel] = values
    return out


def _number_words(kind: NDArray[np.uint8]) -> tuple[NDArray[np.intp], NDArray[np.intp]] | None:
    """(starts, ends) of the numbers: a sign always starts one (as in "22-6"), else the
    first digit or point of a run of them. None when a sign is not followed by a run."""
    run = (kind == _DIGIT) | (kind == _DOT)
    edges = np.flatnonzero(np.diff(np.concatenate(([False], run, [False])).view(np.int8)))
    run_starts, ends = edges[::2], edges[1::2]
    signs = np.flatnonzero(kind == _SIGN)
    if len(signs) and (signs[-1] + 1 >= len(kind) or not run[signs + 1].all()):
        return None  # a sign alone: the full grammar says where
    starts = run_starts.copy()
    signed = np.searchsorted(run_starts, signs + 1)  # the run each sign starts
    starts[signed] = signs
    return starts, ends


def _prefixes(
    data: NDArray[np.uint8], kind: NDArray[np.uint8], starts: NDArray[np.intp]
) -> NDArray[np.uint8]:
    """The mode each number is prefixed with (0: none): a mode character is the last thing
    before the number (the last of several applies; one before a comma applies to none)."""
    written = np.flatnonzero(kind != _SPACE)
    before = np.searchsorted(written, starts) - 1
    previous = np.where(before >= 0, data[written[np.maximum(before, 0)]], 0)
    return _MODE_OF[previous]


def channel_values(numbers: NDArray[np.float64], prefixes: NDArray[np.uint8]) -> NDArray[np.float64] | None:
    """One channel's values from its numbers and their mode prefixes; a prefix stays in
    force until the next. None when the first value is not explicit (left to the full
    decoder, which gives NaNs until one is)."""
    n = len(numbers)
    if n == 0:
        return numbers
    given = np.maximum.accumulate(np.where(prefixes > 0, np.arange(n), -1))
    modes = np.where(given >= 0, prefixes[np.maximum(given, 0)], EXPLICIT)
    if modes[0] != EXPLICIT:
        return None
    values = np.empty(n)
    last, step = np.nan, 0.0
    run_starts = np.concatenate(([0], np.flatnonzero(np.diff(modes)) + 1))
    for a, b in zip(run_starts.tolist(), [*run_starts[1:].tolist(), n], strict=True):
        run = numbers[a:b]
        if modes[a] == EXPLICIT:
            values[a:b] = run
        elif modes[a] == FIRST:
            values[a:b] = np.cumsum(np.concatenate(([last], run)))[1:]
        else:
            values[a:b] = second_differences(run, last, step)
        before = values[b - 2] if b >= 2 else np.nan
        last = float(values[b - 1])
        step = last - before if np.isfinite(before) else 0.0
    return values


def second_differences(run: NDArray[np.float64], last: float, step: float) -> NDArray[np.float64]:
    """Values that each change by the previous change plus the run's number, after `last`
    which changed by `step`: value = (last + step) + d, then step = value - last."""
    if not np.isfinite(last):
        return np.full(len(run), np.nan)
    steps = np.cumsum(np.concatenate(([step], run)))
    values = np.cumsum(np.concatenate(([last], steps[1:])))
    exact = (
        np.array_equal(run, np.trunc(run))
        and float(last).is_integer()
        and float(step).is_integer()
        and np.abs(steps).max() < _EXACT
        and np.abs(values).max() < _EXACT
    )
    if exact:
        return values[1:]
    out = np.empty(len(run))  # not integers: the sums' rounding depends on their order
    for k, d in enumerate(run.tolist()):
        value = last + step + d
        step, last = value - last, value
        out[k] = value
    return out
