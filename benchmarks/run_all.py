"""Run every benchmark script in this folder, one after the other, and print their figures.

Run: python3 benchmarks/run_all.py [name-filter]
Each script builds its own large inputs (a 3-hour recording, a 50 000-stroke notebook...),
so the whole run takes several minutes; figures vary with machine load: compare medians.
A script states each figure the issues set a goal for as a line `RATIO name: value (goal)`;
they are gathered into one table at the end.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RATIO = re.compile(r"RATIO (.+?): (\S+) \((.*)\)$")


def main() -> int:
    wanted = sys.argv[1] if len(sys.argv) > 1 else ""
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    failed: list[str] = []
    ratios: list[tuple[str, str, str, str]] = []
    for script in sorted(HERE.glob("bench_*.py")):
        if wanted not in script.name:
            continue
        print(f"\n=== {script.name}", flush=True)
        start = time.monotonic()
        returncode = _run(script, env, ratios)
        print(f"--- {script.name}: {time.monotonic() - start:.0f} s, exit {returncode}", flush=True)
        if returncode:
            failed.append(script.name)
    _summary(ratios)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


def _run(script: Path, env: dict[str, str], ratios: list[tuple[str, str, str, str]]) -> int:
    """Runs one script, echoing its output and keeping its RATIO lines."""
    with subprocess.Popen(
        [sys.executable, str(script)], env=env, cwd=HERE.parent, stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            match = RATIO.match(line.strip())
            if match:
                ratios.append((script.stem, *match.groups()))
    return process.returncode


def _summary(ratios: list[tuple[str, str, str, str]]) -> None:
    if not ratios:
        return
    width = max(len(name) for _, name, _, _ in ratios)
    print("\n=== summary: every ratio with a goal")
    print(f"{'measure':<{width}}  {'value':>8}  goal")
    for _, name, value, goal in ratios:
        print(f"{name:<{width}}  {value:>8}  {goal}")


if __name__ == "__main__":
    sys.exit(main())
