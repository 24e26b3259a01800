"""Xournal++ backgrounds name files anywhere on disk (issue 10): only regular files whose
name and content are an image or a PDF are opened, the files outside the notebook's folder
that were used are listed (Notebook.outside_files, `info`), and `convert` lists what it
embedded."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pikepdf
import pytest
from PySide6.QtGui import QColor, QImage

from pencastviewer.cli.main import main
from pencastviewer.formats import read_notebook
from pencastviewer.model import BackgroundKind


def notebook_with_backgrounds(path: Path, *backgrounds: str) -> Path:
    pages = "".join(
        f'<page width="595" height="842">{bg}<layer><stroke tool="pen" color="#000000ff" width="1">'
        "10 10 20 20</stroke></layer></page>"
        for bg in backgrounds
    )
    xml = f'<?xml version="1.0"?><xournal creator="test" fileversion="4">{pages}</xournal>'
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(xml.encode()))
    return path


def png(path: Path) -> Path:
    image = QImage(4, 4, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    path.parent.mkdir(parents=True, exist_ok=True)
    assert image.save(str(path), "PNG")
    return path


def pdf(path: Path) -> Path:
    document = pikepdf.new()
    document.add_blank_page()
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path


def test_a_background_naming_a_private_file_is_never_opened(tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere" / "secret"
    secret.parent.mkdir()
    secret.write_bytes(b"%PDF-1.4 not really, but it starts like one")
    fifo = tmp_path / "elsewhere" / "pipe.pdf"
    os.mkfifo(fifo)  # opening it would block the reader for ever
    path = notebook_with_backgrounds(
        tmp_path / "notes" / "n.xopp",
        f'<background type="pixmap" domain="absolute" filename="{secret}"/>',
        f'<background type="pdf" domain="absolute" filename="{secret}" pageno="1"/>',
        f'<background type="pdf" domain="absolute" filename="{fifo}" pageno="1"/>',
        '<background type="pixmap" domain="absolute" filename="/etc/passwd"/>',
    )
    notebook = read_notebook(path)
    assert all(p.background.kind == BackgroundKind.SOLID for p in notebook.pages)  # type: ignore[union-attr]
    assert notebook.outside_files == ()


def test_files_used_outside_the_folder_are_listed_by_info_and_convert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside_pdf = pdf(tmp_path / "slides" / "lecture.pdf")
    outside_png = png(tmp_path / "pictures" / "board.png")
    inside_png = png(tmp_path / "notes" / "paper.png")
    path = notebook_with_backgrounds(
        tmp_path / "notes" / "n.xopp",
        f'<background type="pdf" domain="absolute" filename="{outside_pdf}" pageno="1"/>',
        f'<background type="pixmap" domain="absolute" filename="{outside_png}"/>',
        f'<background type="pixmap" domain="absolute" filename="{inside_png}"/>',
    )
    notebook = read_notebook(path)
    assert notebook.outside_files == (str(outside_pdf.resolve()), str(outside_png.resolve()))
    assert main(["info", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["outside_files"] == list(notebook.outside_files)
    assert main(["info", str(path)]) == 0
    assert f"read outside the notebook's folder: {outside_png.resolve()}" in capsys.readouterr().out
    assert main(["convert", str(path), str(tmp_path / "out.pencast")]) == 0
    printed = capsys.readouterr().out
    assert f"embedded {outside_pdf}" in printed and f"embedded {outside_png.resolve()}" in printed
