"""Driving the real program on an X server: start it, screenshot the root window until
ink shows, and count ink pixels. Run inside xvfb-run (the test does that)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np


def ink_pixels(png_path: str) -> int:
    """Pixels of dark ink (the demo's dark blue, or black/green Livescribe ink) in an image:
    dark, and not a grey of the window chrome."""
    from PySide6.QtGui import QImage

    image = QImage(png_path).convertToFormat(QImage.Format.Format_RGB32)
    ptr = image.constBits()
    arr = np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)[
        :, : image.width()
    ]
    b, g, r = arr[..., 0].astype(int), arr[..., 1].astype(int), arr[..., 2].astype(int)
    return int(((b - np.maximum(r, g) > 40) & (r + g < 160)).sum())


def main() -> int:
    out, timeout_s, *program = sys.argv[1:]
    env = dict(os.environ, QT_QPA_PLATFORM="xcb")
    proc = subprocess.Popen(program, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + float(timeout_s)
    best = 0
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(1.0)
            subprocess.run(["import", "-window", "root", out], check=True, capture_output=True)
            best = ink_pixels(out)
            if best > 2000:
                break
    finally:
        alive = proc.poll() is None
        proc.terminate()
        try:
            output = proc.communicate(timeout=10)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            proc.kill()
            output = ""
    print(f"alive={alive} ink_pixels={best}")
    print(output[-2000:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
