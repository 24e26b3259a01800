"""A multi-page PDF of notebook pages, written as Xournal++ writes one: the ink as vector
strokes (render.pdf_ink) in one compressed stream per page, the few graphics states it
needs shared by every page. Qt's PDF writer paints only what is not ink — paper, rulings,
images (a page of text boxes apart, so the text stays above the ink) — and pikepdf puts
the ink between them. Painting 600 000 points through QPainter made a 100 MB file in 45 s
(a polygon per pressure segment; QPdfWriter.newPage flushing it all); this writes the
same ink in a file a fifteenth the size in a few seconds.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Sequence

import pikepdf
from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QSizeF
from PySide6.QtGui import QPageSize, QPainter, QPdfWriter, QTransform

from ..model import Page
from ..model.units import MM_PER_INCH
from .backgrounds import RasterCache
from .page_renderer import PageRenderer
from .pdf_backgrounds import PdfBackgrounds, paper_page, underlay
from .pdf_ink import GraphicsStates, ink_content

PDF_DPI = 1200  # Qt's PDF coordinates' resolution
VECTOR_RASTER_DPI = 300.0  # resolution of raster parts (scanned backgrounds)


class PdfError(Exception):
    """Qt could not paint the PDF."""


def pdf_bytes(pages: Sequence[Page], title: str, page_done: Callable[[int], None] = lambda _n: None) -> bytes:
    """One PDF page per notebook page, at its size; `page_done(n)` after page n's ink is
    written (what it raises, a cancel, stops the writing)."""
    backgrounds = PdfBackgrounds()
    try:
        vectors = [backgrounds.source(page.background) for page in pages]
        paper, text_pages = _paper(pages, title, vectors)
        return _with_ink(paper, pages, text_pages, vectors, page_done)
    finally:
        backgrounds.close()  # (the copied background pages are read from them while saving)


def _with_ink(
    paper: bytes,
    pages: Sequence[Page],
    text_pages: list[tuple[int, int | None]],
    vectors: list[tuple[pikepdf.Pdf, int] | None],
    page_done: Callable[[int], None],
) -> bytes:
    pdf = pikepdf.open(io.BytesIO(paper))
    states = GraphicsStates()
    save, restore = pdf.make_stream(b"q\n"), pdf.make_stream(b"Q\n")
    drop: list[int] = []
    for n, page in enumerate(pages):
        target = pdf.pages[text_pages[n][0]]
        vector = vectors[n]
        under = underlay(pdf, target, *vector) if vector is not None else []
        contents = [*under, save, *_contents(target), restore, _ink_stream(pdf, target, page, states)]
        text_page = text_pages[n][1]
        if text_page is not None:
            texts = pdf.pages[text_page]
            contents += [save, *_contents(texts), restore]
            _merge_resources(target, texts)
            drop.append(text_page)
        target.obj.Contents = pikepdf.Array(contents)
        page_done(n)
    for index in sorted(drop, reverse=True):
        del pdf.pages[index]
    _add_states(pdf, states)
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _paper(
    pages: Sequence[Page], title: str, vectors: list[tuple[pikepdf.Pdf, int] | None]
) -> tuple[bytes, list[tuple[int, int | None]]]:
    """Qt's PDF of the pages without their ink (nor the PDF backgrounds drawn as vectors),
    and for each notebook page the index of its paper page and of its text page (None
    without text boxes)."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PDF_DPI)
    writer.setTitle(title)
    writer.setCreator("pencastviewer")
    set_page_size(writer, pages[0])
    painter = QPainter()
    if not painter.begin(writer):
        raise PdfError("cannot start the PDF")
    layout: list[tuple[int, int | None]] = []
    count = 0
    scale = QTransform.fromScale(PDF_DPI / MM_PER_INCH, PDF_DPI / MM_PER_INCH)
    cache = RasterCache()  # one for all pages: a background PDF or image is opened once
    try:
        for n, page in enumerate(pages):
            renderer = PageRenderer(paper_page(page) if vectors[n] else page, cache)
            if n:
                set_page_size(writer, page)
                writer.newPage()
            painter.setTransform(scale)
            renderer.paint(painter, VECTOR_RASTER_DPI / MM_PER_INCH, ink=False, texts=False)
            paper_index = count
            count += 1
            if page.texts:
                writer.newPage()
                painter.setTransform(scale)
                renderer.paint_texts(painter)
                count += 1
            layout.append((paper_index, paper_index + 1 if page.texts else None))
    finally:
        painter.end()
    return bytes(buffer.data().data()), layout


def set_page_size(writer: QPdfWriter, page: Page) -> None:
    """The next PDF page the size of `page`, no margins (every PDF writer here uses it)."""
    size = QPageSize(
        QSizeF(page.width_mm, page.height_mm),
        QPageSize.Unit.Millimeter,
        "",
        QPageSize.SizeMatchPolicy.ExactMatch,
    )
    writer.setPageSize(size)
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))


def _contents(page: pikepdf.Page) -> list[pikepdf.Object]:
    contents = page.obj.get("/Contents")
    if contents is None:
        return []
    if isinstance(contents, pikepdf.Array):
        return list(contents)
    return [contents]


def _ink_stream(pdf: pikepdf.Pdf, target: pikepdf.Page, page: Page, states: GraphicsStates) -> pikepdf.Stream:
    """The page's ink under a transform from hundredths of a point, y down from the top of
    the page's box (the box Qt made is the page's size)."""
    x0, _, _, top = (float(v) for v in target.mediabox)
    head = f"q 0.01 0 0 -0.01 {x0:.4f} {top:.4f} cm\n".encode()
    data = zlib.compress(head + ink_content(page, states) + b"Q\n", 6)
    stream = pikepdf.Stream(pdf, data)
    stream.Filter = pikepdf.Name.FlateDecode
    return stream


def _merge_resources(target: pikepdf.Page, source: pikepdf.Page) -> None:
    """The resources of `source` added to those of `target` (Qt names them uniquely
    within one document, so nothing is overwritten)."""
    theirs = source.obj.get("/Resources")
    if theirs is None:
        return
    mine = target.obj.get("/Resources")
    if mine is None:
        target.obj.Resources = mine = pikepdf.Dictionary()
    for kind, entries in theirs.items():
        if not isinstance(entries, pikepdf.Dictionary):
            if kind not in mine:
                mine[kind] = entries
            continue
        if kind not in mine:
            mine[kind] = pikepdf.Dictionary()
        for name, value in entries.items():
            if name not in mine[kind]:
                mine[kind][name] = value


def _add_states(pdf: pikepdf.Pdf, states: GraphicsStates) -> None:
    """Each graphics state once, referred to by every page."""
    if not states.names:
        return
    shared = {
        name: pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.ExtGState,
                CA=stroke_alpha / 255,
                ca=fill_alpha / 255,
                BM=pikepdf.Name.Multiply if multiply else pikepdf.Name.Normal,
            )
        )
        for (stroke_alpha, fill_alpha, multiply), name in states.names.items()
    }
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        if resources is None:
            page.obj.Resources = resources = pikepdf.Dictionary()
        if "/ExtGState" not in resources:
            resources.ExtGState = pikepdf.Dictionary()
        for name, state in shared.items():
            resources.ExtGState[f"/{name}"] = state
