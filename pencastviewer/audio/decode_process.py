"""A child process that decodes runs of a recording into a playable copy (run_writer says
why), and the few of them kept warm.

Starting one takes ~0.4 s of CPU (numpy, PyAV, soundfile imports), too long for a tap right
after a notebook is opened: one is started beforehand (warm(), when an audio output is
made), a copy takes it (take()), which has another started a little later, and gives it
back when done (give_back()), when it becomes the spare again if there is none. At most
MAX_CHILDREN exist (a copy being dropped while the next starts); a copy that finds none
ready decodes in its own thread meanwhile.

Lifetime: the child reads its commands from a pipe and exits when the pipe is closed, which
happens when we close() it, at exit (atexit), or when this process dies in any way (the
kernel closes its end); it never outlives a command (a few chunks, tens of ms) past that.
Between copies it holds no file open.

Protocol: a line of JSON each way per command (no pickle: nothing that can run code crosses
the pipe); a Segment or Processing (dataclasses of plain fields) goes as {name: fields}.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import json
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

from ..media.source import AudioError

MAX_CHILDREN = 2
# A copy that takes the spare has the next one started this much later (not beside its first
# decoding, which a tap waits for: a start is ~0.4 s of CPU). Without it, the notebook opened
# again found none ready: the child of the copy it replaced was still finishing its command,
# and the tap's audio was decoded in the copy's thread, beside the first paint (150-500 ms).
SPARE_AFTER_S = 3.0
_READY = b"ready\n"
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])  # where `pencastviewer` is importable from


class ChildGone(Exception):
    """The child died or could not be started: the copy goes on in its own thread."""


class DecodeProcess:
    """One child (see the module). write() is called by one thread at a time (the copy's)."""

    def __init__(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_PARENT, env.get("PYTHONPATH")) if p)
        self._child = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
        )
        self.pid = self._child.pid
        self._ready = False

    def ready(self) -> bool:
        """Has the child finished starting (without waiting)?"""
        if not self._ready and self._child.stdout is not None:
            readable, _, _ = select.select([self._child.stdout], [], [], 0)
            if readable:
                self._ready = self._child.stdout.readline() == _READY
                if not self._ready:
                    self.close()
        return self._ready and self._child.poll() is None

    def write(self, path: str, *args: Any) -> None:
        """run_writer.InThread.write(...) of a writer of `path`, in the child. Raises
        AudioError or OSError as the child's did, ChildGone if it died."""
        reply = self._ask(("write", path, *args))
        if reply[0] == "error":
            raise AudioError(reply[2]) if reply[1] == "AudioError" else OSError(reply[2])

    def finish(self) -> bool:
        """Have the child close its files (the copy is done); False if it has died."""
        try:
            return bool(self._ask(("finish",))[0] == "ok")
        except ChildGone:
            return False

    def _ask(self, command: tuple[Any, ...]) -> tuple[Any, ...]:
        stdin, stdout = self._child.stdin, self._child.stdout
        if stdin is None or stdout is None:
            raise ChildGone
        try:
            stdin.write(_encode(command))
            stdin.flush()
            if not self._ready:  # (write() may be called before ready() said so)
                self._ready = stdout.readline() == _READY
            return tuple(_decode(stdout.readline()))
        except (OSError, EOFError, ValueError, KeyError, TypeError):  # (JSONDecodeError is a ValueError)
            self.close()
            raise ChildGone from None

    def close(self) -> None:
        """End the child (it exits when its pipe closes; killed if it does not within 2 s)."""
        with _lock:
            _children.discard(self)
        for pipe in (self._child.stdin, self._child.stdout):
            with contextlib.suppress(OSError):
                if pipe is not None:
                    pipe.close()
        try:
            self._child.wait(2.0)
        except subprocess.TimeoutExpired:
            self._child.kill()
            self._child.wait()


_lock = threading.RLock()  # (ready() may close() a child that failed to start)
_children: set[DecodeProcess] = set()
_spare: DecodeProcess | None = None


def warm() -> None:
    """Have a spare child starting (if there is none and MAX_CHILDREN allows)."""
    global _spare
    with _lock:
        if _spare is not None or len(_children) >= MAX_CHILDREN:
            return
        try:
            _spare = DecodeProcess()
        except OSError:
            return
        _children.add(_spare)


def take() -> DecodeProcess | None:
    """The spare child if it is ready (None: decode in the thread; one is started meanwhile).
    A spare taken is replaced SPARE_AFTER_S later, so that the next copy finds one ready."""
    global _spare
    with _lock:
        child = _spare
        if child is None or not child.ready():
            child = None
        else:
            _spare = None
    if child is None:
        warm()
    else:
        later = threading.Timer(SPARE_AFTER_S, warm)
        later.daemon = True
        later.start()
    return child


def give_back(child: DecodeProcess) -> None:
    """A copy is done with `child`: it becomes the spare, or ends if there is one."""
    global _spare
    if child.finish():
        with _lock:
            if _spare is None and child in _children:
                _spare = child
                return
    child.close()


@atexit.register
def close_all() -> None:
    global _spare
    with _lock:
        children, _spare = list(_children), None
    for child in children:
        child.close()


def _encode(message: tuple[Any, ...]) -> bytes:
    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {type(value).__name__: dataclasses.asdict(value)}
        return value

    return json.dumps([plain(v) for v in message], allow_nan=False).encode() + b"\n"


def _decode(line: bytes) -> list[Any]:
    """A message from _encode (EOFError at the end of the pipe; ValueError, KeyError or
    TypeError when it is not one)."""
    if not line:
        raise EOFError
    from ..media.dynamics import Processing
    from .pcm_runs import Segment

    kinds: dict[str, type[Any]] = {"Segment": Segment, "Processing": Processing}

    def typed(value: Any) -> Any:
        if isinstance(value, dict):
            ((name, fields),) = value.items()
            return kinds[name](**fields)
        return value

    message = json.loads(line)
    if not isinstance(message, list) or not message:
        raise ValueError("not a message")
    return [typed(v) for v in message]


def _serve(commands: IO[bytes], replies: IO[bytes]) -> None:
    """The child's loop: one writer (run_writer.InThread) per copy, until the pipe closes."""
    from .run_writer import InThread

    writer: InThread | None = None
    replies.write(_READY)
    replies.flush()
    while True:
        try:
            command = _decode(commands.readline())
        except EOFError:
            return
        reply: tuple[Any, ...] = ("ok",)
        try:
            if command[0] == "finish" or (writer is not None and writer.path != command[1]):
                if writer is not None:
                    writer.close()
                writer = None
            if command[0] == "write":
                path, sample_rate, channels, *args = command[1:]
                writer = writer or InThread(path, sample_rate, channels)
                writer.write(*args)
        except Exception as e:  # (told to the parent, which raises it in the copy's thread)
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.close()
            writer = None
            reply = ("error", type(e).__name__, str(e))
        replies.write(_encode(reply))
        replies.flush()


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole group: the program ends us
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # what a library prints goes to stderr, not into the replies
    with contextlib.suppress(BrokenPipeError):  # the program quit while we replied: nobody listens
        _serve(sys.stdin.buffer, replies)
    with contextlib.suppress(OSError):
        replies.close()
