"""`pencastviewer --version`, and the window asked for where it cannot open: one line and
exit status 2 (never Qt's abort, 134)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pencastviewer

ROOT = Path(__file__).resolve().parent.parent.parent


def _unserved_display() -> str:
    """A display number no X server here uses (xvfb-run -a takes :99 downwards, so a fixed
    one may be served by another test's or program's Xvfb)."""
    for n in range(613, 700):
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists():
            return f":{n}"
    raise AssertionError("every display :613-:699 is in use")


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return subprocess.run(
        [sys.executable, "-m", "pencastviewer", *args],
        env={**base, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_version():
    result = _run(["--version"])
    assert result.returncode == 0
    assert result.stdout.strip() == f"pencastviewer {pencastviewer.__version__}"


def test_no_display_is_one_line_and_exit_2(demo_path):
    result = _run([str(demo_path)])
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pencastviewer: no display: set DISPLAY")
    assert "command-line subcommands" in lines[0]


def test_a_display_nobody_serves_is_one_line_and_exit_2():
    display = _unserved_display()
    result = _run([], DISPLAY=display, QT_QPA_PLATFORM="xcb")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"pencastviewer: no display: cannot connect to the X server at DISPLAY={display}; set DISPLAY, "
        "or use the command-line subcommands (pencastviewer --help)"
    ]


def test_a_missing_platform_library_names_its_debian_package(tmp_path):
    # A broken libxcb-cursor.so.0 first on the library path stands in for a missing one.
    (tmp_path / "libxcb-cursor.so.0").write_bytes(b"")
    result = _run([], DISPLAY=_unserved_display(), LD_LIBRARY_PATH=str(tmp_path))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "libxcb-cursor.so.0" in lines[0] and "apt-get install libxcb-cursor0" in lines[0]
