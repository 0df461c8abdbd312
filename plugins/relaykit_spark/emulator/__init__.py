"""`SparkEmulator`: iFlytek Spark's two APIs on 127.0.0.1, for tests and demos.

- The **WebSocket API** on every version path (``/v1.1/chat`` ... ``/v4.0/chat``,
  ``/chat/pro-128k``, ``/chat/max-32k``): a real WebSocket server that verifies the URL signature
  and the date skew first (refusing with Spark's 401/403 bodies, see ``emulator._auth``), then reads
  the request frame, checks it and streams answer frames (``emulator._websocket``).
- The **HTTP API** at ``/v1/chat/completions`` (and ``/chat/completions``, so that `base_url`,
  the bare origin, serves both kinds): bearer APIPassword, OpenAI-style answers with Spark's
  quirks (``emulator._http``).

Answers are generated (``emulator._answers``: an echo, a function call when functions are offered,
the result after a function result) or scripted with `script_chat` / `script_error` (and
`script_chat_error`: with `script_chat`, the `relaykit.testing.ChatScripting` protocol). The base
`Emulator`'s faults apply to both: ``Fault.status`` refuses the request (or the upgrade),
``Fault.cut_stream(after_events=n)`` cuts a session mid-frame after ``n`` frames (or an SSE stream
mid-event), ``Fault.drop`` closes the connection, ``Fault.latency`` delays it::

    import relaykit
    from relaykit_spark.emulator import SparkEmulator

    with SparkEmulator() as emu:
        client = relaykit.Client(providers={"spark": emu.config("spark")})   # or "spark-http"
        client.chat.completions.create(model="spark/spark-max", messages=[{"role": "user", "content": "你好"}])
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from relaykit import (
    APIStatusError,
    BadRequestError,
    ContentPolicyError,
    ContextLengthError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
)
from relaykit.testing import Emulator, RecordedRequest, Reply

from ._answers import Answer, ScriptedError
from ._auth import check_password, check_signature
from ._http import http_reply
from ._websocket import WS_DOMAINS, session

__all__ = ["HTTP_PATHS", "SparkEmulator"]

HTTP_PATHS = ("/v1/chat/completions", "/chat/completions")
"""The HTTP API's path, and the same without ``/v1`` (so that `base_url` serves both kinds)."""
_IN_BAND: tuple[tuple[type[APIStatusError], int], ...] = (
    (BadRequestError, 10005),
    (ContentPolicyError, 10013),
    (ContextLengthError, 10907),
    (NotFoundError, 10003),
    (OverloadedError, 10110),
    (PermissionDeniedError, 11200),
    (QuotaExceededError, 11201),
    (RateLimitError, 11202),
    (ServerError, 10012),
)
"""relaykit error class -> the Spark code that means it (an error frame, or an HTTP code body)."""


