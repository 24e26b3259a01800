"""Writing an export's file so that nothing is lost: a hidden part file beside the target,
renamed onto it only when complete; the part removed on error, cancel, Ctrl+C, SIGTERM
and SIGHUP, and parts left by a killed export removed by the next export into the folder.
Links are followed (as `convert` does), and a full disk is named as such."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import signal
import stat
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import FrameType

from .core import ExportCancelled, ExportError

# `.NAME.XXXXXXXX.part.EXT`: what _new_part makes, and the only names stale-part cleanup touches.
_PART = re.compile(r"^\..+\.[0-9a-f]{8}\.part(\.[^./]+)?$")
# A failed export whose file system cannot take this much more data failed for want of room.
_PROBE_BYTES = 64 * 1024
_TERMINATING = (signal.SIGTERM, *((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ()))
# Every export being written, in any thread, for remove_all_parts(); re-entrant, since a
# signal handler may run in the main thread while that thread holds it.
_registry = threading.RLock()
_live: set[_Output] = set()
_terminating = threading.Event()


def _lock(fd: int, *, wait: bool) -> bool:
    """An exclusive advisory lock on `fd`; False when another process holds one (or the
    platform has none: on Windows stale parts stay, hidden)."""
    try:
        import fcntl
    except ImportError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        return False
    return True


def remove_stale_parts(folder: Path) -> list[Path]:
    """Remove part files an export made in `folder` and left behind when it was killed:
    names of our pattern whose lock nobody holds (a running export holds its part's)."""
    removed = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if not _PART.match(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            try:
                fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            except OSError:
                continue
            try:
                if entry.stat().st_uid == os.getuid() and _lock(fd, wait=False):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
            except OSError:
                pass
            finally:
                os.close(fd)
    return removed


def _new_part(folder: Path, target: Path) -> tuple[Path, int]:
    """A new, empty part file in `folder`, created 0o666 so the umask applies as for any
    new file (mkstemp's 0o600 would leave exports unreadable to others), and an open
    descriptor holding its lock so that no other export takes it for stale."""
    for _ in range(100):
        part = folder / f".{target.stem}.{secrets.token_hex(4)}.part{target.suffix}"
        try:
            fd = os.open(part, os.O_RDONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        except OSError as e:
            raise ExportError(f"{folder}: cannot write there: {e.strerror or e}") from None
        _lock(fd, wait=True)  # a new file: nobody else holds it
        return part, fd
    raise ExportError(f"{folder}: cannot create a temporary file")


def resolved_target(target: str | os.PathLike[str]) -> Path:
    """The file an export writes: a symbolic link's destination (the link stays a link,
    as `convert` leaves it), else `target` itself."""
    path = Path(target)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


Source = tuple[str | os.PathLike[str], str]  # a file an export reads, and what it is to the user


def refuse_sources(out: str | os.PathLike[str], sources: Iterable[Source]) -> None:
    """ExportError when `out` is one of the files the export reads — the same file after
    following links, hard links included — since writing it would destroy the source.
    `sources`: (path, what it is, e.g. "the notebook being exported")."""
    try:
        out_stat = os.stat(out)
    except OSError:
        return  # no such file yet: it cannot be a source
    for path, what in sources:
        try:
            same = os.path.samestat(out_stat, os.stat(path))
        except OSError:
            continue
        if same:
            raise ExportError(
                f"{out}: this is {what}; exporting onto it would destroy it: choose another output"
            )


class _Output:
    """The files one export is writing: its part (renamed onto `target` at the end) and
    scratch files beside it; each descriptor holds its file's lock."""

    def __init__(self, target: Path, folder: Path) -> None:
        self.target, self.folder = target, folder
        self.files: list[Path] = []
        self.notes: list[str] = []
        self._fds: list[int] = []
        with _registry:
            if _terminating.is_set():
                raise ExportCancelled()
            _live.add(self)

    def new_file(self, suffix: str) -> Path:
        path, fd = _new_part(self.folder, self.target.with_suffix(suffix))
        with _registry:
            self.files.append(path)
            self._fds.append(fd)
            terminated = _terminating.is_set()
        if terminated:  # removed with the others a moment ago, or never to be: not left behind
            path.unlink(missing_ok=True)
            raise ExportCancelled()
        return path

    def publish(self, part: Path) -> None:
        """Rename the complete part onto the target, unless the program is being terminated
        (then the part is gone already, or goes now: an export ends whole or not at all)."""
        with _registry:
            if _terminating.is_set():
                raise ExportCancelled()
            os.replace(part, self.target)

    def remove(self, *, keep_part: bool = False) -> None:
        for path in self.files[1:] if keep_part else self.files:
            path.unlink(missing_ok=True)

    def close(self) -> None:
        with _registry:
            _live.discard(self)
        for fd in self._fds:
            os.close(fd)

    def failure(self, error: BaseException) -> str | None:
        """A clearer reason than the writer's own for a write that failed for want of
        room (None when room was not the problem, e.g. nothing was written yet)."""
        if isinstance(error, ExportCancelled):
            return None
        written = 0
        for path in self.files:
            with contextlib.suppress(OSError):
                written = max(written, path.stat().st_size)
        with contextlib.suppress(OSError, ImportError):
            import resource

            limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
            if limit != resource.RLIM_INFINITY and written >= limit:
                return (
                    f"{self.target}: the file would pass the file size limit ({limit} bytes, "
                    "ulimit -f); nothing was written"
                )
        full = f"{self.target}: the disk is full; nothing was written"
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return full
        return full if self._no_room() else None

    def _no_room(self) -> bool:
        """Whether the target's file system refuses a little more data. Asked by writing:
        free-space figures mislead (reserved blocks, quotas), and the encoders' own errors
        do not say (libsndfile: "System error", or a failing FLAC initialisation)."""
        try:
            with open(self.files[0], "ab") as f:
                f.write(bytes(_PROBE_BYTES))
                f.flush()
                os.fsync(f.fileno())
        except OSError as e:
            return e.errno in (errno.ENOSPC, errno.EDQUOT)
        return False


_current = threading.local()  # the _Output of the export running in this thread


def remove_all_parts() -> list[Path]:
    """For a program being terminated while exports run in other threads (the window's):
    remove every running export's part and scratch files now, and make every export still
    running (or starting) end with ExportCancelled instead of writing its target. Safe to
    call from a signal handler in the main thread; returns the files removed."""
    removed = []
    with _registry:
        _terminating.set()
        for output in list(_live):
            for path in output.files:
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(path)
    return removed


def scratch_file(suffix: str) -> Path:
    """A new hidden file beside the running export's part, for what the export needs on
    disk before the output itself (e.g. a .pencast clip's audio); removed with the part,
    on termination too. Only inside `atomic_output`."""
    output: _Output | None = getattr(_current, "output", None)
    if output is None:
        raise RuntimeError("scratch_file() outside atomic_output()")
    return output.new_file(suffix)


def note(text: str) -> None:
    """Something the user should know about the export being written in this thread (e.g.
    damaged audio given as silence); `last_notes()` returns them once it is done."""
    output: _Output | None = getattr(_current, "output", None)
    if output is not None:
        output.notes.append(text)


def last_notes() -> tuple[str, ...]:
    """The notes of the last export completed in this thread."""
    return tuple(getattr(_current, "notes", ()))


@contextlib.contextmanager
def _removed_on_termination(output: _Output) -> Iterator[None]:
    """SIGTERM and SIGHUP end the process as they would, but through the cleanup of the
    `with` blocks (SystemExit, status 128 + signal), so the part is removed. Only in the
    main thread (the only one Python lets set handlers), and only where nobody else
    handles them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, _frame: FrameType | None) -> None:
        output.remove()  # first: unwinding a blocked writer may take a moment
        raise SystemExit(128 + signum)

    previous = {s: signal.getsignal(s) for s in _TERMINATING}
    mine = [s for s, handler in previous.items() if handler == signal.SIG_DFL]
    for s in mine:
        signal.signal(s, terminate)
    try:
        yield
    finally:
        for s in mine:
            signal.signal(s, previous[s])


@contextlib.contextmanager
def atomic_output(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yields a part file's path in the target's folder; renamed onto `target` (a link's
    destination when `target` is a symbolic link) only when the block completes. On any
    error, cancel or termination the part is removed and an existing file is untouched."""
    target = resolved_target(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"{folder}: no such folder")
    if not os.access(folder, os.W_OK):
        raise ExportError(f"{folder}: the folder is not writable")
    remove_stale_parts(folder)
    output = _Output(target, folder)
    outer, _current.output = getattr(_current, "output", None), output
    try:
        part = output.new_file(target.suffix)
        with _removed_on_termination(output):
            yield part
            with open(part, "rb+") as f:
                os.fsync(f.fileno())
            with contextlib.suppress(FileNotFoundError):
                os.chmod(part, stat.S_IMODE(os.stat(target).st_mode))  # replacing a file keeps its mode
            output.publish(part)
        output.remove(keep_part=True)
    except (OSError, ExportError) as e:
        reason = output.failure(e)
        output.remove()
        if reason is not None:
            raise ExportError(reason) from None
        if isinstance(e, ExportError):
            raise
        raise ExportError(f"{target}: cannot write: {e.strerror or e}") from None
    except BaseException:
        output.remove()
        raise
    finally:
        output.close()
        _current.output, _current.notes = outer, output.notes
