"""Build the self-contained Linux bundle: a PyInstaller one-folder program in
dist/pencastviewer/ (Python, Qt with QtMultimedia and QtPdf, PyAV, pikepdf, the demo, the
icon and the desktop files) and dist/pencastviewer-VERSION-linux-x86_64.tar.gz, whose
install.sh copies it to ~/.local/opt/pencastviewer and registers the menu entry.

    python3 -m pip install -e '.[bundle]' && python3 scripts/build_bundle.py

Run from the project root; the machine's Python and packages are what gets bundled.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pencastviewer import __version__  # noqa: E402

NAME = "pencastviewer"
# Never imported by the program: left out so the bundle stays small.
EXCLUDED = (
    "tkinter",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.Qt3DCore",
    "PySide6.QtQuick",
    "PySide6.QtQml",
    "PySide6.QtCharts",
    "PySide6.QtDataVisualization",
    "matplotlib",
    "pytest",
    "hypothesis",
    "IPython",
)

INSTALL_SH = r"""#!/bin/sh
# Install pencastviewer for this user: the program in ~/.local/opt/pencastviewer, a
# `pencastviewer` command in ~/.local/bin, and the menu entry, file types and icon.
# Uninstall: ~/.local/opt/pencastviewer/pencastviewer uninstall-desktop &&
#            rm -r ~/.local/opt/pencastviewer ~/.local/bin/pencastviewer
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dest="${PENCASTVIEWER_INSTALL_DIR:-$HOME/.local/opt/pencastviewer}"
if [ "$here" != "$dest" ]; then
    mkdir -p "$(dirname "$dest")"
    rm -rf "$dest.new"
    cp -a "$here" "$dest.new"
    rm -rf "$dest"
    mv "$dest.new" "$dest"
fi
mkdir -p "$HOME/.local/bin"
ln -sf "$dest/pencastviewer" "$HOME/.local/bin/pencastviewer"
"$dest/pencastviewer" install-desktop --user --exec "$dest/pencastviewer"
echo "pencastviewer is installed in $dest; start it from the menu or with: pencastviewer"
"""


def pyinstaller_args(dist: Path, work: Path) -> list[str]:
    args = [
        sys.executable, "-m", "PyInstaller", str(ROOT / "scripts" / "bundle_entry.py"),
        "--name", NAME, "--onedir", "--noconfirm", "--log-level", "WARN",
        "--distpath", str(dist), "--workpath", str(work / "build"), "--specpath", str(work),
        "--collect-submodules", "pencastviewer",  # formats are imported by name (registry)
        "--collect-data", "pencastviewer",  # demo, desktop files, web player, JSON tables
        "--add-data", f"{ROOT / 'README.md'}{os.pathsep}{NAME}/resources/doc",
        "--hidden-import", "PySide6.QtSvg",
        "--hidden-import", "PySide6.QtPrintSupport",
        "--hidden-import", "PySide6.QtNetwork",
        "--hidden-import", "PySide6.QtOpenGL",  # pyqtgraph imports it by name
    ]  # fmt: skip
    for module in EXCLUDED:
        args += ["--exclude-module", module]
    return args


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def build(dist: Path) -> tuple[Path, Path]:
    work = ROOT / "build" / "bundle"
    shutil.rmtree(dist / NAME, ignore_errors=True)
    subprocess.run(pyinstaller_args(dist, work), cwd=ROOT, check=True)
    bundle = dist / NAME
    install = bundle / "install.sh"
    install.write_text(INSTALL_SH)
    install.chmod(0o755)
    machine = platform.machine() or "x86_64"
    archive = dist / f"{NAME}-{__version__}-linux-{machine}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(bundle, arcname=NAME)
    return bundle, archive


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    ns = parser.parse_args()
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        print("PyInstaller is missing: python3 -m pip install -e '.[bundle]'", file=sys.stderr)
        return 2
    start = time.monotonic()
    bundle, archive = build(ns.dist.absolute())
    print(f"{bundle}: {folder_size(bundle) / 2**20:.0f} MiB")
    print(f"{archive}: {archive.stat().st_size / 2**20:.0f} MiB")
    print(f"built in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
