"""Recordings a notebook names but whose audio was not found: a quiet notice (status bar,
a "Locate recording…" button beside it, the recordings list) instead of an error, and
Locate recording…: the user points to the file once, it is remembered for the notebook,
and the notebook is read again so every stroke of that recording gets its audio."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox, QStatusBar, QToolButton, QWidget

from ..app.open_document import OpenDocument, audio_file_problem
from ..model import AudioStore, Recording

AUDIO_EXTENSIONS = ("ogg", "oga", "opus", "mp3", "wav", "flac", "m4a", "aac", "mp4", "webm", "mka", "spx")
AUDIO_FILTER = f"Audio files ({' '.join('*.' + e for e in AUDIO_EXTENSIONS)});;All files (*)"


def missing_names(recording: Recording) -> list[str]:
    """The names (as the notebook writes them) of the recording's files not found."""
    return [f.member for f in recording.files if f.store == AudioStore.MISSING]


def missing_notice(recording: Recording) -> str:
    if recording.is_lost:  # nothing to locate: the audio was inside the file
        why = recording.missing_text()
        return f"{why[0].upper()}{why[1:]} — the ink is shown without sound."
    return f"The recording “{recording.name}” was not found — the ink is shown; Locate recording… finds it."


class MissingAudio:
    """Keeps the Locate recording… action and the status-bar button in step with the
    session, and locates recordings (asking the user, then OpenDocument.locate). `parent`
    is the window its file dialogs belong to."""

    def __init__(self, opener: OpenDocument, action: QAction, status: QStatusBar, parent: QWidget) -> None:
        self.opener, self.session = opener, opener.session
        self.action, self.status, self.parent = action, status, parent
        self.button = QToolButton(parent)
        self.button.setObjectName("locate-recording-button")
        self.button.setDefaultAction(self.action)
        self.button.setAutoRaise(True)
        status.addPermanentWidget(self.button)
        self.button.hide()
        self.session.recording_changed.connect(lambda _index: self.update())
        self.session.recording_missing.connect(self.on_recording_missing)
        self.update()

    def missing_recordings(self) -> list[int]:
        doc = self.session.document
        if doc is None:
            return []
        # (audio lost from inside a damaged file is missing too, but no file can stand in for it)
        return [i for i, r in enumerate(doc.notebook.recordings) if r.is_missing and not r.is_lost]

    def update(self) -> None:
        """The action works while any recording is missing; the button shows while the
        current one is."""
        self.action.setEnabled(bool(self.missing_recordings()))
        self.button.setVisible(self.session.recording in self.missing_recordings())

    def on_recording_missing(self, index: int, _name: str) -> None:
        self.update()
        doc = self.session.document
        if doc is not None:
            self.status.showMessage(missing_notice(doc.notebook.recordings[index]))

    def on_opened(self) -> None:
        """After the window said "Opened …": the notice wins while the current recording is missing."""
        self.update()
        if self.session.is_missing(self.session.recording):
            self.on_recording_missing(self.session.recording, "")

    # --- locating --------------------------------------------------------------------------
    def locate(self, index: int | None = None) -> bool:
        """Ask where recording `index` (default: the current one if missing, else the first
        missing one) is; True when the notebook is being read again with it."""
        doc = self.session.document
        missing = self.missing_recordings()
        if doc is None or not missing:
            return False
        if index is None:
            index = self.session.recording if self.session.recording in missing else missing[0]
        if index not in missing:
            return False
        chosen: dict[str, str] = {}
        for name in missing_names(doc.notebook.recordings[index]):
            path = self._ask(name, doc.path.parent)
            if path is None:
                return False  # cancelled: nothing is remembered
            chosen[name] = path
        last = Path(list(chosen.values())[-1]).name if chosen else ""
        self.status.showMessage(f"Opening {doc.path.name} with {last}…")
        self.opener.locate(chosen)
        return True

    def _ask(self, name: str, folder: Path) -> str | None:
        """A readable audio file chosen for `name`, or None when the user gave up."""
        title = f"Locate the recording “{Path(name.replace(chr(92), '/')).name}”"
        path, _ = QFileDialog.getOpenFileName(self.parent, title, str(folder), AUDIO_FILTER)
        if not path:
            return None
        problem = audio_file_problem(path)
        if problem is not None:
            # An answer to what the user just chose, so a dialog is right here.
            text = f"“{Path(path).name}” cannot be played as audio:\n{problem}\n\nChoose another file."
            QMessageBox.warning(self.parent, "Not an audio file", text)
            return None
        return path
