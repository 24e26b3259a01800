"""The layer contract: import-linter's contracts, and no Qt widgets behind non-GUI code."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_import_linter_contracts_hold():
    lint_imports = shutil.which("lint-imports")
    if lint_imports is None:
        pytest.fail("import-linter is a test dependency: pip install -e '.[test]'")
    result = subprocess.run([lint_imports], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_non_gui_packages_load_no_widgets():
    code = (
        "import sys\n"
        "import pencastviewer.model, pencastviewer.formats, pencastviewer.audio\n"
        "import pencastviewer.render.page_renderer, pencastviewer.app.session, pencastviewer.cli.main\n"
        "from pencastviewer.formats import all_formats; all_formats()\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6.QtWidgets', 'pyqtgraph'))]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"widgets imported: {result.stdout} {result.stderr}"


def test_model_and_formats_load_no_qt_at_all():
    code = (
        "import sys\n"
        "import pencastviewer.model, pencastviewer.formats\n"
        "import pencastviewer.cli.info, pencastviewer.cli.locate\n"
        "from pencastviewer.formats import all_formats; all_formats()\n"
        "bad = [m for m in sys.modules if m.startswith('PySide6')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"Qt imported by info/locate: {result.stdout} {result.stderr}"
