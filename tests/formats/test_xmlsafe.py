"""Untrusted XML (issue 10): a DTD is refused by the parser itself in every encoding, an
unknown encoding= and deep nesting are FormatErrors naming the place, for every XML reader."""

from __future__ import annotations

import gzip
from pathlib import Path

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
