"""The bundled program's entry point (PyInstaller runs this file as `pencastviewer`).

`pencastviewer -m pencastviewer.X` runs that module, as `python3 -m` would: the program
starts children of itself that way (audio.decode_process), and in the bundle its
sys.executable is this program, not a Python."""

import runpy
import sys

from pencastviewer.cli.main import main

if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "-m" and sys.argv[2].startswith("pencastviewer."):
        module = sys.argv[2]
        del sys.argv[1:3]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        sys.exit(0)
    sys.exit(main())
