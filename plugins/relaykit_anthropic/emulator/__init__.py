"""`AnthropicEmulator`: a local server speaking Anthropic's Messages dialect (and legacy completions).

Reference: ``shared/dialects/anthropic.md``. Served: ``POST /v1/messages`` (JSON, or the named SSE
events with ``stream: true``), ``POST /v1/complete`` (legacy Text Completions, JSON or
``completion`` events), ``GET /v1/models`` and ``GET /v1/models/{model_id}``. `base_url` is the
origin, like ``https://api.anthropic.com``: clients add ``/v1/...``.

Every request needs ``x-api-key: <api_key>`` (401 ``authentication_error`` otherwise) and an
``anthropic-version`` header (400 without one; `VERSIONS` lists the accepted values). Errors use
Anthropic's envelope ``{"type": "error", "error": {"type", "message"}, "request_id"}`` and every
answer carries a ``request-id`` header. Bodies are checked as Claude checks them (``max_tokens``
required, the conversation rules, thinking constraints, unknown fields refused; see
``emulator._validate`` and ``emulator._conversation``). Answers are generated deterministically
(see ``emulator._answer``) or scripted with `AnthropicEmulator.script_message`; an in-stream
``error`` event is asked for with `AnthropicEmulator.inject_stream_error`. ``script_chat`` and
``script_chat_error`` implement `relaykit.testing.ChatScripting` for the conformance kit. Faults
come from `relaykit.testing` (`Fault`, or the ``x-relaykit-fault`` header)::

    import relaykit
    from relaykit.testing import Fault
    from relaykit_anthropic.emulator import AnthropicEmulator

    with AnthropicEmulator() as emu:
        client = relaykit.Client(providers={"anthropic": {"api_key": "test-key", "base_url": emu.base_url}})
        emu.script_message("Let me check.", tool_calls=[{"name": "get_weather", "input": {"city": "Paris"}}])
        emu.inject(Fault.status(529))                   # the next request: 529 overloaded_error
        emu.inject_stream_error("overloaded_error")    # the next stream: an error event mid-way
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from relaykit import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from relaykit.testing import Emulator, RecordedRequest, Reply, RouteHandler

from ._answer import ScriptedMessage, generate, message_object, scripted_answer, usage_of
from ._common import ERROR_TYPES, bad_request
from ._legacy import complete_reply
from ._models import ALIASES, MODELS, catalogue, model_list_reply, model_not_found, model_reply, resolve
from ._stream import StreamError, message_events
from ._validate import NEW_VERSION, check_body

__all__ = ["ALIASES", "MODELS", "VERSIONS", "AnthropicEmulator", "ScriptedMessage", "StreamError"]

VERSIONS = ("2023-06-01", NEW_VERSION)
"""The ``anthropic-version`` values the emulator accepts."""


class AnthropicEmulator(Emulator):
    """The Anthropic dialect, served on 127.0.0.1; `base_url` is the bare origin.

    Args:
        api_key: the ``x-api-key`` requests must carry; None accepts any request.
        host: the address to listen on.
        port: the port; 0 picks a free one.
        models: the catalogue served by ``/v1/models`` (default: `MODELS`).
        strict_models: answer 404 ``not_found_error`` to requests naming a model outside the
            catalogue (by default any model is accepted, as gateways do).
    """

    base_path: ClassVar[str] = ""
    request_id_header: ClassVar[str] = "request-id"
    demo_model: ClassVar[str | None] = "claude-sonnet-4-5"

    def __init__(
        self,
        *,
        api_key: str | None = "test-key",
        host: str = "127.0.0.1",
        port: int = 0,
        models: Iterable[str] | None = None,
        strict_models: bool = False,
    ) -> None:
        super().__init__(api_key=api_key, host=host, port=port)
        self.models = catalogue(models)
        self.strict_models = strict_models
        self._scripts: deque[ScriptedMessage] = deque()
        self._stream_errors: deque[StreamError] = deque()
        self.route("POST", "/v1/messages", self._versioned(self._messages))
        self.route("POST", "/v1/complete", self._versioned(lambda r: complete_reply(r, self.next_id())))
        self.route("GET", "/v1/models", self._versioned(lambda r: model_list_reply(self.models, r)))
        self.route(
            "GET",
            "/v1/models/{model:path}",
            self._versioned(lambda r: model_reply(self.models, r.path_params["model"])),
        )

    def script_message(
        self,
        text: str | None = None,
        *,
        tool_calls: Sequence[Mapping[str, Any]] = (),
        thinking: str | None = None,
        redacted_thinking: str | None = None,
        stop_reason: str | None = None,
        stop_sequence: str | None = None,
        usage: Mapping[str, Any] | None = None,
    ) -> None:
        """Queue an exact answer for the next Messages request (streamed or not); queued answers go first.

        The blocks come in the order thinking, redacted thinking, text, tool calls.

        Args:
            text: the text block (left out when None and there is something else to send).
            tool_calls: calls as ``{"name": ..., "input": {...}}``; ``arguments`` (a dict or a JSON
                string, as in `OpenAIEmulator.script_chat`) is accepted for ``input``, and the
                OpenAI ``{"function": {...}}`` shape too. Ids are generated when missing.
            thinking: the text of a thinking block, signed by the emulator.
            redacted_thinking: the opaque data of a redacted thinking block.
            stop_reason: defaults to ``tool_use`` when there are tool calls, else ``end_turn``.
            stop_sequence: the matched stop sequence (with ``stop_reason="stop_sequence"``).
            usage: usage fields to report instead of the counted ones (e.g. the cache fields).
        """
        calls = tuple(_tool_use(call, f"toolu_emu{self.next_id():06d}") for call in tool_calls)
        reason = stop_reason or ("tool_use" if calls else "end_turn")
        script = ScriptedMessage(text, calls, thinking, redacted_thinking, reason, stop_sequence, dict(usage or {}))
        with self._lock:
            self._scripts.append(script)

    def inject_stream_error(
        self,
        error_type: str = "overloaded_error",
        message: str = "Overloaded",
        *,
        after_events: int = 4,
        times: int = 1,
    ) -> None:
        """Make the next `times` streamed Messages answers end with an ``error`` event.

        The stream sends `after_events` events (by default ``message_start``, ``content_block_start``,
        ``ping`` and the first delta), then ``event: error`` with ``{"type": "error", "error":
        {"type": error_type, "message": message}}``, then ends without ``message_stop``. Answers
        that are not streamed leave it queued.
        """
        if after_events < 0 or times < 1:
            raise ValueError("after_events must not be negative and times must be at least 1")
        with self._lock:
            self._stream_errors.extend([StreamError(error_type, message, after_events)] * times)

    def script_chat(self, text: str | None = None, *, tool_calls: Sequence[Mapping[str, Any]] = ()) -> None:
        """`script_message` under the name of `relaykit.testing.ChatScripting` (text, then tool calls)."""
        self.script_message(text, tool_calls=tool_calls)

    def script_chat_error(self, error: type[APIStatusError], message: str = "The server had an error.") -> None:
        """Make the next streamed Messages answer end with an ``error`` event meaning `error`.

        Claude reports errors in band only inside streams (`inject_stream_error`), with the
        ``error.type`` that means `error` (``overloaded_error`` for `relaykit.OverloadedError`...).

        Raises:
            ValueError: for a kind Anthropic has no error type for.
        """
        error_type = _IN_BAND.get(error)
        if error_type is None:
            raise ValueError(f"Anthropic has no error type that means {error.__name__}")
        self.inject_stream_error(error_type, message)

    def reset(self) -> None:
        """Forget recorded requests, queued faults, scripted answers and stream errors."""
        super().reset()
        with self._lock:
            self._scripts.clear()
            self._stream_errors.clear()

    # -- dialect hooks ----------------------------------------------------------------------------

    def authorize(self, request: RecordedRequest) -> Reply | None:
        """Require ``x-api-key: <api_key>``, answering 401 ``authentication_error`` as Anthropic does."""
        key = request.header("x-api-key")
        if key is not None and key.strip() == self.api_key:
            return None
        message = "x-api-key header is required" if not key else "invalid x-api-key"
        return self.error_reply(401, message)

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
        """Anthropic's envelope ``{"type": "error", "error": {"type", "message"}, "request_id"}``.

        Anthropic has no error codes: `error_code` (e.g. from ``Fault.status(..., error_code=)``)
        overrides the error type, as does `error_type`; `param` is not sent (Anthropic names the
        field in the message). 429s carry ``anthropic-ratelimit-requests-*`` headers; every error
        carries ``x-should-retry``.
        """
        default_type, default_message = ERROR_TYPES.get(
            status,
            ("api_error", "Internal server error") if status >= 500 else ("invalid_request_error", f"HTTP {status}"),
        )
        request_id = f"req_emu_{self.next_id():06d}"
        envelope = {
            "type": "error",
            "error": {"type": error_code or error_type or default_type, "message": message or default_message},
            "request_id": request_id,
        }
        extra = {
            "request-id": request_id,
            "x-should-retry": "true" if status in {408, 409, 429} or status >= 500 else "false",
        }
        if status == 429:
            reset = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=60)
            extra["anthropic-ratelimit-requests-limit"] = "50"
            extra["anthropic-ratelimit-requests-remaining"] = "0"
            extra["anthropic-ratelimit-requests-reset"] = reset.isoformat().replace("+00:00", "Z")
        return Reply.json(envelope, status=status, headers={**extra, **(headers or {})})

    def not_found(self, request: RecordedRequest) -> Reply:
        """Anthropic's answer to an unknown route."""
        return self.error_reply(404, "Not Found")

    # -- routes -----------------------------------------------------------------------------------

    def _versioned(self, handler: RouteHandler) -> RouteHandler:
        """`handler`, after checking the ``anthropic-version`` header."""

        def checked(request: RecordedRequest) -> Reply:
            _check_version(request)
            return handler(request)

        return checked

    def _messages(self, request: RecordedRequest) -> Reply:
        version = request.header("anthropic-version") or VERSIONS[0]
        body = check_body(request, version)
        model = self._model(body["model"])
        seq = self.next_id()
        with self._lock:
            script = self._scripts.popleft() if self._scripts else None
            error = self._stream_errors.popleft() if body.get("stream") and self._stream_errors else None
        answer = scripted_answer(script) if script is not None else generate(body, f"toolu_emu{seq:06d}")
        usage = usage_of(body, answer)
        message = message_object(f"msg_emu{seq:06d}", model, answer, usage)
        if body.get("stream"):
            return Reply.sse(message_events(message, answer, usage, error))
        return Reply.json(message)

    def _model(self, model: str) -> str:
        """The model an answer names: the catalogue id of an alias, or the model as sent."""
        known = resolve(self.models, model)
        if known is None and self.strict_models:
            raise model_not_found(model)
        return known or model


