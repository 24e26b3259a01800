"""Which files one `export` writes: one clip, or one image per page (`{n}` in OUT,
`--pages 1-5,8`), or a multi-page PDF of whole pages."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from ..app.document import OpenedNotebook
from ..app.export.core import ClipSpec, ExportError
from ..app.export.request import ClipRange, ClipRequest, build_clip

_IMAGES = frozenset({".png", ".svg", ".pdf"})
_ONE_PAGE_IMAGES = frozenset({".png", ".svg"})
PAGE_FIELD = "{n}"  # in OUT: the page number (1 = first), one file per page


def page_list(text: str) -> tuple[int, ...]:
    """'1-5,8' -> (1, 2, 3, 4, 5, 8): page numbers as the user typed them (1 = first)."""
    pages: list[int] = []
    for part in text.split(","):
        first, dash, last = part.strip().partition("-")
        try:
            i, j = int(first), int(last) if dash else int(first)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected page numbers like 1-5,8, got {text!r}") from None
        if not 1 <= i <= j:
            raise argparse.ArgumentTypeError(f"expected pages 1 <= I <= J, got {part.strip()!r}")
        pages.extend(n for n in range(i, j + 1) if n not in pages)
    return tuple(pages)


def pages_text(pages: tuple[int, ...], n_pages: int) -> str:
    """'pages 1–3, 5 of 6' for 0-based `pages`."""
    runs: list[str] = []
    for p in sorted(pages):
        if runs and runs[-1].rsplit("–", 1)[-1] == str(p):
            first = runs[-1].split("–")[0]
            runs[-1] = f"{first}–{p + 1}"
        else:
            runs.append(str(p + 1))
    word = "page" if len(pages) == 1 else "pages"
    return f"{word} {', '.join(runs)} of {n_pages}"


def _page_path(out: str, number: int) -> Path:
    return Path(out.replace(PAGE_FIELD, str(number)))


def jobs(
    document: OpenedNotebook,
    args: argparse.Namespace,
    clip_spec: Callable[[OpenedNotebook, argparse.Namespace], ClipSpec],
) -> list[tuple[Path, ClipSpec]]:
    """(file, clip) to write, in order. Whole pages — every page unless --page/--pages
    says which — for image exports without times or strokes; one clip otherwise."""
    out = str(args.output)
    ext = Path(out).suffix.lower()
    n_pages = len(document.notebook.pages)
    ranged = args.strokes is not None or args.start is not None or args.end is not None
    if args.pages is not None and (args.page is not None or ranged or ext not in _IMAGES):
        raise ExportError(
            "--pages picks whole pages of a .png, .svg or .pdf; not with --page, times or strokes"
        )
    if PAGE_FIELD in out and (ext not in _ONE_PAGE_IMAGES or ranged or args.page is not None):
        raise ExportError(f"{PAGE_FIELD} in the output name numbers pages of a .png or .svg export")
    if ext not in _IMAGES or ranged:
        return [(Path(out), clip_spec(document, args))]
    wanted = _wanted_pages(args, n_pages)
    if PAGE_FIELD in out:
        return [(_page_path(out, p + 1), _whole_page(document, args, p)) for p in wanted]
    if ext == ".pdf":
        return [(Path(out), _whole_pages(document, args, wanted))]
    if len(wanted) > 1 and args.pages is not None:
        raise ExportError(
            f"{len(wanted)} pages cannot go into one {ext} file: put {PAGE_FIELD} in the name, "
            f"e.g. page-{PAGE_FIELD}{ext}"
        )
    return [(Path(out), _whole_page(document, args, wanted[0] if wanted else 0))]


def _wanted_pages(args: argparse.Namespace, n_pages: int) -> list[int]:
    if args.pages is not None:
        numbers = list(args.pages)
    elif args.page is not None:
        numbers = [args.page]
    else:
        numbers = list(range(1, n_pages + 1))
    for n in numbers:
        if not 1 <= n <= n_pages:
            raise ExportError(f"page {n} does not exist (the file has {n_pages} pages)")
    return [n - 1 for n in numbers]


def _whole_page(document: OpenedNotebook, args: argparse.Namespace, page: int) -> ClipSpec:
    """One whole page with all its ink, whatever recordings the ink links."""
    return _whole_pages(document, args, [page])


def _whole_pages(document: OpenedNotebook, args: argparse.Namespace, pages: list[int]) -> ClipSpec:
    request = ClipRequest(
        ClipRange.PAGES, pages=tuple(pages), fade_ms=args.fade, size=args.size, dpi=args.dpi
    )
    return build_clip(document, request)
