"""Pages: their physical size, background and ink."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from .ink import Color, Stroke
from .page_ink import PageInk, StrokeViews, ink_of
from .units import MM_PER_POINT


class BackgroundKind(enum.IntEnum):
    """The values are stored in the .pencast format."""

    SOLID = 0  # a colour, optionally with a ruling
    IMAGE = 1  # encoded image bytes (PNG/JPEG) stretched over `rect_mm`
    PDF = 2  # a page of a PDF document on disk


@dataclass(frozen=True)
class Ruling:
    """Printed lines on paper, laid out as Xournal++ draws them.

    style: plain, lined, ruled, graph, dotted, isodotted, isograph, staves.
    spacing_mm: line or grid pitch (staves: between two lines of one staff).
    margin_mm: x of the vertical margin line (0 = none); header_mm / footer_mm: blank
        bands at the top and bottom (lined, ruled, staves: the first line is at header_mm).
    line_width_mm: width of the lines (dotted papers: the dot diameter); None = the
        style's Xournal++ default (0.5 pt lines, 1.5 pt dots, 1 pt isograph).
    grid_margin_mm: graph: blank border round the grid; round_to_grid: widen that border
        to whole squares (Xournal++ `rm`).
    staff_gap_mm / staff_side_mm: staves: space between two staves, and between the
        staves and the left and right page edges.
    """

    style: str = "plain"
    spacing_mm: float = 8.0
    line_color: Color = (0x40, 0xA0, 0xFF, 255)
    margin_mm: float = 0.0
    margin_color: Color = (0xFF, 0x00, 0x80, 255)
    header_mm: float = 0.0
    line_width_mm: float | None = None
    grid_margin_mm: float = 0.0
    round_to_grid: bool = False
    footer_mm: float = 0.0
    staff_gap_mm: float = 40 * MM_PER_POINT
    staff_side_mm: float = 0.0


@dataclass(frozen=True)
class Background:
    kind: BackgroundKind = BackgroundKind.SOLID
    color: Color = (255, 255, 255, 255)
    ruling: Ruling | None = None
    image: bytes | None = None  # encoded PNG/JPEG, for IMAGE
    image_rect_mm: tuple[float, float, float, float] | None = None  # x, y, w, h; None = page
    pdf_path: str | None = None  # for PDF: file on disk ...
    pdf_data: bytes | None = None  # ... or the PDF's bytes (e.g. stored inside a .pencast)
    pdf_page: int = 0  # 0-based page of that PDF
    # The file the page's background should show but could not be found: renderers paint a
    # placeholder saying so (as Xournal++ does) instead of passing blank paper off as the page.
    missing: str = ""  # e.g. "PDF background missing"; empty when nothing is missing

    def __post_init__(self) -> None:
        if self.kind == BackgroundKind.IMAGE and not self.image:
            raise ValueError("an image background needs image bytes")
        if self.kind == BackgroundKind.PDF and not (self.pdf_path or self.pdf_data):
            raise ValueError("a PDF background needs a PDF path or the PDF's bytes")


@dataclass(frozen=True)
class PageText:
    """A text box (Xournal++): top-left corner in mm, font size in points."""

    text: str
    x_mm: float
    y_mm: float
    font: str = "Sans"
    size_pt: float = 12.0
    color: Color = (0, 0, 0, 255)
    t_ms: float | None = None  # when it was typed, notebook clock
    recording: int | None = None


@dataclass(frozen=True)
class PageImage:
    """An image placed on the page (Xournal++ `<image>`): encoded bytes and rectangle."""

    data: bytes
    rect_mm: tuple[float, float, float, float]  # x, y, w, h


@dataclass(frozen=True)
class Page:
    """One page. Strokes are in drawing order (which is also the z-order); `ink` holds
    them as columns (Page.strokes are views on it). Strokes given that are not exactly
    one ink's strokes in order are packed into new columns, once."""

    width_mm: float
    height_mm: float
    strokes: Sequence[Stroke] = ()
    label: str = ""
    background: Background | None = None
    texts: tuple[PageText, ...] = ()
    images: tuple[PageImage, ...] = ()
    address: str = ""  # format-specific page identity, e.g. Livescribe "2208.1.12.31"
    ink: PageInk = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not (self.width_mm > 0 and self.height_mm > 0):
            raise ValueError(f"page size must be positive, got {self.width_mm}×{self.height_mm} mm")
        ink = ink_of(self.strokes if isinstance(self.strokes, StrokeViews) else tuple(self.strokes))
        object.__setattr__(self, "ink", ink)
        object.__setattr__(self, "strokes", ink.strokes())
        object.__setattr__(self, "texts", tuple(self.texts))
        object.__setattr__(self, "images", tuple(self.images))

    @property
    def n_points(self) -> int:
        return self.ink.n_points
