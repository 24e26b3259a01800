"""Preferences ▸ Transcription: which speech model (a name faster-whisper downloads once
the user allows it, or a CTranslate2 model folder) and which language."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QCheckBox, QComboBox, QFileDialog, QFormLayout, QGroupBox, QPushButton, QWidget

from ..transcript.whisper import model_names


@dataclass(frozen=True)
class TranscriptionChoice:
    model: str = ""  # "" = none chosen
    allow_download: bool = False
    language: str = ""  # "" = detect


class TranscriptionBox(QGroupBox):
    def __init__(self, choice: TranscriptionChoice, parent: QWidget | None = None) -> None:
        super().__init__("Transcription", parent)
        self.model = QComboBox(self)
        self.model.setEditable(True)
        self.model.addItem("")
        self.model.addItems(model_names())
        self.model.setCurrentText(choice.model)
        self.model.setToolTip("A Whisper model name, or a folder holding a CTranslate2 Whisper model")
        folder = QPushButton("Model folder…", self)
        folder.clicked.connect(self._choose_folder)
        self.download = QCheckBox("Allow downloading a named model (once, into the user cache)", self)
        self.download.setChecked(choice.allow_download)
        self.language = QComboBox(self)
        self.language.setEditable(True)
        self.language.addItems(["", "en", "fr", "de", "es", "it", "nl", "pt", "ja", "zh"])
        self.language.setCurrentText(choice.language)
        self.language.setToolTip("Empty: detected from the first minutes of each recording")
        form = QFormLayout(self)
        form.addRow("Speech model:", self.model)
        form.addRow("", folder)
        form.addRow("", self.download)
        form.addRow("Language:", self.language)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "CTranslate2 Whisper model folder")
        if folder:
            self.model.setCurrentText(folder)

    def choice(self) -> TranscriptionChoice:
        return TranscriptionChoice(
            self.model.currentText().strip(), self.download.isChecked(), self.language.currentText().strip()
        )
