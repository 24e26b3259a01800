"""A gzip file inflated in a thread and handed over in chunks (formats.inflating): the same
bytes as gzip gives, in more than one chunk (the parser starts before inflating ends), the
same bounds and errors as the whole-file read it replaced, and a file prefetched by `info`
is the one the reader takes."""

from __future__ import annotations

import gzip
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pencastviewer.formats import CorruptFileError, TooLargeError, inflating, read_notebook
from pencastviewer.formats.inflating import Inflating, prefetch, take
from pencastviewer.formats.xmlsafe import parse_xml


def _document(n: int) -> bytes:
    strokes = "".join(f'<stroke width="1">{k} {k} {k + 1}.5 {k + 2}.25</stroke>' for k in range(n))
    page = f'<page width="100" height="100"><layer>{strokes}</layer></page>'
    return f'<xournal fileversion="4">{page}</xournal>'.encode()


def test_chunks_are_gzips_bytes_members_and_padding_included(tmp_path: Path) -> None:
    first, second = _document(3000)[:40000], _document(3000)[40000:]
    path = tmp_path / "two.xopp"
    # random bytes compress badly: many decompress calls, so many chunks
    noise = os.urandom(300_000).hex().encode()
    path.write_bytes(gzip.compress(first + noise) + b"\0\0\0" + gzip.compress(second))
    with Inflating(path, 1 << 26) as stream:
        chunks = list(stream.chunks())
    assert len(chunks) > 1
    assert b"".join(chunks) == first + noise + second


def test_the_parser_reads_the_chunks_as_they_come(tmp_path: Path) -> None:
    path = tmp_path / "n.xopp"
    path.write_bytes(gzip.compress(_document(20000)))
    with Inflating(path, 1 << 26) as stream:
        streamed = parse_xml(stream.chunks(), path)
    whole = parse_xml(_document(20000), path)
    assert ET.tostring(streamed) == ET.tostring(whole)


def test_plain_files_come_whole(tmp_path: Path) -> None:
    path = tmp_path / "plain.xopp"
    path.write_bytes(_document(10))
    with Inflating(path, 1 << 20) as stream:
        assert list(stream.chunks()) == [_document(10)]


def test_bounds_and_damage_are_format_errors(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xopp"
    bomb.write_bytes(gzip.compress(b" " * (4 << 20)))
    with pytest.raises(TooLargeError, match="gzip bomb"), Inflating(bomb, 1 << 20) as stream:
        stream.read()
    with pytest.raises(TooLargeError, match="file is"), Inflating(bomb, 100) as stream:
        stream.read()
    whole = gzip.compress(_document(2000))
    cut = tmp_path / "cut.xopp"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(CorruptFileError, match="truncated"), Inflating(cut, 1 << 26) as stream:
        stream.read()


def test_a_damaged_stream_is_reported_as_such_not_as_the_xml_it_garbled(tmp_path: Path) -> None:
    """The parser meets the garbled XML before the stream meets the damage; the reader
    still names the damage (as when the whole file was inflated before parsing)."""
    # Stored (level 0) blocks hold the bytes as they are: one changed byte is a control
    # character in the XML, and the checksum at the end is what says the file is damaged.
    data = bytearray(gzip.compress(_document(4000), compresslevel=0))
    data[len(data) // 2] = 1
    path = tmp_path / "damaged.xopp"
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptFileError, match="damaged gzip data"):
        read_notebook(path)


def test_a_prefetched_file_is_the_stream_the_reader_takes(tmp_path: Path) -> None:
    path = tmp_path / "p.xopp"
    path.write_bytes(gzip.compress(_document(10)))
    prefetch(path)
    early = inflating._early[path]
    assert take(path, inflating.MAX_INFLATED_BYTES) is early
    assert path not in inflating._early  # taken once
    assert take(path, inflating.MAX_INFLATED_BYTES) is not early
    plain = tmp_path / "plain.xopp"
    plain.write_bytes(_document(10))
    prefetch(plain)  # only gzip files: another format may be gigabytes its reader never reads whole
    assert plain not in inflating._early
