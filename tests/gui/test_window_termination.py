"""The real window on a real X server, ended from the outside (issue 10): SIGTERM, SIGHUP
or Ctrl+C during an export run from the Export dialog leave no part file and the target
untouched; quitting while the waveform's peaks are being built is quiet (no traceback)
and builds nothing more."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from support.xserver import missing_tools, wait_for_window, windows, xvfb

ROOT = Path(__file__).resolve().parent.parent.parent
NS = 'xmlns="http://www.w3.org/2003/InkML"'
RATE = 44100


@pytest.fixture
def display():
    missing = missing_tools() + [t for t in ("xdotool",) if shutil.which(t) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (Debian packages xvfb, x11-utils, xdotool)")
    with xvfb() as name:
        yield name


def long_lecture(folder: Path, minutes: int) -> Path:
    """notes.inkml, written from the first to the last minute of notes.flac: `minutes` of
    silence at 44.1 kHz (a small file that takes long to export or to build peaks of)."""
    folder.mkdir(parents=True, exist_ok=True)
    end_ms = minutes * 60_000 - 1000
    channels = "".join(
        f'<channel name="{c}" units="{u}"/>' for c, u in (("X", "mm"), ("Y", "mm"), ("T", "ms"))
    )
    inkml = folder / "notes.inkml"
    inkml.write_text(
        f'<?xml version="1.0"?><ink {NS}><traceFormat>{channels}</traceFormat>'
        f"<trace>0 0 0, 5 0 100</trace><trace>0 5 {end_ms - 100}, 5 5 {end_ms}</trace></ink>"
    )
    with sf.SoundFile(folder / "notes.flac", "w", samplerate=RATE, channels=1, subtype="PCM_16") as f:
        minute = np.zeros(RATE * 60, np.int16)
        for _ in range(minutes):
            f.write(minute)
    return inkml


def start(display: str, home: Path, notebook: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "PYTHONPATH": str(ROOT),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_DATA_HOME": str(home / "data"),
    }
    env.pop("WAYLAND_DISPLAY", None)
    command = [sys.executable, "-m", "pencastviewer", "--new-instance", str(notebook)]
    return subprocess.Popen(command, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def press(display: str, window: str, key: str) -> None:
    """A key typed into `window`, as a user would (there is no window manager to focus it;
    a window just made cannot take the focus until it is mapped: try again)."""
    command = ["xdotool", "windowfocus", "--sync", window, "key", key]
    deadline = time.monotonic() + 30
    while True:
        done = subprocess.run(
            command, env={**os.environ, "DISPLAY": display}, capture_output=True, text=True, timeout=30
        )
        if done.returncode == 0:
            return
        assert time.monotonic() < deadline, done.stderr
        time.sleep(0.2)


def stopped(process: subprocess.Popen[str]) -> tuple[int, str]:
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
        pytest.fail(f"the program did not end:\n{err}")
    return process.returncode, err


def opened(display: str, process: subprocess.Popen[str]) -> str:
    found = wait_for_window(display, r"^notes — pencastviewer$")
    if found is None:
        process.kill()
        pytest.fail(f"the notebook did not open: {windows(display)}\n{process.communicate()[1]}")
    return found[0]


@pytest.mark.xvfb
@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name)
def test_a_signal_during_an_export_from_the_window_removes_the_part(
    display, tmp_path: Path, signum: signal.Signals
) -> None:
    notebook = long_lecture(tmp_path / "notes", 60)
    target = notebook.parent / "notes-clip.wav"  # what the dialog offers
    target.write_bytes(b"the previous export")
    process = start(display, tmp_path / "home", notebook)
    try:
        press(display, opened(display, process), "ctrl+e")
        dialog = wait_for_window(display, r"^Export clip")
        assert dialog is not None, windows(display)
        press(display, dialog[0], "Return")  # Export: WAV of the page (the whole hour)
        deadline = time.monotonic() + 60
        while not [p for p in notebook.parent.iterdir() if ".part" in p.name]:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, f"no export started: {sorted(notebook.parent.iterdir())}"
            time.sleep(0.02)
        process.send_signal(signum)
        status, err = stopped(process)
    finally:
        if process.poll() is None:
            process.kill()
    left = sorted(p.name for p in notebook.parent.iterdir())
    assert left == ["notes-clip.wav", "notes.flac", "notes.inkml"]
    assert target.read_bytes() == b"the previous export"
    assert status == 128 + signum, err
    assert "Traceback" not in err, err


@pytest.mark.xvfb
@pytest.mark.slow
def test_quitting_while_the_peaks_are_built_is_quiet(display, tmp_path: Path) -> None:
    notebook = long_lecture(tmp_path / "notes", 180)
    home = tmp_path / "home"
    process = start(display, home, notebook)
    try:
        press(display, opened(display, process), "ctrl+q")
        status, err = stopped(process)
    finally:
        if process.poll() is None:
            process.kill()
    assert status == 0, err
    assert "Traceback" not in err and "Error calling Python" not in err, err
    # The build was under way when the window quit, and it stopped there.
    assert not list((home / "cache").rglob("*.peaks")), "the peaks were built before quitting"
