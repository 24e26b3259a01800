"""File ▸ Preferences: pre-roll, ink reveal, page turning, theme, the folders searched
for recordings a notebook links to, listening and transcription. OK applies and saves."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..app.listening import Listening
from .listening_prefs import ListeningBox
from .transcription_prefs import TranscriptionBox, TranscriptionChoice

THEME_LABELS = (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark"))


@dataclass(frozen=True)
class PreferenceValues:
    preroll_s: float
    show_ghosts: bool
    auto_page_turn: bool
    theme: str
    audio_folders: tuple[str, ...] = ()  # searched, in order, for recordings not found beside a notebook
    transcription: TranscriptionChoice | None = None  # None: the box is not shown
    listening: Listening | None = None  # None: the box is not shown


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
        self.preroll.setToolTip(
            "A click on ink plays from this long before the point was written,\nso you hear what led to it."
        )
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
        self.listening = None if values.listening is None else ListeningBox(values.listening, self)
        if self.listening is not None:
            layout.addWidget(self.listening)
        layout.addWidget(self._audio_folders_box(values.audio_folders))
        self.transcription = (
            None if values.transcription is None else TranscriptionBox(values.transcription, self)
        )
        if self.transcription is not None:
            layout.addWidget(self.transcription)
        layout.addWidget(buttons)

    def _audio_folders_box(self, folders: tuple[str, ...]) -> QGroupBox:
        box = QGroupBox("Audio folders", self)
        box.setToolTip(
            "Where to look for a recording a notebook links to when it is not beside\n"
            "the notebook, in its audio/ folder or in Xournal++'s audio folder."
        )
        self.audio_folders = QListWidget(box)
        self.audio_folders.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.audio_folders.addItems(list(folders))
        add = QPushButton("Add…", box)
        add.clicked.connect(self._choose_audio_folder)
        self.remove_folder = QPushButton("Remove", box)
        self.remove_folder.clicked.connect(self.remove_audio_folder)
        self.audio_folders.currentRowChanged.connect(lambda row: self.remove_folder.setEnabled(row >= 0))
        self.remove_folder.setEnabled(False)
        side = QVBoxLayout()
        side.addWidget(add)
        side.addWidget(self.remove_folder)
        side.addStretch(1)
        row = QHBoxLayout(box)
        row.addWidget(self.audio_folders, 1)
        row.addLayout(side)
        return box

    def _choose_audio_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add an audio folder")
        if folder:
            self.add_audio_folder(folder)

    def add_audio_folder(self, folder: str) -> None:
        if folder not in self._folders():
            self.audio_folders.addItem(folder)
        self.audio_folders.setCurrentRow(self._folders().index(folder))

    def remove_audio_folder(self) -> None:
        row = self.audio_folders.currentRow()
        if row >= 0:
            self.audio_folders.takeItem(row)

    def _folders(self) -> list[str]:
        return [self.audio_folders.item(i).text() for i in range(self.audio_folders.count())]

    def values(self) -> PreferenceValues:
        return PreferenceValues(
            self.preroll.value(),
            self.ghosts.isChecked(),
            self.auto_turn.isChecked(),
            self.theme.currentData(),
            tuple(self._folders()),
            None if self.transcription is None else self.transcription.choice(),
            None if self.listening is None else self.listening.listening(),
        )
