"""Reading ZIP containers as untrusted input: no member may escape the archive, no
member may inflate past a bound, and every problem becomes a FormatError."""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from pathlib import Path

from .errors import CorruptFileError, FormatError, TooLargeError

MAX_MEMBER_BYTES = 2 * 1024**3  # an audio file of a long lecture can be large
MAX_RATIO = 1000  # declared size / compressed size beyond this is a zip bomb
# Damaged compressed data raises these from inside zipfile (zlib.error is no OSError).
_DECOMPRESS_ERRORS: tuple[type[Exception], ...] = (zlib.error,)
try:
    import lzma

    _DECOMPRESS_ERRORS += (lzma.LZMAError,)
except ImportError:  # Python built without lzma: zipfile cannot open such members anyway
    pass
_READ_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    EOFError,
    OSError,
    ValueError,
    *_DECOMPRESS_ERRORS,
)


def is_safe_member_name(name: str) -> bool:
    """A relative POSIX path that stays inside the archive."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or ":" in name.split("/")[0]:
        return False
    normal = posixpath.normpath(name)
    return not (normal == ".." or normal.startswith("../") or normal.startswith("/"))


class SafeZip:
    """A read-only ZIP archive. Use as a context manager."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OverflowError) as e:
            # zipfile raises NotImplementedError for a damaged "version needed" field, and
            # ValueError/EOFError/OverflowError for damaged directory records.
            raise CorruptFileError(self.path, f"not a valid ZIP archive ({e})") from None
        except OSError as e:
            raise FormatError(self.path, f"cannot read: {e.strerror or e}") from None
        self._infos = {}
        for info in self._zip.infolist():
            if not is_safe_member_name(info.filename):
                self._zip.close()
                raise CorruptFileError(
                    self.path, f"archive entry {info.filename!r} points outside the archive"
                )
            self._infos[info.filename] = info

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def names(self) -> list[str]:
        return list(self._infos)

    def has(self, name: str) -> bool:
        return name in self._infos

    def size(self, name: str) -> int:
        return self._info(name).file_size

    def _info(self, name: str) -> zipfile.ZipInfo:
        try:
            return self._infos[name]
        except KeyError:
            raise CorruptFileError(self.path, f"archive has no entry {name!r}") from None

    def read(self, name: str, max_bytes: int = MAX_MEMBER_BYTES) -> bytes:
        """The member's bytes, refusing declared sizes past `max_bytes` or a bomb ratio,
        and never reading more than declared."""
        info = self._info(name)
        if info.file_size > max_bytes:
            raise TooLargeError(
                self.path, f"entry {name!r} declares {info.file_size} bytes (limit {max_bytes})"
            )
        if (
            info.compress_size
            and info.file_size / info.compress_size > MAX_RATIO
            and info.file_size > 1 << 20
        ):
            raise TooLargeError(
                self.path, f"entry {name!r} inflates {info.file_size // info.compress_size}× (a zip bomb?)"
            )
        try:
            with self._zip.open(info) as f:
                data = f.read(info.file_size + 1)
        except _READ_ERRORS as e:
            raise CorruptFileError(self.path, f"entry {name!r} is damaged ({e})") from None
        except NotImplementedError as e:
            raise CorruptFileError(
                self.path, f"entry {name!r} uses an unsupported compression ({e})"
            ) from None
        except RuntimeError:  # zipfile's "is encrypted, password required"
            raise CorruptFileError(self.path, f"entry {name!r} is encrypted") from None
        if len(data) != info.file_size:
            raise CorruptFileError(
                self.path, f"entry {name!r} is {len(data)} bytes, declared {info.file_size}"
            )
        return data
