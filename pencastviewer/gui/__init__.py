"""Widgets, wired together in one composition root (main_window)."""
