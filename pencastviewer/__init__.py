"""pencastviewer: open, play and export handwritten notes recorded with audio."""

__version__ = "0.1.0"
