"""Images of a clip's page: PNG at a chosen resolution, SVG and PDF as vector ink (painted
by render.page_files). With a time range, only the ink written within it."""

from __future__ import annotations

from pathlib import Path

from ...model import Page
from ...model.units import MM_PER_INCH
from ...render.page_files import PageFileError, write_pdf, write_png, write_svg
from ..document import OpenedNotebook
from .core import ClipSpec, ExportError, Progress, check_cancel
from .ranges import clip_pages, clip_tags

MAX_IMAGE_PX = 20000  # on a side: a 300 dpi A0 poster fits, a typo does not eat the memory


def export(document: OpenedNotebook, spec: ClipSpec, temp_path: Path, progress: Progress) -> None:
    """PNG and SVG show one page (the clip's first); PDF has one PDF page per page touched."""
    pages = clip_pages(document, spec)
    if spec.recording is not None and spec.strokes is None:  # a time range: the pages it wrote on
        pages = [(i, p) for i, p in pages if p.strokes]
        if not pages:
            where = f" on page {spec.page + 1}" if spec.page is not None else ""
            raise ExportError(
                f"no ink was written{where} between {spec.start_s:.3f} s and "
                f"{spec.end_s:.3f} s: nothing to draw"
            )
    if not pages:
        raise ExportError("the notebook has no pages: nothing to draw")
    check_cancel(progress, 0.0)
    ext = temp_path.suffix.lower()
    tags = clip_tags(document, spec)
    drawn = [p for _, p in pages]
    try:
        if ext == ".png":
            write_png(drawn[0], temp_path, image_width(drawn[0], spec))
        elif ext == ".svg":
            write_svg(drawn[0], temp_path, tags.title, f"Recorded {tags.date}" if tags.date else "")
        elif ext == ".pdf":
            write_pdf(drawn, temp_path, tags.title, lambda n: check_cancel(progress, (n + 1) / len(drawn)))
        else:
            raise ExportError(f"{temp_path.name}: not an image format: {ext}")
    except PageFileError as e:
        raise ExportError(str(e)) from None
    check_cancel(progress, 1.0)


def image_width(page: Page, spec: ClipSpec) -> int:
    """Pixels across: from `spec.dpi` when given, else `spec.size`'s width."""
    width = round(page.width_mm / MM_PER_INCH * spec.dpi) if spec.dpi else int(spec.size[0])
    height = round(width * page.height_mm / page.width_mm)
    if not (1 <= width <= MAX_IMAGE_PX and 1 <= height <= MAX_IMAGE_PX):
        raise ExportError(f"an image of {width} × {height} px cannot be made (1 to {MAX_IMAGE_PX} px a side)")
    return width