class SparkEmulator(Emulator):
    """Spark's WebSocket and HTTP APIs, with the credentials given here (fake by default).

    Args:
        app_id: the APPID request frames must carry.
        api_key: the APIKey the URL must be signed for.
        api_secret: the APISecret the signature is checked with.
        api_password: the HTTP API's bearer APIPassword.
        host: the address to listen on.
        port: the port; 0 picks a free one.
        max_skew: the largest difference (seconds) between the signed date and `clock`.
        clock: the emulator's time (seconds since the epoch).
        frame_delay: seconds between answer frames.
    """

    demo_model: ClassVar[str | None] = "spark-max"

    def __init__(
        self,
        *,
        app_id: str = "emu-app-id",
        api_key: str = "emu-api-key",
        api_secret: str = "emu-api-secret",  # noqa: S107 - fake credentials of a local emulator
        api_password: str = "emu-key:emu-password",  # noqa: S107
        host: str = "127.0.0.1",
        port: int = 0,
        max_skew: float = 300.0,
        clock: Callable[[], float] = time.time,
        frame_delay: float = 0.0,
    ) -> None:
        super().__init__(api_key=api_key, host=host, port=port)
        self.app_id = app_id
        self.api_secret = api_secret
        self.api_password = api_password
        self.max_skew = max_skew
        self.clock = clock
        self.frame_delay = frame_delay
        self._scripts: list[Answer | ScriptedError] = []
        self._frames: list[dict[str, Any]] = []
        for path in WS_DOMAINS:
            self.route("GET", path, self._session)
        for path in HTTP_PATHS:
            self.route("POST", path, self._http)

    @property
    def ws_base_url(self) -> str:
        """The ``base_url`` of the ``spark`` kind: ``ws://127.0.0.1:<port>``."""
        return "ws" + self.origin.removeprefix("http")

    @property
    def http_base_url(self) -> str:
        """The ``base_url`` of the ``spark-http`` kind: ``http://127.0.0.1:<port>/v1``."""
        return self.origin + "/v1"

    def config(self, kind: str = "spark") -> dict[str, Any]:
        """A provider section for `kind` (``spark`` or ``spark-http``) pointed at this emulator."""
        if kind == "spark-http":
            return {"kind": kind, "base_url": self.http_base_url, "api_password": self.api_password}
        return {
            "kind": kind,
            "base_url": self.ws_base_url,
            "app_id": self.app_id,
            "api_key": self.api_key,
            "api_secret": self.api_secret,
        }

    def client_settings(self, kind: str) -> dict[str, Any]:
        """The `config` of `kind`: the WebSocket URL and APPID/APIKey/APISecret, or the HTTP APIPassword."""
        return self.config(kind)

    def script_chat(self, text: str | None = None, *, tool_calls: Sequence[Mapping[str, Any]] = ()) -> None:
        """Queue an exact answer for the next chat (either API, streamed or not).

        Args:
            text: the assistant's text.
            tool_calls: at most one call ``{"name": ..., "arguments": {...} or "json"}``: Spark
                calls one function per answer (more is a ValueError).
        """
        if len(tool_calls) > 1:
            raise ValueError("tool_calls: Spark calls at most one function per answer")
        call = None
        for tool_call in tool_calls:
            function = tool_call.get("function", tool_call)
            arguments = function.get("arguments", {})
            encoded = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
            call = (str(function["name"]), encoded)
        with self._lock:
            self._scripts.append(Answer(text or "", call))

    def script_error(self, code: int, message: str | None = None, *, before: str = "", in_band: bool = False) -> None:
        """Queue Spark error `code` for the next chat, after the answer text `before` (if any).

        The WebSocket API reports it in an error frame. The HTTP API reports moderation codes as a
        flat ``{"code", "message", "sid"}`` in a 200 (or a stream chunk), others in the OpenAI
        envelope with an HTTP 500 or 400, as iFlytek does; `in_band` asks for the flat form always.
        """
        text = message or f"EmulatedError: code {code}"
        with self._lock:
            self._scripts.append(ScriptedError(code, text, before, in_band))

    def script_chat_error(self, error: type[APIStatusError], message: str = "The server had an error.") -> None:
        """Queue the Spark code that means `error` (`script_error`); ValueError when none does."""
        for kind, code in _IN_BAND:
            if error is kind:
                # 10003 means "not found" only for an unknown domain, as the service words it.
                text = f"invalid model domain: {message}" if code == 10003 else message
                self.script_error(code, text, in_band=True)
                return
        raise ValueError(f"Spark has no in-band error code that means {error.__name__}")

    @property
    def frames(self) -> list[dict[str, Any]]:
        """Every WebSocket request frame received, oldest first (a copy)."""
        with self._lock:
            return list(self._frames)

    @property
    def last_frame(self) -> dict[str, Any]:
        """The most recent request frame (raises LookupError when there is none)."""
        with self._lock:
            if not self._frames:
                raise LookupError("the emulator has received no request frame")
            return self._frames[-1]

    def reset(self) -> None:
        """Forget recorded requests and frames, queued faults and scripted answers."""
        super().reset()
        with self._lock:
            self._scripts.clear()
            self._frames.clear()

    def authorize(self, request: RecordedRequest) -> Reply | None:
        """The HTTP API wants its bearer APIPassword; the WebSocket API a signed URL."""
        if request.path.rstrip("/") in HTTP_PATHS:
            return check_password(request, self.api_password)
        assert self.api_key is not None
        return check_signature(
            request, api_key=self.api_key, api_secret=self.api_secret, clock=self.clock, max_skew=self.max_skew
        )

    def _session(self, request: RecordedRequest) -> Reply:
        domain = WS_DOMAINS[request.path.rstrip("/")]
        handler = session(
            domain,
            app_id=self.app_id,
            sid=self._sid("cht"),
            script=self._next_script(),
            record=self._record,
            delay=self.frame_delay,
        )
        return Reply.websocket(handler)

    def _http(self, request: RecordedRequest) -> Reply:
        return http_reply(request, self._sid("cha"), self._next_script())

    def _next_script(self) -> Answer | ScriptedError | None:
        with self._lock:
            return self._scripts.pop(0) if self._scripts else None

    def _record(self, frame: dict[str, Any]) -> None:
        with self._lock:
            self._frames.append(frame)

    def _sid(self, prefix: str) -> str:
        return f"{prefix}{self.next_id():08x}@dxemulator"
