"""Run every benchmark script in this folder, one after the other, and print their figures.

Run: python3 benchmarks/run_all.py [name-filter]
Each script builds its own large inputs (a 3-hour recording, a 50 000-stroke notebook...),
so the whole run takes several minutes; figures vary with machine load: compare medians.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    wanted = sys.argv[1] if len(sys.argv) > 1 else ""
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        if wanted not in script.name:
            continue
        print(f"\n=== {script.name}", flush=True)
        start = time.monotonic()
        result = subprocess.run([sys.executable, str(script)], env=env, cwd=HERE.parent)
        print(f"--- {script.name}: {time.monotonic() - start:.0f} s, exit {result.returncode}", flush=True)
        if result.returncode:
            failed.append(script.name)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
