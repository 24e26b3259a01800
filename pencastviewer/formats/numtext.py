"""Numbers in text converted in bulk: a stroke of 10^6 coordinates is one numpy call, not
10^6 Python strings and floats (a 255 KB .xopp holding 250 MB of coordinates took 2.7 GB)."""

from __future__ import annotations

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
