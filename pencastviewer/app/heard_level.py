"""How the current recording is heard: the listening options (app/listening.py) applied to
it, with its loudness once the waveform's pass has measured it (app/recording_peaks.py)
or the level it carries (app/stored_level.py), handed to the playback controller. Until
the loudness is known the recording plays without normalisation gain, the limiter on."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QObject

from ..media.dynamics import Processing
from ..media.peaks import PeakPyramid
from ..media.silence import skippable_spans
from .listening import Listening
from .recording_peaks import RecordingPeaks
from .session import Session
from .stored_level import level_processing


class HeardLevel(QObject):
    """Keeps `session.playback`'s processing in step with the listening options, the
    current recording and its measured loudness."""

    def __init__(
        self, session: Session, peaks: RecordingPeaks, listening: Listening, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.session, self.peaks, self._listening = session, peaks, listening
        session.recording_changed.connect(self.update)
        peaks.finished.connect(self._on_peaks_finished)
        peaks.cleared.connect(self.update)
        peaks.started.connect(self.update)
        self.update()

    @property
    def listening(self) -> Listening:
        return self._listening

    def set_listening(self, listening: Listening) -> None:
        self._listening = listening
        self.update()

    def processing(self) -> Processing:
        """What the current recording goes through as it is played now."""
        doc, index = self.session.document, self.session.recording
        if doc is None or index < 0:
            return self._listening.processing(None)
        pyramid = self.peaks.pyramid
        loudness = pyramid.loudness if pyramid is not None else None
        return level_processing(self._listening, doc.notebook.recordings[index], loudness)

    def skipped_spans(self) -> NDArray[np.float64] | None:
        """Where skip silence jumps over the current recording (None: off, or its loudness,
        which says where it is silent, is not measured yet)."""
        pyramid = self.peaks.pyramid
        if not self._listening.skip_silence or pyramid is None or pyramid.loudness is None:
            return None
        return skippable_spans(pyramid.loudness)

    def update(self, *_args: object) -> None:
        self.session.playback.set_processing(self.processing())
        self.session.playback.set_skipped(self.skipped_spans())

    def _on_peaks_finished(self, _pyramid: PeakPyramid) -> None:
        self.update()
