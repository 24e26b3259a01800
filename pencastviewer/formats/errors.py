"""Errors raised by readers and writers: each says which file and what is wrong."""

from __future__ import annotations

import os


class FormatError(Exception):
    """A file could not be read or written. `str(err)` is one line for the user:
    '<file>: <problem>' (plus ' (at <where>)' when a position is known)."""

    def __init__(self, path: str | os.PathLike[str] | None, problem: str, *, where: str | None = None):
        self.path = os.fspath(path) if path is not None else None
        self.problem = problem
        self.where = where
        text = f"{self.path}: {problem}" if self.path else problem
        if where:
            text += f" (at {where})"
        super().__init__(text)


class FileMissingError(FormatError):
    """There is no file at the path (moved, renamed or deleted)."""


class FileUnreadableError(FormatError):
    """The file exists but the system refused to read it (permissions, a vanished disk, I/O)."""


class UnknownFormatError(FormatError):
    """No reader recognises the file."""


class NotAPencastError(FormatError):
    """The file is of a known container type (e.g. PDF) but holds no notebook data."""


class CorruptFileError(FormatError):
    """The file claims a format but its content is malformed or truncated."""


class TooLargeError(CorruptFileError):
    """A declared size exceeds what the reader accepts (bounded reads of untrusted files)."""
