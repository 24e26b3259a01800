"""Opening a Xournal++ file: gzip (bounded), ZIP-packaged or plain XML, to its XML tree."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from ..errors import CorruptFileError
from ..inflating import MAX_INFLATED_BYTES, take
from ..safezip import SafeZip
from ..xmlsafe import parse_xml

MAX_CONTENT_BYTES = MAX_INFLATED_BYTES  # uncompressed XML (what info prefetches is bounded alike)
MIMETYPE = b"application/xournal++"
WHAT = "Xournal++ XML"


def parse_content(
    path: Path, archive: SafeZip | None, on_child: Callable[[ET.Element, ET.Element], None] | None = None
) -> ET.Element:
    """The document's XML tree: content.xml of the ZIP variant, else the (gzipped) file,
    inflated in a thread (formats.inflating) while expat parses what is out so far;
    on_child: see xmlsafe.parse_xml."""
    if archive is not None:
        return parse_xml(archive.read("content.xml", MAX_CONTENT_BYTES), path, what=WHAT, on_child=on_child)
    with take(path, MAX_CONTENT_BYTES) as stream:
        try:
            return parse_xml(stream.chunks(), path, what=WHAT, on_child=on_child)
        except CorruptFileError:
            stream.raise_own_error()
            raise


def open_archive(path: Path) -> SafeZip | None:
    """The ZIP-packaged variant (mimetype, META-INF/version, content.xml, attachments/)."""
    with path.open("rb") as f:
        if f.read(4) != b"PK\x03\x04":
            return None
    archive = SafeZip(path)
    try:
        if not archive.has("content.xml"):
            raise CorruptFileError(path, "ZIP archive has no content.xml: not a Xournal++ notebook")
        if archive.has("mimetype") and archive.read("mimetype", 1024).strip() != MIMETYPE:
            raise CorruptFileError(path, "ZIP archive's mimetype is not application/xournal++")
    except BaseException:
        archive.close()
        raise
    return archive
