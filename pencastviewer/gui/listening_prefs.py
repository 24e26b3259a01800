"""Preferences ▸ Listening: how quiet recordings are heard — loudness normalisation to a
target, voice clarity and skip silence (app/listening.py holds what they mean)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QFormLayout, QGroupBox, QWidget

from ..app.listening import TARGET_RANGE_LUFS, Listening


class ListeningBox(QGroupBox):
    """Shows `listening`; `listening()` is what the user chose (the volume boost, set in
    the transport, is kept as given)."""

    def __init__(self, listening: Listening, parent: QWidget | None = None) -> None:
        super().__init__("Listening", parent)
        self._given = listening
        self.normalize = QCheckBox("Make quiet recordings loud enough (loudness normalisation)", self)
        self.normalize.setChecked(listening.normalize)
        self.normalize.setToolTip(
            "Brings the speech to the target loudness (ITU-R BS.1770 / EBU R128)\n"
            "under a −1 dBTP limiter, so pen clicks cannot blast you."
        )
        self.target = QDoubleSpinBox(self)
        self.target.setRange(*TARGET_RANGE_LUFS)
        self.target.setDecimals(1)
        self.target.setSingleStep(1.0)
        self.target.setSuffix(" LUFS")
        self.target.setValue(listening.target_lufs)
        self.target.setToolTip("−16 LUFS: loud speech, as podcasts are; −23 LUFS: broadcast level")
        self.normalize.toggled.connect(self.target.setEnabled)
        self.target.setEnabled(listening.normalize)
        self.voice_clarity = QCheckBox("Voice clarity (cut rumble, even out far-away speech)", self)
        self.voice_clarity.setChecked(listening.voice_clarity)
        self.skip_silence = QCheckBox("Skip silence while playing", self)
        self.skip_silence.setChecked(listening.skip_silence)
        form = QFormLayout(self)
        form.addRow("", self.normalize)
        form.addRow("Target loudness:", self.target)
        form.addRow("", self.voice_clarity)
        form.addRow("", self.skip_silence)

    def listening(self) -> Listening:
        return replace(
            self._given,
            normalize=self.normalize.isChecked(),
            target_lufs=self.target.value(),
            voice_clarity=self.voice_clarity.isChecked(),
            skip_silence=self.skip_silence.isChecked(),
        )
