"""The reference renderer the render tests compare with: Xournal++ itself."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="module")
def xournalpp_cli() -> list[str]:
    """The command that runs `xournalpp` under a virtual display; skip without either."""
    xpp, xvfb = shutil.which("xournalpp"), shutil.which("xvfb-run")
    if xpp is None:
        pytest.skip("xournalpp is not installed (Debian package xournalpp): no reference renderer")
    if xvfb is None:
        pytest.skip("xvfb-run is not installed (Debian package xvfb): xournalpp needs a display")
    return [xvfb, "-a", xpp]
