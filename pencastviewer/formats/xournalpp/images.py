"""Xournal++ images on the page: `<image>` and `<teximage>`, embedded or attached."""

from __future__ import annotations

import base64
import binascii
import re
import struct
import xml.etree.ElementTree as ET

import numpy as np

from ...model import PageImage
from ...model.units import MM_PER_POINT
from ..errors import FormatError
from ..xmlsafe import local_name
from .elements import ElementContext, affine, number


def parse_image(elem: ET.Element, ctx: ElementContext, where: str) -> PageImage | None:
    """`<image>` / `<teximage>`: base64 bytes in the element (PNG; a teximage of
    Xournal++ ≥ 1.1 holds a PDF) or an `<attachment path>` of the ZIP variant."""
    data = _image_bytes(elem, ctx, where)
    if data is None:
        return None
    matrix = affine(elem)
    if matrix is None:
        left, top = number(elem, "left", ctx, where), number(elem, "top", ctx, where)
        right, bottom = number(elem, "right", ctx, where), number(elem, "bottom", ctx, where)
    else:
        size = _intrinsic_size(data)
        if size is None:
            ctx.warn(f"{where}: image size unknown, image skipped")
            return None
        left, top, right, bottom = _transformed_box(matrix, *size)
    if not (right > left and bottom > top):
        ctx.warn(f"{where}: image with an empty rectangle skipped")
        return None
    rect = (
        left * MM_PER_POINT,
        top * MM_PER_POINT,
        (right - left) * MM_PER_POINT,
        (bottom - top) * MM_PER_POINT,
    )
    return PageImage(data, rect)


def _image_bytes(elem: ET.Element, ctx: ElementContext, where: str) -> bytes | None:
    for child in elem:
        if local_name(child.tag) == "attachment" and ctx.read_member is not None:
            try:
                return ctx.read_member(child.get("path") or "")
            except FormatError as e:
                ctx.warn(f"{where}: attached image unreadable ({e.problem})")
                return None
    try:
        data = base64.b64decode("".join((elem.text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        ctx.warn(f"{where}: image data is not valid base64, image skipped")
        return None
    if not data:
        ctx.warn(f"{where}: image without data skipped")
        return None
    return data


def _intrinsic_size(data: bytes) -> tuple[float, float] | None:
    """Width and height of PNG pixels, JPEG pixels or a PDF's first MediaBox (points)."""
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        return tuple(float(v) for v in struct.unpack(">II", data[16:24]))  # type: ignore[return-value]
    if data.startswith(b"%PDF"):
        box = re.search(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", data)
        if box:
            x0, y0, x1, y1 = (float(v) for v in box.groups())
            return abs(x1 - x0), abs(y1 - y0)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[float, float] | None:
    i = 2
    while i + 9 < len(data) and data[i] == 0xFF:
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return float(width), float(height)
        i += 2 + length
    return None


def _transformed_box(m: tuple[float, ...], width: float, height: float) -> tuple[float, float, float, float]:
    """Bounding box of the transformed image; a rotation is not kept (PageImage has none)."""
    corners = np.array([[0, 0], [width, 0], [0, height], [width, height]], dtype=np.float64)
    xs = m[0] * corners[:, 0] + m[2] * corners[:, 1] + m[4]
    ys = m[1] * corners[:, 0] + m[3] * corners[:, 1] + m[5]
    return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())
