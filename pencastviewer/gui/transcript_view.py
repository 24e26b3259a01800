"""The text of one transcript: paragraphs with their time, the word being heard
highlighted, a click on a word plays from it (with the pre-roll), and hovering a paragraph
tells which ink was written while it was said."""

from __future__ import annotations

import bisect

import numpy as np
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPalette, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

from ..model.units import format_hms
from ..transcript.document import Transcript

PARAGRAPH_GAP_S = 2.0  # a pause longer than this between segments starts a paragraph
PARAGRAPH_MAX_CHARS = 600


def _utf16_len(text: str) -> int:
    """Length as Qt counts text positions (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


class TranscriptText(QPlainTextEdit):
    """word_clicked(index) when a word is clicked without selecting text; paragraph_hovered
    (start_s, end_s) asks for the tooltip text (answered through set_hover_text)."""

    word_clicked = Signal(int)
    paragraph_hovered = Signal(float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setMouseTracking(True)
        self.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
        self.word_starts_s = np.empty(0)
        self._char_starts: list[int] = []
        self._char_ends: list[int] = []
        self._paragraphs: list[tuple[float, float]] = []  # per text block
        self._current = -1
        self._hovered_block = -1

    def show_transcript(self, transcript: Transcript | None, placeholder: str = "") -> None:
        self._current, self._hovered_block = -1, -1
        self.setExtraSelections([])
        if transcript is None or not transcript.segments:
            self.word_starts_s, self._char_starts, self._char_ends, self._paragraphs = np.empty(0), [], [], []
            self.setPlainText(placeholder)
            return
        lines, starts, ends, paragraphs, starts_s = [], [], [], [], []
        position, line, last_end = 0, "", None
        for segment in transcript.segments:
            new = (
                last_end is None
                or segment.start_s - last_end > PARAGRAPH_GAP_S
                or len(line) > PARAGRAPH_MAX_CHARS
            )
            if new:
                if line:
                    lines.append(line)
                    position += _utf16_len(line) + 1  # (the paragraph separator)
                line = f"[{format_hms(segment.start_s)}] "
                paragraphs.append((segment.start_s, segment.end_s))
            paragraphs[-1] = (paragraphs[-1][0], segment.end_s)
            for word in segment.words:
                text = word.word.lstrip() if line.endswith(" ") else word.word
                lead = text[: len(text) - len(text.lstrip())]
                starts.append(position + _utf16_len(line) + _utf16_len(lead))
                line += text
                ends.append(position + _utf16_len(line))
                starts_s.append(word.start_s)
            last_end = segment.end_s
        lines.append(line)
        self.setPlainText("\n".join(lines))
        self._char_starts, self._char_ends, self._paragraphs = starts, ends, paragraphs
        self.word_starts_s = np.array(starts_s)

    def word_at_time(self, position_s: float) -> int:
        return int(np.searchsorted(self.word_starts_s, position_s, side="right")) - 1

    def highlight_at(self, position_s: float) -> int:
        """Highlights the word being heard at position_s; returns its index (-1: none)."""
        k = self.word_at_time(position_s)
        if k == self._current:
            return k
        self._current = k
        if k < 0:
            self.setExtraSelections([])
            return k
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._char_starts[k])
        cursor.setPosition(self._char_ends[k], QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setBackground(self.palette().color(QPalette.ColorRole.Highlight))
        fmt.setForeground(self.palette().color(QPalette.ColorRole.HighlightedText))
        selection.cursor, selection.format = cursor, fmt
        self.setExtraSelections([selection])
        self._keep_visible(cursor)
        return k

    def _keep_visible(self, cursor: QTextCursor) -> None:
        rect = self.cursorRect(cursor)
        if not self.viewport().rect().contains(rect):
            self.verticalScrollBar().setValue(
                self.verticalScrollBar().value() + rect.top() - self.height() // 3
            )

    def highlighted_word(self) -> int:
        return self._current

    def word_at_char(self, position: int) -> int:
        k = bisect.bisect_right(self._char_starts, position) - 1
        return k if k >= 0 and position <= self._char_ends[k] else -1

    def word_text(self, k: int) -> str:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._char_starts[k])
        cursor.setPosition(self._char_ends[k], QTextCursor.MoveMode.KeepAnchor)
        return cursor.selectedText()

    def point_of_word(self, k: int) -> QPoint:
        """The middle of word k in viewport coordinates."""
        cursor = QTextCursor(self.document())
        cursor.setPosition((self._char_starts[k] + self._char_ends[k]) // 2)
        return self.cursorRect(cursor).center()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton or self.textCursor().hasSelection():
            return
        k = self.word_at_char(self.cursorForPosition(event.position().toPoint()).position())
        if k >= 0:
            self.word_clicked.emit(k)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        block = self.cursorForPosition(event.position().toPoint()).blockNumber()
        if block != self._hovered_block and 0 <= block < len(self._paragraphs):
            self._hovered_block = block
            self.paragraph_hovered.emit(*self._paragraphs[block])

    def set_hover_text(self, text: str) -> None:
        self.setToolTip(text)
        if text and self.underMouse():
            QToolTip.showText(self.cursor().pos(), text, self)
