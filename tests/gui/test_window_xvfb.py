"""The real `pencastviewer` process in a real X window (Xvfb): its screenshot shows ink."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SUPPORT = Path(__file__).resolve().parent.parent / "support" / "screenshot.py"
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.xvfb
def test_real_window_shows_the_demo_ink(tmp_path, demo_path):
    for tool in ("xvfb-run", "import"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (Debian packages xvfb, imagemagick)")
    program = shutil.which("pencastviewer")
    command = [program] if program else [sys.executable, "-m", "pencastviewer"]
    shot = tmp_path / "window.png"
    result = subprocess.run(
        [
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1280x1024x24",
            sys.executable,
            str(SUPPORT),
            str(shot),
            "40",
            *command,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "alive=True" in result.stdout, f"the program exited early:\n{result.stdout}"
    pixels = int(result.stdout.split("ink_pixels=")[1].split()[0])
    assert pixels > 2000, f"only {pixels} ink pixels in the window screenshot {shot}:\n{result.stdout}"
