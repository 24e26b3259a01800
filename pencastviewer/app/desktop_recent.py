"""The desktop's list of recently used files ($XDG_DATA_HOME/recently-used.xbel, the
freedesktop "desktop bookmarks" format that GTK, KDE and file managers read), so a notebook
opened here shows in the file manager's Recent and in other programs' recent lists.

Entries of other programs are kept as they are; the file is replaced atomically and never
rewritten when it cannot be read (someone else's half-written file is not ours to fix)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import queue
import sys
import tempfile
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

BOOKMARK_NS = "http://www.freedesktop.org/standards/desktop-bookmarks"
MIME_NS = "http://www.freedesktop.org/standards/shared-mime-info"
ET.register_namespace("bookmark", BOOKMARK_NS)
ET.register_namespace("mime", MIME_NS)
APP_NAME = "pencastviewer"
APP_EXEC = "'pencastviewer %u'"  # as GTK writes it: the quoted command line


def recent_file() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME", "")
    return (Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share") / "recently-used.xbel"


def file_uri(path: Path) -> str:
    return "file://" + quote(str(path.absolute()), safe="/-_.~!$&'()*+,;=:@")


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _load(xbel: Path) -> ET.Element | None:
    """The existing list, a new empty one when there is none, None when it is unreadable."""
    if not xbel.exists():
        return ET.Element("xbel", {"version": "1.0"})
    try:
        root = ET.parse(xbel).getroot()
    except (ET.ParseError, OSError):
        return None
    return root if root.tag == "xbel" else None


def _bookmark(root: ET.Element, uri: str, mime_type: str, now: str) -> ET.Element:
    for bookmark in root.findall("bookmark"):
        if bookmark.get("href") == uri:
            bookmark.set("modified", now)
            bookmark.set("visited", now)
            return bookmark
    bookmark = ET.SubElement(root, "bookmark", {"href": uri, "added": now, "modified": now, "visited": now})
    metadata = ET.SubElement(ET.SubElement(bookmark, "info"), "metadata", {"owner": "http://freedesktop.org"})
    ET.SubElement(metadata, f"{{{MIME_NS}}}mime-type", {"type": mime_type})
    ET.SubElement(metadata, f"{{{BOOKMARK_NS}}}applications")
    return bookmark


def _count_use(bookmark: ET.Element, now: str) -> None:
    applications = bookmark.find(f"info/metadata/{{{BOOKMARK_NS}}}applications")
    if applications is None:
        metadata = bookmark.find("info/metadata")
        if metadata is None:
            metadata = ET.SubElement(
                ET.SubElement(bookmark, "info"), "metadata", {"owner": "http://freedesktop.org"}
            )
        applications = ET.SubElement(metadata, f"{{{BOOKMARK_NS}}}applications")
    for app in applications.findall(f"{{{BOOKMARK_NS}}}application"):
        if app.get("name") == APP_NAME:
            app.set("modified", now)
            app.set("count", str(int(app.get("count", "0") or 0) + 1))
            return
    attrs = {"name": APP_NAME, "exec": APP_EXEC, "modified": now, "count": "1"}
    ET.SubElement(applications, f"{{{BOOKMARK_NS}}}application", attrs)


def add_recent(path: str | os.PathLike[str], mime_type: str, xbel: Path | None = None) -> bool:
    """Add (or refresh) `path` in the desktop's recent files; False when the list could not
    be read or written (the user's list is then left exactly as it was)."""
    xbel = xbel or recent_file()
    root = _load(xbel)
    if root is None:
        return False
    now = _now()
    _count_use(_bookmark(root, file_uri(Path(path)), mime_type, now), now)
    tree = ET.ElementTree(root)
    ET.indent(tree, space="  ")
    try:
        xbel.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".recently-used.", suffix=".xbel", dir=xbel.parent)
        with os.fdopen(fd, "wb") as f:
            tree.write(f, encoding="UTF-8", xml_declaration=True)
        os.chmod(tmp, 0o600)
        os.replace(tmp, xbel)
    except OSError:
        with contextlib.suppress(NameError, OSError):
            Path(tmp).unlink(missing_ok=True)
        return False
    return True


class _Writer:
    """The one thread that writes the list, entries in the order given."""

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[tuple[Path, str, Path]] = queue.SimpleQueue()
        threading.Thread(target=self._run, name="recent-files", daemon=True).start()

    def _run(self) -> None:
        while True:
            entry = self.queue.get()
            try:
                add_recent(*entry)
            except Exception:  # (a bug) reported as a thread's would be; later entries still go in
                sys.excepthook(*sys.exc_info())


_writer: _Writer | None = None
_writer_made = threading.Lock()


def start_writer() -> None:
    """Start the thread of add_recent_soon now (a window does as it is made), so that the
    first open does not wait for a thread to start (Thread.start() took 116 ms once, with
    the reading's workers holding the GIL on a busy machine)."""
    global _writer
    with _writer_made:
        if _writer is None:
            _writer = _Writer()


def add_recent_soon(path: str | os.PathLike[str], mime_type: str) -> None:
    """add_recent in the writer's thread, so that opening a notebook does not wait for the
    disk (parsing, rewriting and replacing the list took 20 ms of the window's first page,
    and over 100 ms on a busy disk). A daemon: quitting at once may lose the entry, never
    the list (replaced atomically)."""
    start_writer()
    assert _writer is not None
    _writer.queue.put((Path(path).absolute(), mime_type, recent_file()))
