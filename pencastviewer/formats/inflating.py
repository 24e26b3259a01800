"""A file's bytes as a stream of chunks, gzip-inflated in a thread of their own.

zlib inflates with the GIL released, so inflating runs on the other core beside what the
reading thread does meanwhile: parsing the chunks inflated so far (a 16 MB notebook
inflates in ~80 ms, as long as expat takes to parse it), or, when `info` starts it before
importing numpy and the readers (prefetch), those imports. Only the standard library
here: `info` imports this module before anything else of the readers.

Bounded like the whole-file read it replaces: the file and what it inflates to stop at
`limit` bytes (a gzip bomb never gets further), several gzip members in a row are read
like gzip does, and every failure is a FormatError naming the file and the place.
"""

from __future__ import annotations

import threading
import zlib
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from .errors import CorruptFileError, TooLargeError

GZIP_MAGIC = b"\x1f\x8b"
MAX_INFLATED_BYTES = 256 * 1024 * 1024  # the readers' bound: a 10 000-stroke notebook is 16 MB
# Compressed bytes of the first decompress call, doubled each call after it: the parser
# starts on the first chunk at once, and few calls take the GIL back (each call does so
# once per block of its growing output buffer, and waits up to the 5 ms switch interval
# for it while the other thread runs: 256 KB pieces waited longer than they inflated).
FIRST_CHUNK_IN = 64 * 1024


class Inflating:
    """The bytes of `path` (inflated when gzip), made in a thread; `chunks()` hands them
    over in order as they come. Use it as a context manager: leaving stops the thread."""

    def __init__(self, path: str | Path, limit: int) -> None:
        self.path, self.limit = Path(path), limit
        self._ready: deque[bytes] = deque()
        self._done = False
        self._stop = False
        self._error: BaseException | None = None
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="inflate", daemon=True)
        self._thread.start()

    def __enter__(self) -> Inflating:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """The thread stops at its next chunk (what it made is dropped)."""
        with self._changed:
            self._stop = True
            self._ready.clear()
            self._changed.notify_all()

    def chunks(self) -> Iterator[bytes]:
        """The bytes in order; the thread's FormatError once the chunks before it are out."""
        while True:
            with self._changed:
                while not self._ready and not self._done:
                    self._changed.wait()
                if self._ready:
                    chunk = self._ready.popleft()
                elif self._error is not None:
                    raise self._error
                else:
                    return
            yield chunk

    def read(self) -> bytes:
        parts = list(self.chunks())
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def raise_own_error(self) -> None:
        """After a parser failed on the chunks: the stream's own error, if it has one (a
        damaged or cut gzip stream is what garbled the XML, and what the user should read)."""
        self._thread.join()
        with self._changed:
            if self._error is not None and not self._stop:
                raise self._error

    # --- the thread ----------------------------------------------------------------------
    def _put(self, chunk: bytes) -> bool:
        with self._changed:
            if self._stop:
                return False
            if chunk:
                self._ready.append(chunk)
                self._changed.notify_all()
            return True

    def _run(self) -> None:
        try:
            data = self._file()
            if data.startswith(GZIP_MAGIC):
                self._inflate(data)
            else:
                self._put(data)
        except BaseException as e:  # raised in the reading thread, where the reader maps it
            self._error = e
        finally:
            with self._changed:
                self._done = True
                self._changed.notify_all()

    def _file(self) -> bytes:
        # (An OSError goes to the reading thread as it is: the read entry point words it.)
        size = self.path.stat().st_size
        if size > self.limit:
            raise TooLargeError(self.path, f"file is {size} bytes (limit {self.limit})")
        return self.path.read_bytes()

    def _inflate(self, data: bytes) -> None:
        view, size, start, step = memoryview(data), 0, 0, FIRST_CHUNK_IN
        try:
            while start < len(data):  # one gzip member a turn
                inflater, at = zlib.decompressobj(wbits=31), start
                while not inflater.eof:
                    if inflater.unconsumed_tail:
                        piece: bytes | memoryview = inflater.unconsumed_tail
                    elif at < len(data):
                        piece, at = view[at : at + step], min(at + step, len(data))
                        step *= 2
                    else:
                        raise CorruptFileError(
                            self.path, "gzip data is truncated", where=f"after {size} decompressed bytes"
                        )
                    part = inflater.decompress(piece, self.limit + 1 - size)
                    size += len(part)
                    if size > self.limit:
                        raise TooLargeError(
                            self.path, f"decompresses to more than {self.limit} bytes (a gzip bomb?)"
                        )
                    if not self._put(part):
                        return
                # The next member starts where this one's data ended (NUL padding skipped).
                start = at - len(inflater.unused_data)
                while start < len(data) and data[start] == 0:
                    start += 1
        except zlib.error as e:
            raise CorruptFileError(
                self.path, f"damaged gzip data ({e})", where=f"after {size} decompressed bytes"
            ) from None


_early: dict[Path, Inflating] = {}
_early_lock = threading.Lock()


def prefetch(path: str | Path, limit: int = MAX_INFLATED_BYTES) -> None:
    """Start inflating a gzip file now, for a reader that asks for it later (take): `info`
    calls this before its imports. Anything else is left alone (a .pencast or PDF may be
    gigabytes the reader never reads whole)."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            if f.read(2) != GZIP_MAGIC or path.stat().st_size > limit:
                return
    except OSError:
        return  # the reader says what is wrong
    with _early_lock:
        _early[path] = Inflating(path, limit)


def take(path: str | Path, limit: int) -> Inflating:
    """The stream of `path`: the prefetched one (once), else a new one."""
    with _early_lock:
        early = _early.pop(Path(path), None)
    if early is not None and early.limit == limit:
        return early
    if early is not None:
        early.stop()
    return Inflating(path, limit)
