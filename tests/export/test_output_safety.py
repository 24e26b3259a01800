"""Exports never lose data (issue 10): the output is never a file the export reads, every
format goes through the checked atomic output (a full disk or a file size limit fails
cleanly and keeps the old file), links are followed, and a part file never outlives the
export — on error, on SIGTERM/SIGHUP/Ctrl+C, or (after SIGKILL) at the next export."""

from __future__ import annotations

import fcntl
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pencastviewer.app.export import atomic
from pencastviewer.app.export.atomic import atomic_output, remove_stale_parts, scratch_file
from pencastviewer.app.export.core import ExportCancelled

ROOT = Path(__file__).resolve().parent.parent.parent
NS = 'xmlns="http://www.w3.org/2003/InkML"'


def notes_with_audio(folder: Path, seconds: float, rate: int = 8000) -> tuple[Path, Path]:
    """notes.inkml (two strokes, times in ms) and the silent notes.wav recorded with it."""
    folder.mkdir(parents=True, exist_ok=True)
    inkml = folder / "notes.inkml"
    channels = "".join(
        f'<channel name="{c}" units="{u}"/>' for c, u in (("X", "mm"), ("Y", "mm"), ("T", "ms"))
    )
    inkml.write_text(
        f'<?xml version="1.0"?><ink {NS}><traceFormat>{channels}</traceFormat>'
        "<trace>0 0 0, 5 0 100</trace><trace>0 5 900, 5 5 1000</trace></ink>"
    )
    wav = folder / "notes.wav"
    with sf.SoundFile(wav, "w", samplerate=rate, channels=1, subtype="PCM_16") as f:
        block = np.zeros(rate * 60, np.int16)
        for _ in range(int(seconds // 60)):
            f.write(block)
        f.write(np.zeros(round(seconds % 60 * rate), np.int16))
    return inkml, wav


def cli(*args: object, limit_bytes: int | None = None, **popen: object) -> subprocess.Popen[str]:
    def limit() -> None:
        # A test run started in the background (`cmd &` in a script) ignores SIGINT, one
        # started under `nohup` ignores SIGHUP, and a child inherits SIG_IGN (the export
        # rightly leaves an ignored signal ignored): give it the terminal's defaults.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        if limit_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "pencastviewer", *map(str, args)]
    return subprocess.Popen(
        command, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=limit, **popen
    )


def run(*args: object, limit_bytes: int | None = None) -> tuple[int, str]:
    process = cli(*args, limit_bytes=limit_bytes)
    out, err = process.communicate(timeout=300)
    return process.returncode, out + err


def parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".part" in p.name)


# ---- the output is never a source ---------------------------------------------------------


def test_exporting_a_pencast_onto_itself_is_refused(tmp_path: Path, demo_path: Path) -> None:
    notebook = tmp_path / "lecture.pencast"
    shutil.copy(demo_path, notebook)
    before = notebook.read_bytes()
    status, output = run("export", notebook, "-o", notebook, "--page", "1")
    assert status == 1 and "the notebook being exported" in output
    assert notebook.read_bytes() == before and parts(tmp_path) == []


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_a_link_to_the_notebook_is_the_notebook(tmp_path: Path, demo_path: Path, link: str) -> None:
    notebook = tmp_path / "lecture.pencast"
    shutil.copy(demo_path, notebook)
    alias = tmp_path / "alias.pencast"
    (os.symlink if link == "symlink" else os.link)(notebook, alias)
    before = notebook.read_bytes()
    status, output = run("export", notebook, "-o", alias, "--page", "1")
    assert status == 1 and "destroy" in output
    assert notebook.read_bytes() == before


def test_exporting_onto_the_audio_it_reads_is_refused(tmp_path: Path) -> None:
    inkml, wav = notes_with_audio(tmp_path, 3.0)
    before = wav.read_bytes()
    status, output = run("export", inkml, "-o", wav)
    assert status == 1 and "the audio of" in output
    assert wav.read_bytes() == before


# ---- links are followed --------------------------------------------------------------------


def test_exporting_onto_a_symlink_writes_its_destination_and_keeps_the_link(tmp_path: Path) -> None:
    inkml, _ = notes_with_audio(tmp_path / "in", 3.0)
    real = tmp_path / "clips" / "clip.wav"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "clip.wav"
    link.symlink_to(real)
    status, output = run("export", inkml, "-o", link)
    assert status == 0, output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert sf.info(real).frames == 3 * 8000
    assert parts(tmp_path) == [] and parts(real.parent) == []


# ---- a full disk, a file size limit -----------------------------------------------------------


@pytest.mark.parametrize("ext", [".svg", ".pdf", ".png", ".flac", ".wav", ".pencast"])
def test_a_file_size_limit_fails_cleanly_and_keeps_the_old_file(
    tmp_path: Path, demo_path: Path, ext: str
) -> None:
    out = tmp_path / f"out{ext}"
    out.write_bytes(b"the previous export")
    status, output = run("export", demo_path, "-o", out, "--page", "1", limit_bytes=2000)
    assert status == 1, output
    assert "file size limit" in output and str(out) in output
    assert out.read_bytes() == b"the previous export" and parts(tmp_path) == []


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 1 MiB tmpfs (needs root; skipped elsewhere)."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", mount], check=False)


