"""Desktop integration files and `pencastviewer install-desktop` / `uninstall-desktop`, checked
with the desktop's own tools (desktop-file-validate, xdg-mime, shared-mime-info through Qt)
in a throwaway XDG_DATA_HOME."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pencastviewer.app.desktop_files import ICON_SIZES, desktop_entry, entry_mime_types, icon_png, mime_xml
from pencastviewer.formats.registry import all_formats

ROOT = Path(__file__).resolve().parent.parent.parent
SMI = "{http://www.freedesktop.org/standards/shared-mime-info}"


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian package {package})")
    return path


def _env(tmp_path: Path) -> dict[str, str]:
    """A desktop-less environment whose user data and config folders are the test's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "KDE_", "GNOME_", "DESKTOP_"))}
    env.update(
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_DIRS="/usr/local/share:/usr/share",
        PYTHONPATH=str(ROOT),
    )
    return env


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pencastviewer", *args], env=env, capture_output=True, text=True, timeout=120
    )


def _tree(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def test_the_entry_is_valid_and_claims_every_format_the_program_reads():
    result = subprocess.run(
        [_tool("desktop-file-validate", "desktop-file-utils"), str(desktop_entry())],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    entry = dict(line.split("=", 1) for line in desktop_entry().read_text().splitlines() if "=" in line)
    assert entry["Exec"] == "pencastviewer %f"
    assert {"Audio", "Education", "Viewer"} <= set(entry["Categories"].split(";"))
    assert entry["Icon"] == "pencastviewer"
    globs = {
        g.get("pattern"): t.get("type")
        for t in ET.parse(mime_xml()).getroot().iter(f"{SMI}mime-type")
        for g in t.iter(f"{SMI}glob")
    }
    claimed = set(entry_mime_types())
    assert "application/pdf" in claimed  # Pencast PDFs: "Open with" offers the viewer
    assert "application/x-livescribe-notebook" in claimed  # pen archives are plain *.zip: by magic
    for spec in all_formats():
        for ext in spec.extensions:
            if ext in (".pdf", ".zip"):
                continue
            assert globs.get(f"*{ext}") in claimed, f"{ext} ({spec.description}) has no claimed MIME type"
    defined = {t.get("type") for t in ET.parse(mime_xml()).getroot().iter(f"{SMI}mime-type")}
    assert claimed - {"application/pdf"} <= defined


def test_icon_sizes_are_real_images_of_the_right_size(qapp):
    from PySide6.QtGui import QImage

    for size in ICON_SIZES:
        image = QImage(str(icon_png(size)))
        assert (image.width(), image.height()) == (size, size), icon_png(size)
        opaque = sum(image.pixelColor(x, y).alpha() > 200 for x in range(size) for y in range(size))
        assert opaque > size * size * 0.4, f"{icon_png(size)} is mostly transparent"


def test_install_desktop_registers_the_viewer_and_uninstall_leaves_nothing(tmp_path, demo_path, fixtures_dir):
    validate = _tool("desktop-file-validate", "desktop-file-utils")
    xdg_mime = _tool("xdg-mime", "xdg-utils")
    _tool("update-mime-database", "shared-mime-info")
    env = _env(tmp_path)
    data = tmp_path / "data"
    (data / "keep").mkdir(parents=True)
    (data / "keep" / "notes.txt").write_text("not ours")
    before = _tree(data)

    result = _cli(["install-desktop", "--user"], env)
    assert result.returncode == 0, result.stderr
    entry = data / "applications" / "pencastviewer.desktop"
    assert subprocess.run([validate, str(entry)], capture_output=True).returncode == 0
    query = subprocess.run(
        [xdg_mime, "query", "default", "application/x-pencast"], env=env, capture_output=True
    )
    assert query.stdout.decode().strip() == "pencastviewer.desktop", query
    for size in ICON_SIZES:
        assert (data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "pencastviewer.png").is_file()

    # The magic recognises the containers whatever they are called (shared-mime-info via Qt).
    shutil.copy(demo_path, tmp_path / "demo.bin")
    shutil.copy(fixtures_dir / "livescribe" / "notebook-archive-testing.zip", tmp_path / "archive.bin")
    probe = (
        "import sys; from PySide6.QtCore import QMimeDatabase; db = QMimeDatabase();"
        "print(' '.join(db.mimeTypeForFile(p).name() for p in sys.argv[1:]))"
    )
    names = [str(tmp_path / n) for n in ("demo.bin", "archive.bin")] + ["x.pencast", "y.xopp", "z.inkml"]
    types = subprocess.run([sys.executable, "-c", probe, *names], env=env, capture_output=True, text=True)
    assert types.stdout.split() == [
        "application/x-pencast",
        "application/x-livescribe-notebook",
        "application/x-pencast",
        "application/x-xopp",
        "application/inkml+xml",
    ], types.stderr

    result = _cli(["uninstall-desktop"], env)
    assert result.returncode == 0, result.stderr
    assert _tree(data) == before
    query = subprocess.run(
        [xdg_mime, "query", "default", "application/x-pencast"], env=env, capture_output=True
    )
    assert b"pencastviewer" not in query.stdout


def test_reinstall_replaces_and_a_changed_file_is_kept(tmp_path):
    env = _env(tmp_path)
    prefix = tmp_path / "prefix"
    assert (
        _cli(["install-desktop", "--prefix", str(prefix), "--exec", "/opt/p v/pencastviewer"], env).returncode
        == 0
    )
    entry = prefix / "share" / "applications" / "pencastviewer.desktop"
    assert 'Exec="/opt/p v/pencastviewer" %f' in entry.read_text()
    assert _cli(["install-desktop", "--prefix", str(prefix)], env).returncode == 0  # again: replaces
    assert "Exec=pencastviewer %f" in entry.read_text()
    icon = prefix / "share" / "icons" / "hicolor" / "scalable" / "apps" / "pencastviewer.svg"
    icon.write_text("<svg/>")  # the user's own edit
    result = _cli(["uninstall-desktop", "--prefix", str(prefix)], env)
    assert result.returncode == 0 and "was changed since it was installed" in result.stderr
    assert icon.is_file() and not entry.exists()
    assert _cli(["uninstall-desktop", "--prefix", str(prefix)], env).returncode == 1  # nothing left to do


def test_the_package_data_ships_every_desktop_file():
    """`pip install .` (and distributions) get the desktop files: pyproject's package-data
    globs cover every file under resources/desktop."""
    import fnmatch
    import tomllib

    from pencastviewer.app.desktop_files import desktop_dir

    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    package = ROOT / "pencastviewer"
    files = [p.relative_to(package).as_posix() for p in desktop_dir().rglob("*") if p.is_file()]
    assert len(files) == 2 + 1 + len(ICON_SIZES)  # entry, MIME XML, SVG, PNGs
    for name in files:
        # setuptools globs do not cross "/" with "*", like fnmatch on each path part
        assert any(
            fnmatch.fnmatch(name, g) and name.count("/") == g.count("/") for g in globs["pencastviewer"]
        ), f"{name} is not package data"
