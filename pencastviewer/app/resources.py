"""Files shipped with the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def demo_path() -> Path:
    """The bundled demo pencast (CloudCamp Paris notes with their recording)."""
    return Path(str(resources.files("pencastviewer") / "resources" / "demo.pencast"))
