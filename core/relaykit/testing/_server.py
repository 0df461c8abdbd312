"""The HTTP/1.1 wire under `Emulator`: a threading stdlib server that writes `Reply`s and faults.

`Emulator` decides *what* to answer (an `Answer`); this module reads requests and writes answers:
``Content-Length`` bodies, chunked streams flushed chunk by chunk, dropped connections, and streams
or bodies cut short. Nothing here knows a dialect.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ._exchange import Reply
from ._faults import Fault
from ._websocket import WebSocketCut, WebSocketPeer, accept_key

__all__ = ["Answer", "EmulatorServer"]

_REASONS = {529: "Site Is Overloaded"}
_MAX_LINE = 65537


@dataclass(frozen=True, slots=True)
class Answer:
    """What to send back: `reply`, or nothing at all (None: drop the connection).

    `cut` cuts the reply short (see `Fault.cut_stream`); `stopping` aborts a stream when set.
    """

    reply: Reply | None
    cut: Fault | None = None
    stopping: threading.Event | None = None


AnswerFunction = Callable[[str, str, Mapping[str, str], bytes], Answer]
ErrorFunction = Callable[[BaseException], None]


class EmulatorServer:
    """Serves `answer(method, target, headers, body)` on a background thread until `stop()`."""

    def __init__(self, address: tuple[str, int], answer: AnswerFunction, on_error: ErrorFunction) -> None:
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self._httpd = _HTTPServer(address, family, answer, on_error)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="relaykit-emulator", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        self._thread.join(timeout=5)
        for worker in self._httpd.workers():
            worker.join(timeout=5)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], family: socket.AddressFamily, answer: AnswerFunction, on_error: ErrorFunction
    ) -> None:
        self.address_family = family
        self.answer = answer
        self.on_error = on_error
        self._track = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._workers: set[threading.Thread] = set()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, which can stall; the name is not needed.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        worker = threading.Thread(
            target=self._serve_connection, args=(request, client_address), name="relaykit-emulator-conn", daemon=True
        )
        with self._track:
            self._connections.add(request)
            self._workers.add(worker)
        worker.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._track:
                self._connections.discard(request)
                self._workers.discard(threading.current_thread())

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, OSError):
            self.on_error(error)

    def close_connections(self) -> None:
        with self._track:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def workers(self) -> list[threading.Thread]:
        with self._track:
            return list(self._workers)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "relaykit-emulator"
    sys_version = ""
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: tests read `Emulator.requests` instead of a log."""

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except ValueError:
            self.send_error(400, "Unreadable request body")
            self.close_connection = True
            return
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        answer = self.server.answer(self.command, self.path, headers, body)
        if answer.reply is None:
            self.close_connection = True
            return
        try:
            self._write(answer.reply, answer)
        except OSError:
            self.close_connection = True

    # The stdlib dispatches on do_<METHOD> names.
    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch  # noqa: N815

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline(_MAX_LINE).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(_MAX_LINE) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline(_MAX_LINE)
        length = int(self.headers.get("content-length") or 0)
        if length < 0:
            raise ValueError("negative content-length")
        return self.rfile.read(length) if length else b""

    def _head(self, status: int, headers: Mapping[str, str]) -> bytes:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = _REASONS.get(status, "Unknown")
        lines = [f"{self.protocol_version} {status} {reason}"]
        merged = {"date": formatdate(usegmt=True), "server": self.server_version, **headers}
        if self.close_connection:
            merged["connection"] = "close"
        lines.extend(f"{name}: {value}" for name, value in merged.items())
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _write(self, reply: Reply, answer: Answer) -> None:
        if reply.session is not None:
            self._serve_websocket(reply, answer)
            return
        head_only = self.command == "HEAD"
        headers = dict(reply.headers)
        if reply.chunks is None:
            headers["content-length"] = str(len(reply.body))
            body = b"" if head_only else reply.body
            if answer.cut is not None:
                self.wfile.write(self._head(reply.status, headers) + body[: len(body) // 2])
                self.close_connection = True
                return
            self.wfile.write(self._head(reply.status, headers) + body)
            return
        chunked = self.request_version == "HTTP/1.1"
        if chunked:
            headers["transfer-encoding"] = "chunked"
        else:
            self.close_connection = True  # an HTTP/1.0 client reads the stream until the close
        self.wfile.write(self._head(reply.status, headers))
        if not head_only:
            self._write_chunks(reply, answer, chunked)

    def _write_chunks(self, reply: Reply, answer: Answer, chunked: bool) -> None:
        stopping = answer.stopping or threading.Event()
        cut = answer.cut
        chunks = iter(reply.chunks or ())
        index = 0
        while True:
            if index and reply.delay > 0 and stopping.wait(reply.delay):
                break
            if stopping.is_set():
                break
            try:
                chunk = next(chunks, None)
            except Exception as exc:  # noqa: BLE001 - a handler's generator failed mid-stream: cut it there
                self.server.on_error(exc)
                break
            if chunk is None:
                if cut is None:
                    if chunked:
                        self.wfile.write(b"0\r\n\r\n")
                    return
                break
            if not chunk:
                continue
            if cut is not None and index == cut.after_events:
                self.wfile.write(_frame(chunk[: max(1, len(chunk) // 2)], chunked))
                break
            self.wfile.write(_frame(chunk, chunked))
            index += 1
        self.close_connection = True

    def _serve_websocket(self, reply: Reply, answer: Answer) -> None:
        """Answer the upgrade, then run the reply's session handler (see `relaykit.testing._websocket`)."""
        assert reply.session is not None
        self.close_connection = True  # the socket belongs to the session from here on
        key = self.headers.get("sec-websocket-key")
        if not key or "websocket" not in self.headers.get("upgrade", "").lower():
            body = b"a WebSocket upgrade was expected"
            self.wfile.write(self._head(400, {"content-length": str(len(body))}) + body)
            return
        headers = {
            **reply.headers,
            "upgrade": "websocket",
            "connection": "Upgrade",
            "sec-websocket-accept": accept_key(key),
        }
        self.close_connection = False  # keep "connection: close" out of the 101 head
        self.wfile.write(self._head(101, headers))
        self.close_connection = True
        peer = WebSocketPeer(self.rfile, self.wfile, cut_after=answer.cut.after_events if answer.cut else None)
        try:
            reply.session(peer)
        except WebSocketCut:
            return  # dropped mid-frame on purpose
        except OSError:
            return  # the client went away
        except Exception as exc:  # noqa: BLE001 - a handler bug: close with 1011, keep it for the test to see
            self.server.on_error(exc)
            with contextlib.suppress(OSError):
                peer.close(1011, "emulator handler failed")
            return
        with contextlib.suppress(OSError):
            peer.close()


def _frame(chunk: bytes, chunked: bool) -> bytes:
    return b"%X\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk
