"""The one read entry point: the CLI, the window's open worker (app.open_notebook), exports
and convert all read through formats.read_notebook, which raises only typed FormatErrors
naming the file."""

from __future__ import annotations

import gzip
import os
import zipfile
from pathlib import Path

import pytest

from pencastviewer.app.document import open_notebook
from pencastviewer.formats import (
    CorruptFileError,
    FileMissingError,
    FileUnreadableError,
    FormatError,
    FormatSpec,
    ReadOptions,
    TooLargeError,
    UnknownFormatError,
    detect,
    read_notebook,
    read_with_format,
)
from pencastviewer.model import Notebook


def bad_inputs(folder: Path, demo: Path) -> dict[str, tuple[Path, type[FormatError]]]:
    truncated = folder / "cut.pencast"
    truncated.write_bytes(demo.read_bytes()[: demo.stat().st_size // 2])
    xopp = folder / "broken.xopp"
    xopp.write_bytes(gzip.compress(b"<?xml version='1.0'?><xournal><page width='x'"))
    stranger = folder / "letter.txt"
    stranger.write_text("Dear reader")
    empty_zip = folder / "empty.pencast"
    with zipfile.ZipFile(empty_zip, "w") as z:
        z.writestr("readme.txt", "no notebook here")
    (folder / "a folder.xopp").mkdir()
    return {
        "missing": (folder / "gone.pencast", FileMissingError),
        "folder": (folder / "a folder.xopp", UnknownFormatError),
        "stranger": (stranger, UnknownFormatError),
        "truncated": (truncated, FormatError),
        "broken xopp": (xopp, CorruptFileError),
        "empty zip": (empty_zip, FormatError),
    }


def test_the_window_and_the_cli_read_alike(tmp_path: Path, demo_path: Path) -> None:
    for name, (path, kind) in bad_inputs(tmp_path, demo_path).items():
        with pytest.raises(kind) as by_cli:
            read_notebook(path)
        with pytest.raises(kind) as by_window:
            open_notebook(path)
        assert type(by_cli.value) is type(by_window.value), name
        assert str(by_cli.value) == str(by_window.value), name
        assert by_cli.value.path == str(path) and str(path) in str(by_cli.value), name
    document = open_notebook(demo_path)
    assert document.notebook == read_notebook(demo_path) and document.format_name == detect(demo_path).name


def _spec(error: BaseException) -> FormatSpec:
    def read(path: Path, options: ReadOptions) -> Notebook:
        raise error

    return FormatSpec("test", "test notebook", (".test",), lambda head, path: True, read)


@pytest.mark.parametrize(
    ("error", "kind", "message"),
    [
        (ValueError("bad number"), CorruptFileError, "malformed test notebook: bad number"),
        (IndexError("list index out of range"), CorruptFileError, "malformed test notebook"),
        (MemoryError(), TooLargeError, "too large to open"),
        (FileNotFoundError(2, "No such file or directory", "beside.ogg"), FileMissingError, "beside.ogg"),
        (PermissionError(13, "Permission denied"), FileUnreadableError, "cannot read: Permission denied"),
    ],
)
def test_what_a_reader_did_not_foresee_becomes_a_typed_error_naming_the_file(
    tmp_path: Path, error: BaseException, kind: type[FormatError], message: str
) -> None:
    path = tmp_path / "n.test"
    path.write_text("x")
    with pytest.raises(kind, match=message) as raised:
        read_with_format(path, spec=_spec(error))
    assert raised.value.path == os.fspath(path)
