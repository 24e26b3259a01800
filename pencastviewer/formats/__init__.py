"""Notebook file formats: one module per format family, an explicit registry, no Qt.

The registry (and numpy with it) loads on first use of its names, not with the package:
`info` starts inflating the file (formats.inflating) before that import, to overlap them.
"""

from typing import TYPE_CHECKING, Any

from .errors import (
    CorruptFileError,
    FileMissingError,
    FileUnreadableError,
    FormatError,
    NotAPencastError,
    TooLargeError,
    UnknownFormatError,
)

if TYPE_CHECKING:
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

_FROM_REGISTRY = (
    "FormatSpec",
    "ReadOptions",
    "all_formats",
    "detect",
    "read_notebook",
    "read_with_format",
    "writer_for",
)


def __getattr__(name: str) -> Any:
    if name in _FROM_REGISTRY:
        from . import registry

        return getattr(registry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
