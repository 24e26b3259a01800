"""Opening a Xournal++ file: gzip (bounded), ZIP-packaged or plain XML, to its XML bytes."""

from __future__ import annotations

import zlib
from pathlib import Path

from ..errors import CorruptFileError, TooLargeError
from ..safezip import SafeZip

MAX_CONTENT_BYTES = 256 * 1024 * 1024  # uncompressed XML; a 10 000-stroke notebook is ~5 MB
MIMETYPE = b"application/xournal++"


def read_content(path: Path, archive: SafeZip | None) -> bytes:
    """The document's XML: content.xml of the ZIP variant, else the (gzipped) file."""
    if archive is not None:
        return archive.read("content.xml", MAX_CONTENT_BYTES)
    return _read_plain_or_gzip(path)


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


def _read_plain_or_gzip(path: Path) -> bytes:
    """Gzip is decompressed as a stream and stopped at MAX_CONTENT_BYTES (a gzip bomb
    never gets further); several gzip members in a row are read like gzip does."""
    if path.stat().st_size > MAX_CONTENT_BYTES:
        raise TooLargeError(path, f"file is {path.stat().st_size} bytes (limit {MAX_CONTENT_BYTES})")
    data = path.read_bytes()
    if not data.startswith(b"\x1f\x8b"):
        return data
    parts: list[bytes] = []  # (one per gzip member: a usual file is returned without a copy)
    size = 0
    pending = data
    try:
        while pending:
            inflater = zlib.decompressobj(wbits=31)
            chunk = pending
            while chunk and not inflater.eof:
                part = inflater.decompress(chunk, MAX_CONTENT_BYTES + 1 - size)
                parts.append(part)
                size += len(part)
                if size > MAX_CONTENT_BYTES:
                    raise TooLargeError(
                        path, f"decompresses to more than {MAX_CONTENT_BYTES} bytes (a gzip bomb?)"
                    )
                chunk = inflater.unconsumed_tail
            if not inflater.eof:
                raise CorruptFileError(
                    path, "gzip data is truncated", where=f"after {size} decompressed bytes"
                )
            pending = inflater.unused_data.lstrip(b"\0")
    except zlib.error as e:
        raise CorruptFileError(
            path, f"damaged gzip data ({e})", where=f"after {size} decompressed bytes"
        ) from None
    return parts[0] if len(parts) == 1 else b"".join(parts)
