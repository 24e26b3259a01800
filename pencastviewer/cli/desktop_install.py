"""`pencastviewer install-desktop` / `uninstall-desktop`: the menu entry, the file types and
the icon for one user ($XDG_DATA_HOME) or under a prefix (PREFIX/share), following the
freedesktop standards. A manifest keeps what was written, so that uninstalling removes
exactly that: files the user changed since, and folders that hold anything else, stay."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..app.desktop_files import APP_ID, desktop_dir, desktop_entry, icon_files, mime_xml

MANIFEST = Path(APP_ID) / "desktop-install.json"  # relative to the data folder
APPLICATIONS, MIME = Path("applications"), Path("mime")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="for you only: $XDG_DATA_HOME (the default)")
    where.add_argument("--prefix", type=Path, help="under PREFIX/share (e.g. /usr/local, for everyone)")


def add_install_arguments(parser: argparse.ArgumentParser) -> None:
    add_arguments(parser)
    parser.add_argument(
        "--exec", dest="command", help="the program the menu entry starts (default: pencastviewer on PATH)"
    )


def data_folder(ns: argparse.Namespace) -> Path:
    if ns.prefix is not None:
        return Path(ns.prefix).expanduser().absolute() / "share"
    xdg = os.environ.get("XDG_DATA_HOME", "")
    return Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share"


def planned_files(command: str | None) -> dict[Path, bytes]:
    """What install writes, relative to the data folder -> content."""
    entry = desktop_entry().read_text(encoding="utf-8")
    if command:
        quoted = f'"{command}"' if any(c in command for c in ' \t"\\`$') else command
        entry = entry.replace(f"Exec={APP_ID} ", f"Exec={quoted} ")
    files = {
        APPLICATIONS / f"{APP_ID}.desktop": entry.encode("utf-8"),
        MIME / "packages" / f"{APP_ID}.xml": mime_xml().read_bytes(),
    }
    for icon in icon_files():
        files[Path("icons") / icon.relative_to(desktop_dir() / "icons")] = icon.read_bytes()
    return files


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _make_folder(data: Path, relative: Path, created: list[str]) -> None:
    """Make data/relative and its missing parents, noting each folder made (relative)."""
    missing = [p for p in [relative, *relative.parents][:-1] if not (data / p).is_dir()]
    for folder in reversed(missing):
        (data / folder).mkdir()
        created.append(folder.as_posix())


def _refresh_caches(data: Path) -> list[str]:
    """Run the desktop's cache updaters that exist here; what each said when it failed."""
    problems = []
    for tool, folder in (("update-desktop-database", APPLICATIONS), ("update-mime-database", MIME)):
        if shutil.which(tool) is None or not (data / folder).is_dir():
            continue
        if tool == "update-mime-database" and not (data / MIME / "packages").is_dir():
            continue
        args = (
            [tool, "-q", str(data / folder)]
            if tool == "update-desktop-database"
            else [tool, str(data / folder)]
        )
        result = subprocess.run(args, capture_output=True, text=True)
        if result.returncode != 0:
            problems.append(f"{tool}: {(result.stderr or result.stdout).strip()}")
    return problems


def install(data: Path, command: str | None = None) -> list[Path]:
    """Write the files under `data` (replacing an earlier install) and refresh the caches."""
    if (data / MANIFEST).is_file():
        uninstall(data, refresh=False)
    created: list[str] = []
    data.mkdir(parents=True, exist_ok=True)  # (the data folder itself is not ours to remove)
    written: dict[str, str] = {}
    for relative, content in planned_files(command).items():
        _make_folder(data, relative.parent, created)
        _write_atomically(data / relative, content)
        written[relative.as_posix()] = _digest(content)
    _make_folder(data, MANIFEST.parent, created)
    manifest = {"version": 1, "files": written, "folders": created}
    _write_atomically(data / MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"))
    for problem in _refresh_caches(data):
        print(f"pencastviewer: {problem}", file=sys.stderr)
    return [data / f for f in written]


def uninstall(data: Path, refresh: bool = True) -> list[Path]:
    """Remove what install wrote under `data`, as its manifest lists it; the removed files."""
    manifest_path = data / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    removed = []
    for relative, digest in manifest["files"].items():
        path = data / relative
        if path.is_file() and _digest(path.read_bytes()) == digest:
            path.unlink()
            removed.append(path)
        elif path.exists():
            print(f"pencastviewer: {path} was changed since it was installed: kept", file=sys.stderr)
    manifest_path.unlink()
    folders = [data / f for f in sorted(manifest["folders"], key=lambda f: -f.count("/"))]
    _remove_empty(folders)
    if refresh:
        _refresh_caches(data)
    _remove_generated(data, folders)
    _remove_empty(folders)
    return removed


def _remove_empty(folders: list[Path]) -> None:
    for folder in folders:  # deepest first
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def _remove_generated(data: Path, folders: list[Path]) -> None:
    """Caches the updaters wrote into folders install made, now that nothing feeds them."""
    if data / MIME in folders and (data / MIME).is_dir() and not (data / MIME / "packages").exists():
        shutil.rmtree(data / MIME)  # update-mime-database's output only
    cache = data / APPLICATIONS / "mimeinfo.cache"
    only_cache = cache.is_file() and [p.name for p in (data / APPLICATIONS).iterdir()] == [cache.name]
    if data / APPLICATIONS in folders and only_cache:
        cache.unlink()


def run_install(ns: argparse.Namespace) -> int:
    data = data_folder(ns)
    try:
        files = install(data, ns.command)
    except OSError as e:
        print(
            f"pencastviewer: cannot install under {data}: {e.strerror or e} ({e.filename})", file=sys.stderr
        )
        return 1
    print(f"installed {len(files)} files under {data} (menu entry {data / APPLICATIONS / APP_ID}.desktop)")
    return 0


def run_uninstall(ns: argparse.Namespace) -> int:
    data = data_folder(ns)
    if not (data / MANIFEST).is_file():
        print(f"pencastviewer: nothing to uninstall: no {data / MANIFEST}", file=sys.stderr)
        return 1
    try:
        removed = uninstall(data)
    except (OSError, ValueError, KeyError) as e:
        print(f"pencastviewer: cannot uninstall from {data}: {e}", file=sys.stderr)
        return 1
    print(f"removed {len(removed)} files from {data}")
    return 0
