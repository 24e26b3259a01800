"""Fuzz finding (issue 10): a PDF whose page tree holds something that is not a page and a
/Count QPDF cannot reconcile makes pikepdf.open raise QpdfRuntimeError ("/Count is wrong
after flattening pages tree"), a RuntimeError rather than a PdfError. Every reader that opens
PDFs gives one FormatError naming the file; what draws a PDF background falls back to Qt."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pikepdf
import pytest

from pencastviewer.cli.main import main
from pencastviewer.formats import FormatError, read_notebook
from pencastviewer.formats.livescribe.pdf import embedded_file_bytes

PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"


def damaged_pdf(count: bytes = b"") -> bytes:
    """Two pages and a kid that is a number; `count`: the /Count entry (none by default)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 4 0 R 5] %s>>" % count,
        PAGE,
        PAGE,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer << /Root 1 0 R /Size %d >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


@pytest.fixture(params=[b"", b"/Count 1 "], ids=["no Count", "Count 1"])
def damaged(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    path = tmp_path / "lecture.pdf"
    path.write_bytes(damaged_pdf(request.param))
    with pytest.raises(RuntimeError, match="/Count is wrong after flattening pages tree"):
        pikepdf.open(path)  # the finding itself, or this test tests nothing
    return path


def test_reading_the_pdf_gives_one_format_error_naming_it(damaged: Path) -> None:
    with pytest.raises(FormatError) as caught:
        read_notebook(damaged)
    assert str(caught.value).startswith(str(damaged)) and "not a readable PDF" in str(caught.value)


def test_its_embedded_audio_gives_one_format_error_naming_it(damaged: Path) -> None:
    with pytest.raises(FormatError) as caught:
        embedded_file_bytes(damaged, "Livescribe_Audio0.m4a")
    assert str(caught.value).startswith(str(damaged))


def test_info_says_so_in_one_line(damaged: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(damaged)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(damaged) in err and "internal error" not in err


def test_a_xopp_on_that_pdf_exports_its_pages_without_it(
    qapp, damaged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Xournal++ annotates any PDF: its pages are read, and the whole-document PDF export,
    which copies a background PDF's pages as vectors, leaves this one to Qt instead."""
    notes = damaged.with_name("notes.xopp")
    page = (
        '<page width="612" height="792"><background type="pdf" domain="absolute" '
        f'filename="{damaged}" pageno="1"/><layer><stroke tool="pen" color="#000000ff" width="1">'
        "10 10 20 20</stroke></layer></page>"
    )
    xml = f'<?xml version="1.0"?><xournal creator="test" fileversion="4">{page}</xournal>'
    notes.write_bytes(gzip.compress(xml.encode()))
    assert len(read_notebook(notes).pages) == 1
    out = damaged.with_name("notes-all.pdf")
    status = main(["export", str(notes), "-o", str(out)])
    err = capsys.readouterr().err
    assert "internal error" not in err and "Traceback" not in err
    assert status == 0, err
    with pikepdf.open(out) as written:
        assert len(written.pages) == 1
