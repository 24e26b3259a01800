"""The explicit registry of notebook formats: detect a file's format and read it.

Each format module defines `FORMAT = FormatSpec(...)`. Modules are imported only when the
registry is first asked, so `pencastviewer info` does not pay for readers it won't use.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..model import Notebook
from .errors import (
    CorruptFileError,
    FileMissingError,
    FileUnreadableError,
    FormatError,
    TooLargeError,
    UnknownFormatError,
)
from .limits import check_notebook

# Order matters only when two sniffers accept the same bytes: the first wins.
_FORMAT_MODULES = (
    "pencastviewer.formats.pencast",
    "pencastviewer.formats.livescribe.archive",
    "pencastviewer.formats.livescribe.pdf",
    "pencastviewer.formats.xournalpp.reader",
    "pencastviewer.formats.inkml.notebook",
)

SNIFF_BYTES = 4096
# The reader a file's extension names, tried alone first when the content cannot be a ZIP
# (the one container several formats share): the others need not even be imported.
_BY_EXTENSION = {
    ".xopp": "pencastviewer.formats.xournalpp.reader",
    ".xoj": "pencastviewer.formats.xournalpp.reader",
    ".pdf": "pencastviewer.formats.livescribe.pdf",
    ".inkml": "pencastviewer.formats.inkml.notebook",
}


@dataclass(frozen=True)
class ReadOptions:
    """What the user gave besides the file: extra audio files to align with the ink
    (InkML `--audio`), folders to search for linked recordings (Xournal++ audio folder),
    and previously located recordings (name in the file -> path on disk)."""

    audio_paths: tuple[Path, ...] = ()
    search_dirs: tuple[Path, ...] = ()
    located: dict[str, Path] = field(default_factory=dict)


@dataclass(frozen=True)
class FormatSpec:
    """name: stable id (stored as Notebook.source_format); description: for the open
    dialog; extensions: lower-case with dot; sniff(head, path): True when the first
    bytes (up to SNIFF_BYTES) look like this format; read(path, options) -> Notebook;
    write(notebook, path) for formats the program can save."""

    name: str
    description: str
    extensions: tuple[str, ...]
    sniff: Callable[[bytes, Path], bool]
    read: Callable[[Path, ReadOptions], Notebook]
    write: Callable[[Notebook, Path], None] | None = None


_loaded: list[FormatSpec] | None = None


def all_formats() -> list[FormatSpec]:
    global _loaded
    if _loaded is None:
        _loaded = [importlib.import_module(m).FORMAT for m in _FORMAT_MODULES]
    return list(_loaded)


def open_filter() -> str:
    """A Qt file-dialog filter string listing every readable format."""
    specs = all_formats()
    every = " ".join(f"*{e}" for s in specs for e in s.extensions)
    lines = [f"All notebooks ({every})"]
    lines += [f"{s.description} ({' '.join('*' + e for e in s.extensions)})" for s in specs]
    return ";;".join(lines + ["All files (*)"])


def detect(path: str | os.PathLike[str]) -> FormatSpec:
    """The format of `path`, by content first and extension second."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            head = f.read(SNIFF_BYTES)
    except FileNotFoundError:
        raise FileMissingError(path, "no such file") from None
    except IsADirectoryError:
        raise UnknownFormatError(path, "is a folder, not a notebook file") from None
    except OSError as e:
        raise FileUnreadableError(path, f"cannot read: {e.strerror or e}") from None
    named = _BY_EXTENSION.get(path.suffix.lower())
    if named is not None and not head.startswith(b"PK"):
        spec: FormatSpec = importlib.import_module(named).FORMAT
        if spec.sniff(head, path):
            return spec
    specs = all_formats()
    for spec in specs:
        if spec.sniff(head, path):
            return spec
    suffix = path.suffix.lower()
    known = ", ".join(e for s in specs for e in s.extensions)
    if any(suffix in s.extensions for s in specs):
        raise UnknownFormatError(path, f"the content is not a valid {suffix} file")
    raise UnknownFormatError(path, f"unknown file format (readable: {known})")


def read_notebook(path: str | os.PathLike[str], options: ReadOptions | None = None) -> Notebook:
    """Read any supported notebook (read_with_format without the format)."""
    return read_with_format(path, options)[1]


def read_with_format(
    path: str | os.PathLike[str], options: ReadOptions | None = None, *, spec: FormatSpec | None = None
) -> tuple[FormatSpec, Notebook]:
    """The one read entry point: the format found (or `spec`, when the caller knows it) and
    the notebook read, checked (every number finite and within formats.limits, declared
    audio spans against the audio present). Every failure is a FormatError subclass naming
    the file (and the place, when the reader knows it): FileMissingError,
    FileUnreadableError, UnknownFormatError, NotAPencastError, CorruptFileError,
    TooLargeError."""
    path = Path(path)
    spec = spec or detect(path)
    try:
        # Overflows in a reader's arithmetic on hostile numbers are expected; what comes
        # out is checked below, so numpy need not warn about them.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            notebook = spec.read(path, options or ReadOptions())
        return spec, check_notebook(notebook, path)
    except FormatError:
        raise
    except RecursionError:
        raise CorruptFileError(path, f"malformed {spec.description}: nested too deeply") from None
    except (ValueError, LookupError, ArithmeticError, EOFError, TypeError, AttributeError) as e:
        # A reader bug or an input the reader did not foresee: still one clear line.
        raise CorruptFileError(path, f"malformed {spec.description}: {_first_line(e)}") from e
    except MemoryError:
        raise TooLargeError(path, "too large to open") from None
    except FileNotFoundError as e:  # a file the notebook needs vanished while being read
        raise FileMissingError(path, f"no such file: {e.filename or e}") from None
    except OSError as e:
        raise FileUnreadableError(path, f"cannot read: {e.strerror or e}") from None


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:300]


def writer_for(path: str | os.PathLike[str]) -> FormatSpec:
    suffix = Path(path).suffix.lower()
    for spec in all_formats():
        if spec.write is not None and suffix in spec.extensions:
            return spec
    raise FormatError(path, f"cannot write {suffix or 'files without an extension'}")
