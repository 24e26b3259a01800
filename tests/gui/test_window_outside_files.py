"""The window tells which files outside a notebook's folder opening it used (issue 10)."""

from __future__ import annotations

import gzip
from pathlib import Path

from PySide6.QtGui import QColor, QImage


def test_the_window_says_which_outside_files_a_notebook_uses(open_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    board = tmp_path / "pictures" / "board.png"
    board.parent.mkdir()
    image = QImage(4, 4, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    assert image.save(str(board), "PNG")
    page = (
        f'<page width="595" height="842"><background type="pixmap" domain="absolute" filename="{board}"/>'
        '<layer><stroke tool="pen" color="#000000ff" width="1">10 10 20 20</stroke></layer></page>'
    )
    path = tmp_path / "notes" / "n.xopp"
    path.parent.mkdir()
    path.write_bytes(gzip.compress(f'<xournal creator="test" fileversion="4">{page}</xournal>'.encode()))
    window = open_window(path)
    assert str(board.resolve()) in window.statusBar().currentMessage()
