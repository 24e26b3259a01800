"""Notebook file formats: one module per format family, an explicit registry, no Qt."""

from .errors import (
    CorruptFileError,
    FileMissingError,
    FileUnreadableError,
    FormatError,
    NotAPencastError,
    TooLargeError,
    UnknownFormatError,
)
from .registry import (
    FormatSpec,
    ReadOptions,
    all_formats,
    detect,
    read_notebook,
    read_with_format,
    writer_for,
)

__all__ = [
    "CorruptFileError",
    "FileMissingError",
    "FileUnreadableError",
    "FormatError",
    "FormatSpec",
    "NotAPencastError",
    "ReadOptions",
    "TooLargeError",
    "UnknownFormatError",
    "all_formats",
    "detect",
    "read_notebook",
    "read_with_format",
    "writer_for",
]
