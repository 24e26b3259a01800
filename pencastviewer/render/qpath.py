"""numpy arrays to QPainterPath in one call, and the outlines of variable-width strokes."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QByteArray, QDataStream
from PySide6.QtGui import QPainterPath

MOVE, LINE = 0, 1  # QPainterPath::ElementType
_ELEMENT = np.dtype([("type", ">i4"), ("x", ">f8"), ("y", ">f8")])


def path_from_elements(
    types: NDArray[np.integer[Any]], xy: NDArray[np.float64], *, winding: bool = False
) -> QPainterPath:
    """A path with these raw elements, built through QDataStream's serialised form (element
    count, then type, x, y per element, then the start of the current subpath and the fill
    rule, all big-endian) — some 4× faster than one moveTo/lineTo call per point."""
    records = np.empty(len(types), _ELEMENT)
    records["type"], records["x"], records["y"] = types, xy[:, 0], xy[:, 1]
    head = np.array([len(types)], ">i4").tobytes()
    tail = np.array([0, 1 if winding else 0], ">i4").tobytes()  # cStart, fill rule
    path = QPainterPath()
    QDataStream(QByteArray(head + records.tobytes() + tail)) >> path
    return path


def polyline_path(xy: NDArray[np.float64], *, winding: bool = False) -> QPainterPath:
    """The points joined by straight segments (closed implicitly when filled)."""
    types = np.full(len(xy), LINE, np.int32)
    types[0] = MOVE
    return path_from_elements(types, xy, winding=winding)


def segments_outline(
    p: NDArray[np.float64],
    q: NDArray[np.float64],
    widths: NDArray[np.float64],
    cap: str,
    direction: NDArray[np.float64] | None = None,
    arc_steps: int = 8,
) -> QPainterPath:
    """The area covered by stroking each segment p[k]→q[k] on its own with width widths[k]
    and `cap` ("round", "butt", "square"), as Xournal++ strokes pressure ink: one path of
    same-oriented polygons, to be filled with the winding rule so overlaps merge.
    Round caps are half-polygons of `arc_steps` sides (straight edges fill several times
    faster than Bézier arcs). `direction` gives the unit direction of zero-length
    segments (default: +x)."""
    corners, _ = outline_corners(p, q, widths, cap, direction, arc_steps)
    return corners_path(corners)


def outline_corners(
    p: NDArray[np.float64],
    q: NDArray[np.float64],
    widths: NDArray[np.float64],
    cap: str,
    direction: NDArray[np.float64] | None = None,
    arc_steps: int = 8,
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """segments_outline's polygons, one row (m, 2) per segment kept, and which segments
    were kept (butt caps drop zero-length ones). Element-wise: the polygons of many
    strokes' segments computed together are those of each stroke computed alone."""
    d = q - p
    length = np.hypot(d[:, 0], d[:, 1])
    u = np.where(length[:, None] > 0, d / np.where(length > 0, length, 1.0)[:, None], [1.0, 0.0])
    if direction is not None:
        u = np.where(length[:, None] > 0, u, direction)
    r = widths[:, None] / 2
    ur, n = u * r, np.column_stack([-u[:, 1], u[:, 0]]) * r
    keep = np.ones(len(p), bool)
    if cap == "round":
        angles = np.linspace(np.pi / 2, -np.pi / 2, arc_steps + 1)
        cos, sin = np.cos(angles)[None, :, None], np.sin(angles)[None, :, None]
        front = q[:, None] + cos * ur[:, None] + sin * n[:, None]  # from +n round the front to −n
        back = p[:, None] - cos * ur[:, None] - sin * n[:, None]  # from −n round the back to +n
        return np.concatenate([front, back], axis=1), keep
    if cap == "square":
        p, q = p - ur, q + ur
    elif cap == "butt":
        keep = length > 0  # cairo draws nothing for a zero-length segment with butt caps
        p, q, n = p[keep], q[keep], n[keep]
    return np.stack([p + n, q + n, q - n, p - n], axis=1), keep


def corners_path(corners: NDArray[np.float64]) -> QPainterPath:
    """Polygons (k, m, 2) as one winding-filled path."""
    per_contour = corners.shape[1]
    types = np.full((len(corners), per_contour), LINE, np.int32)
    types[:, 0] = MOVE
    return path_from_elements(types.ravel(), corners.reshape(-1, 2), winding=True)


def arc_steps(radius_px: float, max_error_px: float = 0.2) -> int:
    """Sides of a half-polygon standing for a half circle of `radius_px` device pixels,
    so that it strays at most `max_error_px` inside the circle: a power of two, 2 to 64,
    so a zoom changes it, and rebuilds the outline, only now and then."""
    if radius_px <= max_error_px:
        return 2
    needed = np.pi / (2 * np.arccos(1 - max_error_px / radius_px))
    return int(min(max(2 ** np.ceil(np.log2(needed)), 2), 64))