@pytest.mark.parametrize("ext", [".svg", ".pdf", ".png", ".flac", ".m4a", ".mp3", ".pencast"])
def test_a_full_disk_is_named_with_the_path(small_disk: Path, demo_path: Path, ext: str) -> None:
    out = small_disk / f"out{ext}"
    out.write_bytes(b"the previous export")
    fd = os.open(small_disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:  # fill the disk
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    status, output = run("export", demo_path, "-o", out, "--page", "1")
    assert status == 1, output
    assert f"{out}: the disk is full" in output and "System error" not in output
    assert out.read_bytes() == b"the previous export" and parts(small_disk) == []


# ---- no part file outlives the export ---------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_during_an_export_removes_the_part(tmp_path: Path, signum: int) -> None:
    inkml, _ = notes_with_audio(tmp_path / "in", 40 * 60.0)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    process = cli("export", inkml, "-o", out_dir / "clip.mp3")
    deadline = time.monotonic() + 120
    while not any(p.stat().st_size > 0 for p in out_dir.iterdir() if ".part" in p.name):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode in (128 + signum, 130, -signum), err
    assert list(out_dir.iterdir()) == []


def test_the_next_export_removes_parts_left_by_a_killed_one(tmp_path: Path, demo_path: Path) -> None:
    stale = tmp_path / ".clip.0123abcd.part.wav"
    stale.write_bytes(b"left by an export killed with SIGKILL")
    running = tmp_path / ".other.89abcdef.part.flac"
    running.write_bytes(b"an export still running")
    unrelated = tmp_path / ".notes.part.wav"
    unrelated.write_bytes(b"not of our making")
    with open(running, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a running export holds its part
        with atomic_output(tmp_path / "clip.png") as part:
            part.write_bytes(b"png")
            assert not stale.exists()
        assert running.exists() and unrelated.exists()
    assert remove_stale_parts(tmp_path) == [running]


def test_sigkill_leaves_a_part_that_the_next_export_removes(tmp_path: Path, demo_path: Path) -> None:
    inkml, _ = notes_with_audio(tmp_path / "in", 40 * 60.0)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    process = cli("export", inkml, "-o", out_dir / "clip.mp3")
    deadline = time.monotonic() + 120
    while not parts(out_dir):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    process.kill()
    process.communicate(timeout=60)
    assert parts(out_dir)  # SIGKILL cannot be caught
    status, output = run("export", demo_path, "-o", out_dir / "page.png", "--page", "1")
    assert status == 0, output
    assert parts(out_dir) == [] and [p.name for p in out_dir.iterdir()] == ["page.png"]


def test_convert_refuses_a_hard_link_to_its_source(tmp_path: Path, demo_path: Path) -> None:
    notebook = tmp_path / "lecture.pencast"
    shutil.copy(demo_path, notebook)
    alias = tmp_path / "alias.pencast"
    os.link(notebook, alias)
    before = notebook.read_bytes()
    status, output = run("convert", notebook, alias, "--force")
    assert status == 1 and "is the file being converted" in output
    assert notebook.read_bytes() == before


def test_a_terminated_window_removes_the_parts_of_exports_in_other_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window's exports run in worker threads, which signal handlers cannot reach:
    remove_all_parts() (called by the window's SIGTERM handler) removes their parts at once,
    and the exports end cancelled instead of replacing their targets."""
    monkeypatch.setattr(atomic, "_terminating", threading.Event())  # (once set, it stays set)
    target = tmp_path / "clip.wav"
    target.write_bytes(b"the previous export")
    writing, terminated = threading.Event(), threading.Event()
    outcome: list[BaseException] = []

    def export() -> None:
        try:
            with atomic_output(target) as part:
                part.write_bytes(b"half a clip")
                writing.set()
                terminated.wait(20)
                scratch_file(".m4a")  # what a .pencast export asks for next
        except BaseException as e:  # (the test looks at it)
            outcome.append(e)

    worker = threading.Thread(target=export)
    worker.start()
    assert writing.wait(20)
    part_names = parts(tmp_path)
    assert len(part_names) == 1
    assert [p.name for p in atomic.remove_all_parts()] == part_names
    assert parts(tmp_path) == []
    terminated.set()
    worker.join(20)
    assert [type(e) for e in outcome] == [ExportCancelled]
    assert parts(tmp_path) == [] and target.read_bytes() == b"the previous export"
    with pytest.raises(ExportCancelled), atomic_output(tmp_path / "later.png"):
        pass  # nothing starts once the program is being terminated
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.wav"]
