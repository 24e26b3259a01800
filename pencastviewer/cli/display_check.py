"""Can the window open here? Asked before any QApplication exists, because Qt answers a
missing display or a missing platform library with an abort (exit 134) and "Reinstalling
the application may fix this problem". Here the answer is one line and exit status 2."""

from __future__ import annotations

import ctypes
import os
import re
import sys
from pathlib import Path

HINT = "or use the command-line subcommands (pencastviewer --help)"
# Platforms that need no display server, or that Qt reports well itself.
_HEADLESS = {"offscreen", "minimal", "minimalegl", "vnc", "eglfs", "linuxfb", "vkkhrdisplay"}
# Debian packages whose names do not follow the soname rule (_debian_package).
_PACKAGE_EXCEPTIONS = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libOpenGL.so.0": "libopengl0",
    "libGLX.so.0": "libglx0",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libfreetype.so.6": "libfreetype6",
    "libpng16.so.16": "libpng16-16",
}
_SONAME = re.compile(r"(lib[A-Za-z0-9_.+-]+?\.so(?:\.[0-9]+)*)")


def _debian_package(soname: str) -> str:
    """Debian's library package name: libfoo.so.3 → libfoo3, libfoo-1.so.3 → libfoo-1-3."""
    if soname in _PACKAGE_EXCEPTIONS:
        return _PACKAGE_EXCEPTIONS[soname]
    stem, _, version = soname.partition(".so")
    version = version.lstrip(".").split(".")[0]
    if not version:
        return stem.lower()
    joiner = "-" if stem[-1].isdigit() else ""
    return f"{stem.lower()}{joiner}{version}"


def _platforms() -> list[str]:
    """The platforms Qt will try, in order ('' when QT_QPA_PLATFORM leaves it to Qt)."""
    value = os.environ.get("QT_QPA_PLATFORM", "")
    return [p.split(":")[0].strip() for p in value.split(";") if p.strip()] or [""]


def _plugin(name: str) -> Path | None:
    """The Qt platform plugin library `name` (e.g. libqxcb.so), where Qt will look for it."""
    folders = [Path(p) for p in os.environ.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p]
    try:
        from PySide6.QtCore import QLibraryInfo

        folders.append(Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)))
    except ImportError:
        pass
    for folder in folders:
        candidate = folder / "platforms" / name
        if candidate.is_file():
            return candidate
    return None


def _missing_library(plugin: Path) -> str | None:
    """Load the plugin as Qt will: a library it needs that is missing or broken, or None."""
    try:
        ctypes.CDLL(str(plugin))
    except OSError as e:
        found = [m for m in _SONAME.findall(str(e)) if not str(plugin).endswith(m)]
        soname = Path(found[0]).name if found else str(e)
        package = _debian_package(soname) if found else "the Qt platform libraries"
        return (
            f"cannot start the window: the library {soname} that Qt's X11 platform needs is missing "
            f"(Debian/Ubuntu: sudo apt-get install {package}); {HINT}"
        )
    return None


def _x_server_refuses(display: str) -> bool:
    """True when no X server answers on `display` (libxcb, which the plugin just loaded)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return False  # (reported as a missing library already)
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    refused = bool(xcb.xcb_connection_has_error(connection))
    xcb.xcb_disconnect(connection)
    return refused


def display_problem() -> str | None:
    """One line saying why the window cannot open here, or None when it can (as far as can
    be told without Qt: a display server to talk to and the platform plugin's libraries)."""
    if not sys.platform.startswith("linux"):
        return None
    platforms = _platforms()
    if platforms[0] in _HEADLESS:
        return None
    wayland = os.environ.get("WAYLAND_DISPLAY", "")
    display = os.environ.get("DISPLAY", "")
    for platform in platforms:
        if wayland and (platform.startswith("wayland") or platform == ""):
            return None  # Qt falls back to xcb by itself when the wayland plugin fails
        if platform in ("", "xcb") and display:
            return _xcb_problem(display)
    return f"no display: set DISPLAY (X11) or WAYLAND_DISPLAY to open the window, {HINT}"


def _xcb_problem(display: str) -> str | None:
    plugin = _plugin("libqxcb.so")
    if plugin is None:
        return None  # an unusual Qt installation: let Qt speak for itself
    missing = _missing_library(plugin)
    if missing:
        return missing
    if _x_server_refuses(display):
        return f"no display: cannot connect to the X server at DISPLAY={display}; set DISPLAY, {HINT}"
    return None
