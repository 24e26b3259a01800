"""A private X server (Xvfb) for tests that start the real program more than once, and
the X11 tools (x11-utils) that look at its windows as a window manager would."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

_WINDOW = re.compile(r'^\s*(0x[0-9a-f]+) "([^"]*)"', re.M)


def _answers(display: str, timeout_s: float = 10.0) -> bool:
    """The X server at `display` accepts a client (an Xvfb may name its display and die:
    seen once in a full run, a display whose abstract socket another server held)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        probe = subprocess.run(["xwininfo", "-root", "-display", display], capture_output=True, timeout=20)
        if probe.returncode == 0:
            return True
        time.sleep(0.2)
    return False


def _start_xvfb(size: str) -> tuple[subprocess.Popen[bytes], str]:
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", size, "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as f:
        number = f.readline().strip()
    return server, f":{number}" if number else ""


@contextmanager
def xvfb(size: str = "1280x1024x24") -> Iterator[str]:
    """Start Xvfb on a free display that answers; yields the DISPLAY value (":N")."""
    for _attempt in range(3):
        server, display = _start_xvfb(size)
        if display and _answers(display):
            break
        server.terminate()
        server.wait(timeout=10)
    else:
        raise RuntimeError("Xvfb did not start (three tries)")
    try:
        yield display
    finally:
        server.terminate()
        server.wait(timeout=10)


def windows(display: str) -> dict[str, str]:
    """Named windows on the display: id -> title."""
    out = subprocess.run(
        ["xwininfo", "-root", "-tree", "-display", display], capture_output=True, text=True, timeout=20
    ).stdout
    return {wid: name for wid, name in _WINDOW.findall(out)}


def wait_for_window(display: str, pattern: str, timeout_s: float = 60.0) -> tuple[str, str] | None:
    """The first window whose title matches `pattern` (regex), once it appears."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for wid, title in windows(display).items():
            if re.search(pattern, title):
                return wid, title
        time.sleep(0.3)
    return None


def xprop(display: str, window: str, *properties: str) -> str:
    return subprocess.run(
        ["xprop", "-display", display, "-id", window, *properties], capture_output=True, text=True, timeout=20
    ).stdout


def missing_tools() -> list[str]:
    return [t for t in ("Xvfb", "xwininfo", "xprop") if shutil.which(t) is None]
