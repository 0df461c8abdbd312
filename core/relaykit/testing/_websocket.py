"""The server side of an emulated WebSocket session: the handshake answer and `WebSocketPeer`.

A route answers ``Reply.websocket(handler)``; after the ``101 Switching Protocols`` answer the
handler runs on the connection's thread with a `WebSocketPeer` to receive and send text frames
(wsproto does the framing). When the handler returns the session is closed cleanly. A
``cut_stream`` fault sends its first ``after_events`` frames, then half of the next, then drops
the connection, as a vendor dying mid-answer would.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from io import BufferedIOBase

from wsproto.connection import Connection, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Message, Ping, TextMessage

__all__ = ["WebSocketCut", "WebSocketHandler", "WebSocketPeer", "accept_key"]

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def accept_key(key: str) -> str:
    """The ``Sec-WebSocket-Accept`` value answering a client's ``Sec-WebSocket-Key`` (RFC 6455)."""
    return base64.b64encode(hashlib.sha1((key + _GUID).encode(), usedforsecurity=False).digest()).decode()


class WebSocketCut(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised inside a handler when a ``cut_stream`` fault drops the connection mid-frame."""


class WebSocketPeer:
    """The emulator's end of one WebSocket session, handed to a ``Reply.websocket`` handler."""

    def __init__(self, rfile: BufferedIOBase, wfile: BufferedIOBase, *, cut_after: int | None = None) -> None:
        self._rfile = rfile
        self._wfile = wfile
        self._conn = Connection(ConnectionType.SERVER)
        self._cut_after = cut_after
        self.sent = 0
        """Frames sent so far."""
        self.closed = False
        """True once either side closed the session."""

    def receive_text(self) -> str | None:
        """The client's next message as text, or None once the client closed the session."""
        parts: list[str] = []
        while not self.closed:
            for event in self._conn.events():
                if isinstance(event, Message):
                    data = event.data
                    parts.append(data if isinstance(event, TextMessage) else bytes(data).decode("utf-8", "replace"))
                    if event.message_finished:
                        return "".join(parts)
                elif isinstance(event, Ping):
                    self._write(self._conn.send(event.response()))
                elif isinstance(event, CloseConnection):
                    self._write(self._conn.send(event.response()))
                    self.closed = True
                    return None
            data = self._rfile.read1(65536)
            if not data:
                self.closed = True
                return None
            self._conn.receive_data(data)
        return None

    def send_text(self, text: str) -> None:
        """Send one text frame (or, under a ``cut_stream`` fault, maybe half of one, then drop)."""
        frame = self._conn.send(TextMessage(data=text))
        if self._cut_after is not None and self.sent == self._cut_after:
            self._write(frame[: max(1, len(frame) // 2)])
            self.closed = True
            raise WebSocketCut
        self._write(frame)
        self.sent += 1

    def send_bytes(self, data: bytes) -> None:
        """Send one binary frame."""
        self._write(self._conn.send(BytesMessage(data=data)))
        self.sent += 1

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the session (a close frame with `code`); safe to call more than once."""
        if not self.closed:
            self.closed = True
            self._write(self._conn.send(CloseConnection(code=code, reason=reason)))

    def _write(self, data: bytes) -> None:
        self._wfile.write(data)
        self._wfile.flush()


WebSocketHandler = Callable[[WebSocketPeer], None]
"""Runs one session; returns when the emulator's side is done (the peer is then closed)."""
