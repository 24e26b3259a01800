"""Rendering: model pages to QPainter (QtGui only) — one renderer for the canvas, the
thumbnails and every image or video export, so they cannot disagree."""
