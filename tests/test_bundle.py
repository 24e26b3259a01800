"""The self-contained bundle (scripts/build_bundle.py): built with PyInstaller and run in an
empty environment (`env -i`: no venv, no PYTHONPATH, no PATH to this Python). Slow (a few
minutes), so it runs only when asked for:

    python3 -m pip install -e '.[bundle]' && python3 -m pytest -m bundle
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
from support.screenshot import ink_pixels
from support.xserver import missing_tools, wait_for_window, xvfb
from test_layers import _imported_modules

import pencastviewer

ROOT = Path(__file__).resolve().parent.parent
NAME = f"pencastviewer-{pencastviewer.__version__}-linux-x86_64.tar.gz"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip(
        "PyInstaller", reason="PyInstaller is in the bundle extra: pip install -e '.[bundle]'"
    )
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_bundle.py"), "--dist", str(dist)], check=True
    )
    return dist


def _clean(*args: str, env: tuple[str, ...] = (), timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run with an empty environment, as a double-click from a file manager nearly does."""
    return subprocess.run(["env", "-i", *env, *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.bundle
@pytest.mark.timeout(1800)
def test_the_bundle_runs_without_python(bundle, tmp_path, demo_path):
    exe = bundle / "pencastviewer" / "pencastviewer"
    with tarfile.open(bundle / NAME) as tar:
        names = set(tar.getnames())
    assert {"pencastviewer/pencastviewer", "pencastviewer/install.sh"} <= names
    assert any(n.endswith("resources/demo.pencast") for n in names)
    assert any(n.endswith("hicolor/256x256/apps/pencastviewer.png") for n in names)

    start = time.monotonic()
    version = _clean(str(exe), "--version")
    print(f"bundle --version: {time.monotonic() - start:.2f} s")
    assert version.returncode == 0 and version.stdout.strip() == f"pencastviewer {pencastviewer.__version__}"

    notebook = tmp_path / "notes.pencast"
    notebook.write_bytes(demo_path.read_bytes())
    info = _clean(str(exe), "info", str(notebook))
    assert info.returncode == 0, info.stderr
    assert "format: pencast" in info.stdout and "recordings: 1" in info.stdout

    no_display = _clean(str(exe), env=(f"HOME={tmp_path}",))
    assert no_display.returncode == 2 and no_display.stderr.startswith("pencastviewer: no display")


@pytest.mark.bundle
@pytest.mark.timeout(1800)
def test_the_bundle_starts_its_decoding_child(bundle):
    """The playable copy is decoded by a child of the program (audio.decode_process), started
    as `sys.executable -m ...`: in the bundle that is the program itself, which must run it."""
    exe = bundle / "pencastviewer" / "pencastviewer"
    with subprocess.Popen(
        ["env", "-i", str(exe), "-m", "pencastviewer.audio.decode_process"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as child:
        assert child.stdout is not None and child.stdin is not None
        ready = child.stdout.readline()
        _, errors = child.communicate(timeout=30)  # closes its pipe: it ends
    assert ready == b"ready\n", errors
    assert child.returncode == 0, errors


@pytest.mark.bundle
@pytest.mark.timeout(1800)
def test_the_bundle_reads_real_files(bundle, livescribe_dir):
    exe = bundle / "pencastviewer" / "pencastviewer"
    info = _clean(str(exe), "info", str(livescribe_dir / "3-dots.pdf"))  # AAC through the bundled PyAV
    assert info.returncode == 0, info.stderr
    assert "pages: 1, strokes: 3, points: 62" in info.stdout and "aac" in info.stdout


@pytest.mark.bundle
@pytest.mark.timeout(1800)
def test_the_bundled_window_shows_the_demo_ink(bundle, tmp_path):
    if missing_tools() or subprocess.run(["which", "import"], capture_output=True).returncode:
        pytest.skip("Xvfb, x11-utils and ImageMagick are needed (Debian xvfb, x11-utils, imagemagick)")
    exe = bundle / "pencastviewer" / "pencastviewer"
    shot = tmp_path / "window.png"
    with xvfb() as display:
        start = time.monotonic()
        proc = subprocess.Popen(
            ["env", "-i", f"DISPLAY={display}", f"HOME={tmp_path}", str(exe)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            found = wait_for_window(display, r"— pencastviewer$", 120)
            print(f"bundle window shown after {time.monotonic() - start:.2f} s")
            best = 0
            for _ in range(60):
                subprocess.run(["import", "-display", display, "-window", "root", str(shot)], check=True)
                best = ink_pixels(str(shot))
                if best > 2000 or proc.poll() is not None:
                    break
                time.sleep(0.5)
        finally:
            proc.terminate()
            output = proc.communicate(timeout=20)[0].decode(errors="replace")
    assert found, f"no window: {output[-2000:]}"
    assert best > 2000, f"only {best} ink pixels in {shot}: {output[-2000:]}"


@pytest.mark.bundle
@pytest.mark.timeout(1800)
def test_install_sh_installs_for_the_user(bundle, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    unpacked = tmp_path / "unpacked"
    with tarfile.open(bundle / NAME) as tar:
        tar.extractall(unpacked, filter="tar")
    env = (f"HOME={home}", "PATH=/usr/bin:/bin")
    result = _clean("sh", str(unpacked / "pencastviewer" / "install.sh"), env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    installed = home / ".local" / "opt" / "pencastviewer" / "pencastviewer"
    entry = home / ".local" / "share" / "applications" / "pencastviewer.desktop"
    assert f"Exec={installed} %f" in entry.read_text()
    assert subprocess.run(["desktop-file-validate", str(entry)], capture_output=True).returncode == 0
    linked = _clean(str(home / ".local" / "bin" / "pencastviewer"), "--version")
    assert linked.stdout.strip() == f"pencastviewer {pencastviewer.__version__}"


def test_the_bundle_leaves_out_nothing_the_program_imports():
    """A module left out of the bundle that the program imports breaks it only there (scipy,
    for the loudness meter, made the bundled `info` fail while every other test passed)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from build_bundle import EXCLUDED
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    imported = set().union(*map(_imported_modules, (ROOT / "pencastviewer").rglob("*.py")))
    left_out = {n for n in imported for x in EXCLUDED if n == x or n.startswith(f"{x}.")}
    assert not left_out, f"imported by the program but left out of the bundle: {sorted(left_out)}"
