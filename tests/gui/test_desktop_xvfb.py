"""The real program on a real X server: the window manager sees its icon (_NET_WM_ICON),
and a second `pencastviewer FILE` hands FILE to the window already open."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.xserver import missing_tools, wait_for_window, windows, xprop, xvfb

ROOT = Path(__file__).resolve().parent.parent.parent
TITLE = r"— pencastviewer$"


@pytest.fixture
def display():
    missing = missing_tools()
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (Debian packages xvfb, x11-utils)")
    with xvfb() as name:
        yield name


def _start(display: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT)}
    env.pop("WAYLAND_DISPLAY", None)
    return subprocess.Popen(
        [sys.executable, "-m", "pencastviewer", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _stop(proc: subprocess.Popen[bytes]) -> str:
    if proc.poll() is None:
        proc.terminate()
    try:
        return proc.communicate(timeout=20)[0].decode(errors="replace")
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()[0].decode(errors="replace")


@pytest.mark.xvfb
def test_the_window_manager_sees_the_icon(display, demo_path):
    proc = _start(display, str(demo_path))
    try:
        found = wait_for_window(display, TITLE)
        assert found, f"no pencastviewer window on {display}: {windows(display)}\n{_stop(proc)}"
        props = xprop(display, found[0], "_NET_WM_ICON", "WM_CLASS")
    finally:
        output = _stop(proc)
    assert "_NET_WM_ICON(CARDINAL) = " in props, props[:500] + output
    for size in (16, 32, 48, 64, 128):
        assert f"Icon ({size} x {size})" in props, f"no {size}px icon: {props[:300]}"
    assert '"pencastviewer"' in props.split("WM_CLASS", 1)[1]  # matches StartupWMClass


@pytest.mark.xvfb
def test_a_second_run_hands_its_file_to_the_open_window(display, demo_path, xournalpp_dir, tmp_path):
    other = tmp_path / "second notebook.xopp"  # (its title is its name)
    shutil.copy(xournalpp_dir / "strokes.xopp", other)
    first = _start(display, str(demo_path))
    try:
        found = wait_for_window(display, TITLE)
        assert found, f"the first window did not appear: {windows(display)}\n{_stop(first)}"
        window_id, title = found
        start = time.monotonic()
        second = subprocess.run(
            [sys.executable, "-m", "pencastviewer", str(other)],
            env={**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 0, second.stdout + second.stderr
        assert "opened in the window already open" in second.stderr
        # The first window now shows the second file: its title names it.
        while time.monotonic() < start + 60 and windows(display).get(window_id) == title:
            time.sleep(0.3)
        assert first.poll() is None, "the first window exited"
        assert windows(display).get(window_id) == "second notebook — pencastviewer", windows(display)
        titled = [w for w, t in windows(display).items() if t.endswith("— pencastviewer")]
        assert titled == [window_id], f"expected one window, found {windows(display)}"
    finally:
        output = _stop(first)
    assert "Traceback" not in output, output
