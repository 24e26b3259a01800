"""Livescribe facts shared by the Pencast PDF and raw archive readers."""

from __future__ import annotations

from collections.abc import Sequence

from ...model import Background, Page, Stroke
from ...model.units import MM_PER_ANOTO

ANOTO_MM = MM_PER_ANOTO  # 1 AU = 0.0375 mm
STANDARD_PAGE_AU = (4963, 6278)


def anoto_page(
    size_au: tuple[float, float],
    strokes: Sequence[Stroke],
    label: str,
    background: Background | None,
    address: str,
) -> Page:
    """A notebook page measured in Anoto units, as both readers build it."""
    width_au, height_au = size_au
    return Page(
        width_au * ANOTO_MM,
        height_au * ANOTO_MM,
        tuple(strokes),
        label=label,
        background=background,
        address=address,
    )
