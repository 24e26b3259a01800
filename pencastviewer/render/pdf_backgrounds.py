"""PDF backgrounds of a whole-document PDF kept as the vector pages they are (Xournal++'s
own export does the same): the background PDF's page becomes a form drawn under the page,
its fonts and images copied once for all the pages that use that PDF. Rasterising each at
300 dpi, as painting through Qt does, made annotated slides large and slow to write.
A background that cannot be opened that way is left to Qt (raster, or the placeholder
saying it is missing)."""

from __future__ import annotations

import dataclasses

import pikepdf

from ..model import Background, BackgroundKind, Page

# What the paper pass paints instead of the PDF page: no paper (the form's white base is
# under it), and still the ruling and the missing-file notice, if any.
_NO_PAPER = (255, 255, 255, 0)
# What QPDF raises for a damaged PDF: PdfErrors, and RuntimeErrors such as "/Count is wrong
# after flattening pages tree" (QpdfRuntimeError, found by fuzzing), at opening or later.
_DAMAGED = (pikepdf.PdfError, RuntimeError, ValueError, TypeError)


class PdfBackgrounds:
    """The background PDFs opened so far (by path, or by the identity of their bytes)."""

    def __init__(self) -> None:
        self._sources: dict[tuple[object, ...], pikepdf.Pdf | None] = {}

    def source(self, background: Background | None) -> tuple[pikepdf.Pdf, int] | None:
        """(the PDF, its page) to draw as vectors under the page, or None (drawn by Qt)."""
        if background is None or background.kind != BackgroundKind.PDF or background.missing:
            return None
        key = (background.pdf_path, id(background.pdf_data))
        if key not in self._sources:
            self._sources[key] = _open(background)
        pdf = self._sources[key]
        try:
            if pdf is None or not 0 <= background.pdf_page < len(pdf.pages):
                return None
            if int(pdf.pages[background.pdf_page].obj.get("/Rotate", 0)) % 360:
                return None  # (turned pages: Qt's raster shows them as the window does)
        except _DAMAGED:
            return None
        return pdf, background.pdf_page

    def close(self) -> None:
        for pdf in self._sources.values():
            if pdf is not None:
                pdf.close()
        self._sources.clear()


def _open(background: Background) -> pikepdf.Pdf | None:
    try:
        if background.pdf_data is not None:
            import io

            return pikepdf.open(io.BytesIO(background.pdf_data))
        return pikepdf.open(str(background.pdf_path))
    except (*_DAMAGED, OSError):
        return None


def paper_page(page: Page) -> Page:
    """`page` as the paper pass paints it when its PDF background is drawn as vectors."""
    assert page.background is not None
    background = dataclasses.replace(
        page.background, kind=BackgroundKind.SOLID, color=_NO_PAPER, pdf_path=None, pdf_data=None
    )
    return dataclasses.replace(page, background=background)


def underlay(pdf: pikepdf.Pdf, target: pikepdf.Page, source: pikepdf.Pdf, index: int) -> list[pikepdf.Object]:
    """Content streams that paint white paper and the source page over all of `target`."""
    form = pdf.copy_foreign(source.pages[index].as_form_xobject())
    name = target.add_resource(form, pikepdf.Name.XObject, prefix="BgPdf")
    x0, y0, x1, y1 = (float(v) for v in target.mediabox)
    rect = pikepdf.Rectangle(x0, y0, x1, y1)
    placed = target.calc_form_xobject_placement(form, name, rect, allow_shrink=True, allow_expand=True)
    paper = f"q 1 1 1 rg {x0:.4f} {y0:.4f} {x1 - x0:.4f} {y1 - y0:.4f} re f Q\n".encode()
    return [pdf.make_stream(paper + b"q\n" + bytes(placed) + b"\nQ\n")]
