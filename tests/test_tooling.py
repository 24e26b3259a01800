"""The project's static checks run with the tests, so CI's one command enforces them:
ruff (lint and format) and mypy (strict on model, media, formats and audio; plain on the
rest; configured in pyproject.toml). import-linter runs in tests/test_layers.py."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ["pencastviewer", "tests", "scripts", "benchmarks"]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is a test dependency: pip install -e '.[test]'")
    return path


def test_ruff_lint_is_clean():
    result = subprocess.run(
        [_tool("ruff"), "check", *CHECKED], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_applied():
    result = subprocess.run(
        [_tool("ruff"), "format", "--check", *CHECKED], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, "run `ruff format`:\n" + result.stdout + result.stderr


def test_mypy_is_clean():
    """Strict on model, media, formats and audio, plain on the rest (pyproject.toml)."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr
    assert "Success" in result.stdout
