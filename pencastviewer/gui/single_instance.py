"""One window per user and display, as media players do: `pencastviewer FILE` while the
window is open hands FILE to that window (over a local socket) and exits 0.

The socket is named per user and per display, so two desktops of one user (or two test
X servers) each keep their own window."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

TIMEOUT_MS = 3000
ACK = b"ok\n"


def server_name() -> str:
    """A full socket path in $XDG_RUNTIME_DIR (private to the user) when there is one,
    else a name Qt puts in the temporary folder, with the user id in it."""
    display = os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY") or "nodisplay"
    tag = re.sub(r"[^A-Za-z0-9_.-]", "_", display)
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isdir(runtime):
        return str(Path(runtime) / f"pencastviewer-{tag}.socket")
    return f"pencastviewer-{os.getuid()}-{tag}"


def hand_over(file: str | None, audio: list[str] | None = None, name: str | None = None) -> bool:
    """Give `file` (None: just show the window) to a running window; True when one took it."""
    socket = QLocalSocket()
    socket.connectToServer(name or server_name())
    if not socket.waitForConnected(TIMEOUT_MS):
        return False
    message = {
        "file": str(Path(file).absolute()) if file else None,
        "audio": [str(Path(a).absolute()) for a in audio or ()],
    }
    socket.write(json.dumps(message).encode("utf-8") + b"\n")
    socket.flush()
    reply = b""
    while not reply.endswith(b"\n") and socket.waitForReadyRead(TIMEOUT_MS):
        reply += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return reply == ACK


class InstanceServer(QObject):
    """Listens for later `pencastviewer` runs; `received(file or "", audio)` for each."""

    received = Signal(str, list)

    def __init__(self, parent: QObject | None = None, name: str | None = None):
        super().__init__(parent)
        self.name = name or server_name()
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_connection)

    def listen(self) -> bool:
        if self._server.listen(self.name):
            return True
        # A socket left by a window that crashed: nobody answers on it (hand_over said so).
        QLocalServer.removeServer(self.name)
        return self._server.listen(self.name)

    def _on_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            buffer = bytearray()
            socket.readyRead.connect(lambda s=socket, b=buffer: self._on_ready(s, b))
            socket.disconnected.connect(socket.deleteLater)

    def _on_ready(self, socket: QLocalSocket, buffer: bytearray) -> None:
        buffer += bytes(socket.readAll().data())
        if not buffer.endswith(b"\n"):
            return
        try:
            message = json.loads(buffer.decode("utf-8"))
            file, audio = message.get("file") or "", [str(a) for a in message.get("audio", [])]
        except (ValueError, AttributeError, TypeError):
            socket.disconnectFromServer()
            return
        socket.write(ACK)
        socket.flush()
        self.received.emit(str(file), audio)
