"""`QianfanEmulator`: Qianfan v2 (OpenAI-compatible) under ``/v2``, on the OpenAI emulator's pieces.

Chat bodies are checked and answered by ``relaykit_openai``'s emulator (generated or scripted
answers, JSON or SSE ending with ``[DONE]``); what v2 does differently is added here: answer ids
``as-...``, requests must carry ``Authorization: Bearer <api_key>`` (a ``bce-v3/ALTAK-...`` key, slashes
and all), errors are ``{"error": {"code", "message", "type"}, "id"}``, and `rate_limit_fault` gives
the flat ``{"code", "msg"}`` rate-limit body Baidu shows inside an HTTP 200 (so does
``script_chat_error(RateLimitError)``). ``POST /v2/embeddings``
answers deterministic vectors. Reference: ``shared/dialects/ernie.md`` part B.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import relaykit
from relaykit.testing import Emulator, Fault, RecordedRequest, Reply
from relaykit_openai.emulator._chat import ScriptedChat, chat_body, chat_reply, tool_call
from relaykit_openai.emulator._common import bad_request, json_object, required_string

from ._embeddings import v2_embedding_payload

__all__ = ["QianfanEmulator"]

_TYPES = {401: "access_denied", 403: "access_denied", 429: "rate_limit_exceeded"}


class QianfanEmulator(Emulator):
    """Qianfan v2, served on 127.0.0.1; `base_url` ends in ``/v2``.

    Args:
        api_key: the bearer key requests must carry; None accepts any request.
        app_id: when set, requests must carry it as the ``appid`` header.
        host: the address to listen on.
        port: the port; 0 picks a free one.
    """

    base_path: ClassVar[str] = "/v2"
    demo_model: ClassVar[str | None] = "ernie-4.0-8k"

    def __init__(
        self,
        *,
        api_key: str | None = "bce-v3/ALTAK-test/secret",
        app_id: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(api_key=api_key, host=host, port=port)
        self.app_id = app_id
        self._scripts: deque[ScriptedChat | dict[str, str]] = deque()
        self.route("POST", "/v2/chat/completions", self._chat)
        self.route("POST", "/v2/embeddings", self._embeddings)

    def script_chat(
        self,
        text: str | None = None,
        *,
        tool_calls: Sequence[Mapping[str, Any]] = (),
        finish_reason: str | None = None,
        reasoning: str | None = None,
    ) -> None:
        """Queue an exact answer for the next chat request (see `OpenAIEmulator.script_chat`)."""
        calls = tuple(tool_call(call, f"call_{self.next_id():06d}") for call in tool_calls)
        finish = finish_reason or ("tool_calls" if calls else "stop")
        with self._lock:
            self._scripts.append(ScriptedChat(text, calls, finish, reasoning, None))

    def script_chat_error(
        self, error: type[relaykit.APIStatusError], message: str = "Rate limit reached for RPM"
    ) -> None:
        """Make the next chat answer v2's flat rate-limit body inside an HTTP 200.

        Raises:
            ValueError: for any other error: v2 reports the others with an HTTP error status.
        """
        if error is not relaykit.RateLimitError:
            raise ValueError(f"Qianfan v2 reports {error.__name__} with an HTTP status, not inside a 200")
        with self._lock:
            self._scripts.append({"code": "rpm_rate_limit_exceeded", "msg": message})

    @staticmethod
    def rate_limit_fault(kind: str = "rpm") -> Fault:
        """A fault answering HTTP 200 with the flat ``{"code": "<kind>_rate_limit_exceeded", "msg"}`` body."""
        body = {"code": f"{kind}_rate_limit_exceeded", "msg": f"Rate limit reached for {kind.upper()}"}
        return Fault.status(200, body=body)

    def reset(self) -> None:
        """Forget recorded requests, queued faults and scripted answers."""
        super().reset()
        with self._lock:
            self._scripts.clear()

    def authorize(self, request: RecordedRequest) -> Reply | None:
        """Require ``Authorization: Bearer <api_key>`` (and ``appid`` when `app_id` is set)."""
        scheme, _, key = (request.header("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or key.strip() != self.api_key:
            return self.error_reply(401, "Invalid API key", error_code="invalid_iam_token", error_type="access_denied")
        if self.app_id is not None and request.header("appid") != self.app_id:
            return self.error_reply(403, "No permission for this app", error_code="no_app_permission")
        return None

    def error_reply(
        self,
        status: int,
        message: str | None = None,
        *,
        error_code: str | None = None,
        error_type: str | None = None,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """v2's error envelope: ``{"error": {"code", "message", "type"}, "id"}``."""
        default = "invalid_request_error" if status < 500 else "server_error"
        error = {
            "code": error_code or ("rpm_rate_limit_exceeded" if status == 429 else "internal_error"),
            "message": message or f"HTTP {status}",
            "type": error_type or _TYPES.get(status, default),
        }
        return Reply.json({"error": error, "id": f"as-{self.next_id():010d}"}, status=status, headers=headers)

    def not_found(self, request: RecordedRequest) -> Reply:
        return self.error_reply(404, f"Unknown request URL: {request.method} {request.path}", error_code="not_found")

    def _chat(self, request: RecordedRequest) -> Reply:
        body = chat_body(request)
        with self._lock:
            script = self._scripts.popleft() if self._scripts else None
        if isinstance(script, dict):
            return Reply.json(script)
        seq = self.next_id()
        reply = chat_reply(body, seq, script)
        # Baidu's ids are "as-..." (chat_reply writes chatcmpl-emu<seq>).
        old, new = f"chatcmpl-emu{seq:06d}".encode(), f"as-emu{seq:06d}".encode()
        if reply.chunks is not None:
            chunks = [chunk.replace(old, new) for chunk in reply.chunks]
            return Reply(reply.status, reply.headers, chunks=chunks)
        return Reply(reply.status, reply.headers, reply.body.replace(old, new))

    def _embeddings(self, request: RecordedRequest) -> Reply:
        body = json_object(request)
        required_string(body, "model")
        texts = body.get("input")
        if not (isinstance(texts, str) and texts) and not (
            isinstance(texts, list) and texts and all(isinstance(t, str) and t for t in texts)
        ):
            raise bad_request("input must be a non-empty string or list of strings", "input", "invalid_argument")
        return Reply.json(v2_embedding_payload(body))
