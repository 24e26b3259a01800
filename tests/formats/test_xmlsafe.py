"""Untrusted XML (issue 10): a DTD is refused by the parser itself in every encoding, an
unknown encoding= and deep nesting are FormatErrors naming the place, for every XML reader."""

from __future__ import annotations

import gzip
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import FrameType

import pytest

from pencastviewer.formats import CorruptFileError, FormatError, read_notebook
from pencastviewer.formats.xmlsafe import MAX_XML_DEPTH, parse_xml

NS = 'xmlns="http://www.w3.org/2003/InkML"'
LAUGHS = '<!DOCTYPE ink [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'


def inkml(body: str, *, encoding: str = "UTF-8", prolog: str = "") -> bytes:
    text = f'<?xml version="1.0" encoding="{encoding}"?>{prolog}<ink {NS}>{body}</ink>'
    return text.encode(encoding if encoding.lower().startswith("utf") else "utf-8")


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16", "UTF-16LE", "UTF-16BE", "ISO-8859-1"])
def test_a_dtd_is_refused_in_every_encoding(tmp_path: Path, encoding: str) -> None:
    text = f'<?xml version="1.0" encoding="{encoding}"?>{LAUGHS}<ink {NS}><trace>&b;</trace></ink>'
    data = text.encode(encoding.replace("ISO-8859-1", "latin-1"))
    if encoding == "UTF-16":
        assert b"<!DOCTYPE" not in data  # a byte search finds nothing here
    with pytest.raises(CorruptFileError, match=r"declares a DTD.*\(at <!DOCTYPE ink>\)") as caught:
        parse_xml(data, tmp_path / "laughs.inkml", what="InkML")
    assert str(caught.value).startswith(str(tmp_path / "laughs.inkml"))


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16"])
def test_every_xml_reader_refuses_a_dtd(tmp_path: Path, encoding: str) -> None:
    """Xournal++ (gzip) in UTF-16 reaches the parser; so does UTF-8 InkML."""
    xopp = f'<?xml version="1.0" encoding="{encoding}"?>{LAUGHS}<xournal fileversion="4"><page/></xournal>'
    paths = [tmp_path / "laughs.xopp"]
    paths[0].write_bytes(gzip.compress(xopp.encode(encoding)))
    if encoding == "UTF-8":
        paths.append(tmp_path / "laughs.inkml")
        paths[1].write_bytes(inkml("<trace>&b;</trace>", prolog=LAUGHS))
    for path in paths:
        with pytest.raises(FormatError, match=r"DTD|not a valid") as caught:
            read_notebook(path)
        assert str(caught.value).startswith(str(path))


def test_an_external_entity_is_never_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me")
    prolog = f'<!DOCTYPE ink [<!ENTITY x SYSTEM "file://{secret}">]>'
    data = inkml("<trace>&x;</trace>", encoding="UTF-16", prolog=prolog)
    with pytest.raises(CorruptFileError, match="DTD"):
        parse_xml(data, tmp_path / "xxe.inkml")


@pytest.mark.parametrize("suffix", [".inkml", ".xopp"])
def test_an_unknown_encoding_is_a_format_error(tmp_path: Path, suffix: str) -> None:
    data = b'<?xml version="1.0" encoding="x-no-such-encoding"?>'
    if suffix == ".inkml":
        data += f"<ink {NS}><trace>0 0, 1 1</trace></ink>".encode()
    else:
        data = gzip.compress(data + b'<xournal creator="Xournal++" fileversion="4"><page/></xournal>')
    path = tmp_path / f"enc{suffix}"
    path.write_bytes(data)
    with pytest.raises(FormatError, match="encoding that is not known") as caught:
        read_notebook(path)
    assert str(caught.value).startswith(str(path))


def test_deep_nesting_is_refused_before_any_reader_recurses(tmp_path: Path) -> None:
    depth = 3000
    body = "<traceGroup>" * depth + "<trace>0 0, 1 1</trace>" + "</traceGroup>" * depth
    path = tmp_path / "deep.inkml"
    path.write_bytes(inkml(body))
    with pytest.raises(CorruptFileError, match=f"more than {MAX_XML_DEPTH} deep.*<traceGroup>"):
        read_notebook(path)


