"""Opened notebooks go into the desktop's recent list (recently-used.xbel), next to the
entries of other programs, which are kept."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pencastviewer.app.desktop_recent import BOOKMARK_NS, MIME_NS, add_recent, file_uri, recent_file

OTHER = """<?xml version="1.0" encoding="UTF-8"?>
<xbel version="1.0"
      xmlns:bookmark="http://www.freedesktop.org/standards/desktop-bookmarks"
      xmlns:mime="http://www.freedesktop.org/standards/shared-mime-info">
  <bookmark href="file:///home/u/report.odt" added="2024-01-01T10:00:00Z" modified="2024-01-01T10:00:00Z"
            visited="2024-01-01T10:00:00Z">
    <info><metadata owner="http://freedesktop.org">
      <mime:mime-type type="application/vnd.oasis.opendocument.text"/>
      <bookmark:applications>
        <bookmark:application name="LibreOffice" exec="&apos;soffice %u&apos;"
                              modified="2024-01-01T10:00:00Z" count="3"/>
      </bookmark:applications>
    </metadata></info>
  </bookmark>
</xbel>
"""


def _apps(root: ET.Element, href: str) -> dict[str, str]:
    bookmark = next(b for b in root.findall("bookmark") if b.get("href") == href)
    return {a.get("name"): a.get("count") for a in bookmark.iter(f"{{{BOOKMARK_NS}}}application")}


def test_recent_files_merge_with_other_programs_entries(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    xbel = recent_file()
    assert xbel == tmp_path / "recently-used.xbel"
    xbel.write_text(OTHER)
    notes = tmp_path / "my notes" / "lecture 1.pencast"
    assert add_recent(notes, "application/x-pencast")
    assert add_recent(notes, "application/x-pencast")
    root = ET.parse(xbel).getroot()
    assert _apps(root, "file:///home/u/report.odt") == {"LibreOffice": "3"}
    uri = file_uri(notes)
    assert uri.endswith("/my%20notes/lecture%201.pencast")
    assert _apps(root, uri) == {"pencastviewer": "2"}
    bookmark = next(b for b in root.findall("bookmark") if b.get("href") == uri)
    assert bookmark.find(f"info/metadata/{{{MIME_NS}}}mime-type").get("type") == "application/x-pencast"
    assert "xmlns:bookmark" in xbel.read_text()  # the prefixes other readers expect
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["recently-used.xbel"]  # no temp left


def test_an_unreadable_list_is_left_alone(tmp_path):
    xbel = tmp_path / "recently-used.xbel"
    xbel.write_text("<xbel><bookmark href=")  # half-written by someone else
    assert not add_recent(tmp_path / "a.pencast", "application/x-pencast", xbel)
    assert xbel.read_text() == "<xbel><bookmark href="
