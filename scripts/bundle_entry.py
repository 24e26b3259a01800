"""The bundled program's entry point (PyInstaller runs this file as `pencastviewer`)."""

import sys

from pencastviewer.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