def test_a_parse_error_names_line_and_column_once(tmp_path: Path) -> None:
    with pytest.raises(CorruptFileError) as caught:
        parse_xml(b"<ink>\n  <trace>0 0</ink>", tmp_path / "bad.inkml", what="InkML")
    message = str(caught.value)
    assert message.endswith("(at line 2, column 14)") and message.split(": ", 1)[1].count("line") == 1


def test_ordinary_nesting_and_encodings_still_parse(tmp_path: Path) -> None:
    body = "<traceGroup>" * 20 + "<trace>0 0, 1 1</trace>" + "</traceGroup>" * 20
    for encoding in ("UTF-8", "UTF-16", "ISO-8859-1"):
        root = parse_xml(inkml(body, encoding=encoding), tmp_path / "ok.inkml")
        assert root.tag.endswith("ink") and len(root.findall(".//{*}trace")) == 1


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16"])
def test_a_dtd_is_refused_wherever_the_chunks_are_cut(tmp_path: Path, encoding: str) -> None:
    """The DOCTYPE check reads each chunk before the tree's parser does (the gzip stream
    arrives in chunks): a cut anywhere in the prolog still refuses it, before any entity."""
    text = f'<?xml version="1.0" encoding="{encoding}"?>{LAUGHS}<ink {NS}><trace>&b;</trace></ink>'
    data = text.encode(encoding)
    prolog_end = len(text[: text.index("<ink")].encode(encoding))
    for cut in range(1, prolog_end + 8):
        with pytest.raises(CorruptFileError, match=r"declares a DTD"):
            parse_xml(iter([data[:cut], data[cut:]]), tmp_path / "cut.inkml", what="InkML")


def test_a_chunked_document_parses_as_a_whole_one(tmp_path: Path) -> None:
    body = "".join(f"<trace>{k} {k}, {k + 1} {k}</trace>" for k in range(3000))
    data = inkml(f"<traceGroup>{body}</traceGroup>")
    whole = parse_xml(data, tmp_path / "a.inkml")
    pieces = [data[k : k + 777] for k in range(0, len(data), 777)]
    chunked = parse_xml(iter(pieces), tmp_path / "a.inkml")
    assert ET.tostring(chunked) == ET.tostring(whole)


def test_the_tree_is_built_without_python_per_element(tmp_path: Path) -> None:
    """ElementTree's C builder makes the tree: a builder of ours was called in Python for
    every element and text (30% of parsing a 16 MB notebook)."""
    data = inkml("".join(f"<trace>{k} 0, 1 1</trace>" for k in range(2000)))
    ours: list[str] = []

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and frame.f_code.co_filename.endswith("xmlsafe.py"):
            ours.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        root = parse_xml(data, tmp_path / "many.inkml")
    finally:
        sys.setprofile(None)
    assert len(root) == 2000
    assert len(ours) < 20, ours[:20]


def test_a_deep_nest_is_refused_before_it_grows(tmp_path: Path) -> None:
    """The depth is checked between the chunks the tree's parser takes: a 2 MB nest is
    refused after its first 64 KB, not built whole (an element is ~100 bytes of memory)."""
    fed: list[int] = []
    original = ET.XMLPullParser.feed

    def counted(self: ET.XMLPullParser[ET.Element], data: bytes) -> None:
        fed.append(len(data))
        original(self, data)

    data = b"<a>" * 700_000 + b"</a>" * 700_000
    ET.XMLPullParser.feed = counted  # type: ignore[method-assign]
    try:
        with pytest.raises(CorruptFileError, match="more than 256 deep"):
            parse_xml(data, tmp_path / "deep.xml")
    finally:
        ET.XMLPullParser.feed = original  # type: ignore[method-assign]
    assert sum(fed) <= 64 * 1024
