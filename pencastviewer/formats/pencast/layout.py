"""The .pencast layout: member names, the manifest's version, and the stroke binary dtypes.

docs/pencast-format.md is the specification; this module is its machine-readable half.
"""

from __future__ import annotations

import hashlib

import numpy as np

from ...model import AudioStore, BackgroundKind

FORMAT_NAME = "pencast"
VERSION = 3  # the newest version this code reads and writes (docs/pencast-format.md, Versioning)
STYLE_VERSION = 2  # first version whose strokes have fill, cap and dash; writers use 1 without them
MIMETYPE = "application/x-pencastviewer"
MIMETYPE_MEMBER = "mimetype"
MANIFEST_MEMBER = "manifest.json"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024

# Manifest names of the model's enums (readable JSON; the binary stores Tool values).
BACKGROUND_KINDS = {"solid": BackgroundKind.SOLID, "image": BackgroundKind.IMAGE, "pdf": BackgroundKind.PDF}
AUDIO_STORES = {"zip": AudioStore.ZIP, "missing": AudioStore.MISSING}

# --- strokes.bin: header, stroke table, then the point columns, all little-endian ---
STROKES_MAGIC = b"PCSTROKE"
HEADER_DTYPE = np.dtype(
    [
        ("magic", "S8"),  # b"PCSTROKE"
        ("n_strokes", "<u4"),
        ("n_points", "<u4"),
        ("flags", "<u4"),  # bit 0: the widths column is present
        ("reserved", "<u4"),  # 0
    ]
)
STROKE_DTYPE = np.dtype(
    [
        ("first_point", "<u4"),  # index of the stroke's first point in the point columns
        ("n_points", "<u4"),  # >= 1
        ("width_mm", "<f8"),  # nominal width
        ("color", "u1", (4,)),  # R, G, B, A
        ("tool", "u1"),  # Tool value: 0 pen, 1 highlighter
        ("flags", "u1"),  # bit 0: the stroke has per-point widths; bit 1 (v2): it is filled
        ("fill_alpha", "u1"),  # v2: opacity of the fill, 0 unless filled (v1: reserved, 0)
        ("cap", "u1"),  # v2: index into CAPS, 0 round, 1 butt, 2 square (v1: reserved, 0)
        ("recording", "<i4"),  # index into the manifest's recordings, -1 = none
        ("dash", "<u4"),  # v2: 0 = solid, k = the page's dashes[k - 1] (v1: reserved, 0)
    ]
)
HEADER_FLAG_WIDTHS = 1
STROKE_FLAG_WIDTHS = 1
STROKE_FLAG_FILLED = 2
POINT_BYTES = 3 * 8  # x, y, t
WIDTH_BYTES = 8
MAX_COUNT = 2**32 - 1  # u4 counts and indices

assert HEADER_DTYPE.itemsize == 24 and STROKE_DTYPE.itemsize == 32


def strokes_size(n_strokes: int, n_points: int, has_widths: bool) -> int:
    """Exact byte size of a strokes.bin with these counts."""
    per_point = POINT_BYTES + (WIDTH_BYTES if has_widths else 0)
    return HEADER_DTYPE.itemsize + STROKE_DTYPE.itemsize * n_strokes + per_point * n_points


def section_offsets(n_strokes: int, n_points: int) -> tuple[int, int, int, int]:
    """Byte offsets of (stroke table, xy column, t column, widths column)."""
    table = HEADER_DTYPE.itemsize
    xy = table + STROKE_DTYPE.itemsize * n_strokes
    t = xy + 16 * n_points
    return table, xy, t, t + 8 * n_points


# --- member names (informative: readers follow the manifest, never guess names) ---


def strokes_member(page_index: int) -> str:
    return f"pages/{page_index:04d}/strokes.bin"


def audio_member(recording_index: int, file_index: int, ext: str) -> str:
    return f"audio/{recording_index}-{file_index}.{ext}"


def blob_member(folder: str, data: bytes, ext: str) -> str:
    """Content-addressed name, so identical backgrounds or images are stored once."""
    return f"{folder}/{hashlib.sha256(data).hexdigest()}.{ext}"


def image_ext(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data.startswith(b"<svg") or data.startswith(b"<?xml"):
        return "svg"
    return "bin"