_IN_BAND: dict[type[APIStatusError], str] = {
    AuthenticationError: "authentication_error",
    BadRequestError: "invalid_request_error",
    OverloadedError: "overloaded_error",
    PermissionDeniedError: "permission_error",
    RateLimitError: "rate_limit_error",
    ServerError: "api_error",
}
"""relaykit error class -> the Anthropic ``error.type`` that means it, for in-band stream errors."""


def _check_version(request: RecordedRequest) -> None:
    version = request.header("anthropic-version")
    if version is None:
        raise bad_request("anthropic-version: header is required")
    if version not in VERSIONS:
        raise bad_request(f"anthropic-version: {version!r} is not a valid version")


def _tool_use(call: Mapping[str, Any], default_id: str) -> dict[str, Any]:
    """A scripted call as a ``tool_use`` block (see `AnthropicEmulator.script_message`)."""
    function = call.get("function", call)
    name = function.get("name") if isinstance(function, Mapping) else None
    if not isinstance(name, str) or not name:
        raise ValueError("tool_calls: each call needs a name")
    arguments = function.get("input", function.get("arguments", {}))
    if isinstance(arguments, str):
        arguments = json.loads(arguments) if arguments.strip() else {}
    if not isinstance(arguments, Mapping):
        raise ValueError(f"tool_calls: the input of {name!r} must be a JSON object")
    return {"type": "tool_use", "id": call.get("id") or default_id, "name": name, "input": dict(arguments)}
