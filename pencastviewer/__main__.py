"""`python -m pencastviewer` is the `pencastviewer` command."""

import sys

from .cli.main import main

sys.exit(main())
