"""Livescribe facts shared by the Pencast PDF and raw archive readers."""

from __future__ import annotations

from ...model.units import MM_PER_ANOTO

ANOTO_MM = MM_PER_ANOTO  # 1 AU = 0.0375 mm
STANDARD_PAGE_AU = (4963, 6278)
