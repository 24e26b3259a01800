"""The README's promises that CI keeps: the same system packages, the same test command."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_installs_the_readme_packages_and_runs_its_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    apt_line = re.search(r"sudo apt-get install (.+)", readme).group(1).split()
    ci_packages = re.search(r'DEBIAN_PACKAGES="([^"]+)"', ci).group(1).split()
    assert apt_line == ci_packages
    test_command = "python3 -m pip install -e '.[test]' && python3 -m pytest"
    assert test_command in readme
    assert ci.rstrip().splitlines()[-1] == test_command


def test_readme_screenshot_exists():
    shot = re.search(r"!\[[^\]]*\]\(([^)]+)\)", (ROOT / "README.md").read_text()).group(1)
    assert (ROOT / shot).is_file(), f"README shows {shot}, which is missing"
