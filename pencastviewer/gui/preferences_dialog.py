"""File ▸ Preferences: pre-roll, ink reveal, page turning and theme. OK applies and saves."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QVBoxLayout,
    QWidget,
)

THEME_LABELS = (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark"))


@dataclass(frozen=True)
class PreferenceValues:
    preroll_s: float
    show_ghosts: bool
    auto_page_turn: bool
    theme: str


class PreferencesDialog(QDialog):
    """Shows `values`; after exec() == Accepted, `values()` holds what the user chose."""

    def __init__(self, values: PreferenceValues, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.preroll = QDoubleSpinBox(self)
        self.preroll.setRange(0.0, 10.0)
        self.preroll.setSingleStep(0.1)
        self.preroll.setDecimals(1)
        self.preroll.setSuffix(" s")
        self.preroll.setValue(values.preroll_s)
        self.preroll.setToolTip("A click on ink plays from this long before the point was written,\n"
                                "so you hear what led to it.")
        self.ghosts = QCheckBox("Show ink still to come, faintly, while playing", self)
        self.ghosts.setChecked(values.show_ghosts)
        self.auto_turn = QCheckBox("Turn to the page being written while playing", self)
        self.auto_turn.setChecked(values.auto_page_turn)
        self.theme = QComboBox(self)
        for key, label in THEME_LABELS:
            self.theme.addItem(label, key)
        self.theme.setCurrentIndex(max(0, self.theme.findData(values.theme)))
        form = QFormLayout()
        form.addRow("Pre-roll before a tapped point:", self.preroll)
        form.addRow("", self.ghosts)
        form.addRow("", self.auto_turn)
        form.addRow("Theme:", self.theme)
        ok_cancel = QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        buttons = QDialogButtonBox(ok_cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def values(self) -> PreferenceValues:
        return PreferenceValues(self.preroll.value(), self.ghosts.isChecked(), self.auto_turn.isChecked(),
                                self.theme.currentData())
