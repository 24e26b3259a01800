"""Light and dark themes: "system" follows the desktop's colour scheme as it changes.

The paper stays white in both (it is paper); only the window around it darkens.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

_DARK = {
    QPalette.ColorRole.Window: (45, 45, 48),
    QPalette.ColorRole.WindowText: (220, 220, 220),
    QPalette.ColorRole.Base: (30, 30, 32),
    QPalette.ColorRole.AlternateBase: (45, 45, 48),
    QPalette.ColorRole.ToolTipBase: (60, 60, 64),
    QPalette.ColorRole.ToolTipText: (230, 230, 230),
    QPalette.ColorRole.PlaceholderText: (140, 140, 140),
    QPalette.ColorRole.Text: (220, 220, 220),
    QPalette.ColorRole.Button: (52, 52, 56),
    QPalette.ColorRole.ButtonText: (220, 220, 220),
    QPalette.ColorRole.BrightText: (255, 90, 90),
    QPalette.ColorRole.Light: (75, 75, 80),
    QPalette.ColorRole.Midlight: (62, 62, 66),
    QPalette.ColorRole.Mid: (90, 90, 95),
    QPalette.ColorRole.Dark: (25, 25, 27),
    QPalette.ColorRole.Shadow: (10, 10, 10),
    QPalette.ColorRole.Highlight: (42, 130, 218),
    QPalette.ColorRole.HighlightedText: (255, 255, 255),
    QPalette.ColorRole.Link: (90, 160, 240),
}
_DISABLED_TEXT = (120, 120, 120)


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, rgb in _DARK.items():
        palette.setColor(role, QColor(*rgb))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(*_DISABLED_TEXT))
    return palette


def system_is_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


class ThemeManager(QObject):
    """Applies the chosen theme ("system", "light" or "dark") to the application and, for
    "system", re-applies it whenever the desktop switches between light and dark."""

    def __init__(self, app: QApplication, parent: QObject | None = None):
        super().__init__(parent)
        self._app = app
        self._choice = "system"
        self._original_style = app.style().name()
        self._original_palette = QPalette(app.palette())
        app.styleHints().colorSchemeChanged.connect(self._on_color_scheme_changed)

    @property
    def choice(self) -> str:
        return self._choice

    def apply(self, choice: str) -> None:
        self._choice = choice if choice in ("system", "light", "dark") else "system"
        want_dark = self._choice == "dark" or (self._choice == "system" and system_is_dark())
        if want_dark == is_dark(self._original_palette):
            # the desktop's own palette already is what is wanted: keep its look
            self._app.setStyle(self._original_style)
            self._app.setPalette(self._original_palette)
            return
        # Fusion draws every control from the palette, so the palette is honoured
        # everywhere (native styles ignore parts of it).
        self._app.setStyle("Fusion")
        self._app.setPalette(dark_palette() if want_dark else self._app.style().standardPalette())

    def _on_color_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self._choice == "system":
            self.apply("system")
