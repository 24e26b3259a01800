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
        "import pencastviewer.model, pencastviewer.media, pencastviewer.formats, pencastviewer.audio\n"
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
        "import pencastviewer.model, pencastviewer.media, pencastviewer.formats\n"
        "import pencastviewer.cli.info, pencastviewer.cli.locate\n"
        "from pencastviewer.formats import all_formats; all_formats()\n"
        "bad = [m for m in sys.modules if m.startswith('PySide6')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"Qt imported by info/locate: {result.stdout} {result.stderr}"


PAINTING_QT = ("PySide6.QtGui", "PySide6.QtSvg", "PySide6.QtWidgets", "PySide6.QtPdf", "pyqtgraph")


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports (absolute names; relative imports are within the package)."""
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_app_imports_no_painting_qt():
    """app is QtCore only: painting is render's (import-linter cannot name PySide6.QtGui,
    an external subpackage, so the imports are read here)."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in _imported_modules(path) if m.startswith(PAINTING_QT))
        for path in sorted((ROOT / "pencastviewer" / "app").rglob("*.py"))
    }
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_the_session_and_use_cases_load_no_gui_qt():
    """In a fresh interpreter: the session and the use-cases (open, export, peaks) load
    QtCore only; QtGui comes in with render when an exporter paints."""
    code = (
        "import sys\n"
        "import pencastviewer.app.session, pencastviewer.app.peaks_job, pencastviewer.app.preferences\n"
        "import pencastviewer.app.export.task, pencastviewer.app.export.request\n"
        "import pencastviewer.app.export.registry, pencastviewer.app.export.audio_clip\n"
        f"bad = [m for m in sys.modules if m.startswith({PAINTING_QT!r})]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"painting Qt imported: {result.stdout} {result.stderr}"
