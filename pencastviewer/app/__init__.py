"""Application layer: the session (one owner of notebook, page, playhead, selection),
use-cases and background workers. QtCore only — no widgets."""
