"""`OpenAIEmulator`: a local server speaking the OpenAI REST dialect under ``/v1``.

Reference: ``shared/dialects/openai.md``. Every endpoint of the reference is served: chat
completions (JSON and SSE), legacy completions, embeddings, image generations/edits/variations,
speech, transcriptions and translations, moderations, and models. Answers are generated
deterministically (chat answers ``"You said: <your text>"``, or calls a tool when tools are offered;
see ``emulator._chat``), or scripted with `OpenAIEmulator.script_chat` (and in-band errors with
`OpenAIEmulator.script_chat_error`: the `relaykit.testing.ChatScripting` protocol the conformance
kit uses). `OpenAIEmulator.generated_reasoning` lets a subclass add reasoning to generated
answers. Requests must carry ``Authorization: Bearer <api_key>``; unknown routes, unknown model
ids and bad bodies get OpenAI's error envelope. Faults come from `relaykit.testing` (`Fault`, or
the ``x-relaykit-fault`` header)::

    import relaykit
    from relaykit.testing import Fault
    from relaykit_openai.emulator import OpenAIEmulator

    with OpenAIEmulator() as emu:
        client = relaykit.Client(providers={"openai": {"api_key": "test-key", "base_url": emu.base_url}})
        emu.script_chat("Bonjour !")
        client.chat.completions.create(model="openai/gpt-4o-mini", messages=[...]).text   # "Bonjour !"
        emu.inject(Fault.cut_stream(after_events=3), path="/v1/chat/completions")
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

from relaykit import APIStatusError, BadRequestError, ContentPolicyError, RateLimitError, ServerError
from relaykit.testing import Emulator, RecordedRequest, Reply, RouteHandler

from ._audio import speech_reply, transcript_reply
from ._chat import ScriptedChat, _generate, chat_body, chat_reply, sample_schema, tool_call
from ._common import unix_now
from ._images import edit_reply, generation_reply, png, variation_reply
from ._text import (
    MODELS,
    completion_reply,
    embedding_reply,
    model_list_reply,
    model_not_found,
    model_reply,
    moderation_reply,
)

__all__ = ["MODELS", "OpenAIEmulator", "ScriptedChat", "png", "sample_schema"]


class OpenAIEmulator(Emulator):
    """The OpenAI dialect, served on 127.0.0.1; `base_url` ends in ``/v1``.

    Args:
        api_key: the bearer key requests must carry; None accepts any request.
        host: the address to listen on.
        port: the port; 0 picks a free one.
        models: the model catalogue served by ``/v1/models`` (default: `MODELS`).
        strict_models: answer 404 ``model_not_found`` to requests naming a model outside the
            catalogue (by default any model is accepted, as relays do).
    """

    base_path: ClassVar[str] = "/v1"
    demo_model: ClassVar[str | None] = "gpt-4o-mini"

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
        self.models: dict[str, str] = dict(MODELS) if models is None else dict.fromkeys(models, "system")
        self.strict_models = strict_models
        self._scripts: deque[ScriptedChat] = deque()
        self._chat_errors: deque[dict[str, Any]] = deque()
        self.route("POST", "/v1/chat/completions", self._chat)
        self.route("POST", "/v1/completions", self._modelled(lambda r: completion_reply(r, self.next_id())))
        self.route("POST", "/v1/embeddings", self._modelled(embedding_reply))
        self.route("POST", "/v1/images/generations", self._modelled(lambda r: generation_reply(r, self._publish_png)))
        self.route("POST", "/v1/images/edits", lambda r: edit_reply(r, self._publish_png))
        self.route("POST", "/v1/images/variations", lambda r: variation_reply(r, self._publish_png))
        self.route("POST", "/v1/audio/speech", self._modelled(speech_reply))
        self.route("POST", "/v1/audio/transcriptions", lambda r: transcript_reply(r, translate=False))
        self.route("POST", "/v1/audio/translations", lambda r: transcript_reply(r, translate=True))
        self.route("POST", "/v1/moderations", lambda r: moderation_reply(r, self.next_id()))
        self.route("GET", "/v1/models", lambda r: model_list_reply(self.models))
        self.route("GET", "/v1/models/{model:path}", lambda r: model_reply(self.models, r.path_params["model"]))

    def script_chat(
        self,
        text: str | None = None,
        *,
        tool_calls: Sequence[Mapping[str, Any]] = (),
        finish_reason: str | None = None,
        reasoning: str | None = None,
        refusal: str | None = None,
    ) -> None:
        """Queue an exact answer for the next chat request (streamed or not); queued answers go first.

        Args:
            text: the assistant's text.
            tool_calls: calls as ``{"name": ..., "arguments": {...}}`` (or the wire's ``{"id",
                "type", "function": {...}}``); arguments may be a dict or a JSON string. Ids are
                generated when missing.
            finish_reason: defaults to ``tool_calls`` when there are tool calls, else ``stop``.
            reasoning: reasoning text, sent as ``reasoning_content``.
            refusal: a refusal message.
        """
        calls = tuple(tool_call(call, f"call_emu{self.next_id():06d}") for call in tool_calls)
        finish = finish_reason or ("tool_calls" if calls else "stop")
        with self._lock:
            self._scripts.append(ScriptedChat(text, calls, finish, reasoning, refusal))

    def script_chat_error(self, error: type[APIStatusError], message: str = "The server had an error.") -> None:
        """Make the next chat answer report `error` in band, as OpenAI-style servers do.

        A streamed answer sends its first chunk, then ``data: {"error": {...}}``; an answer that
        is not streamed is a 200 whose body is the error envelope (relays do that). The envelope's
        ``type`` and ``code`` are the ones that mean `error` (see `relaykit.testing.ChatScripting`).

        Raises:
            ValueError: for kinds the dialect reports only with an HTTP status (overload, auth...).
        """
        kind = _IN_BAND.get(error)
        if kind is None:
            known = ", ".join(cls.__name__ for cls in _IN_BAND)
            raise ValueError(f"the OpenAI dialect reports {error.__name__} with an HTTP status only (in band: {known})")
        error_type, code = kind
        with self._lock:
            self._chat_errors.append({"message": message, "type": error_type, "param": None, "code": code})

    def generated_reasoning(self, body: Mapping[str, Any]) -> str | None:
        """Reasoning text for a generated (not scripted) answer to `body`; None sends none.

        Override it to emulate a reasoning model (DeepSeek's ``deepseek-reasoner``): the text goes
        out as ``reasoning_content`` in the message and, streamed, as deltas before the content.
        """
        return None

    def reset(self) -> None:
        """Forget recorded requests, queued faults, scripted answers and in-band errors."""
        super().reset()
        with self._lock:
            self._scripts.clear()
            self._chat_errors.clear()

    def authorize(self, request: RecordedRequest) -> Reply | None:
        """Require ``Authorization: Bearer <api_key>``, answering 401 as OpenAI does."""
        authorization = request.header("authorization") or ""
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() == "bearer" and key.strip() == self.api_key:
            return None
        if not key.strip():
            message = (
                "You didn't provide an API key. You need to provide your API key in an Authorization header "
                "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
            )
            return self.error_reply(401, message, error_type="invalid_request_error")
        message = f"Incorrect API key provided: {_masked(key.strip())}. You can find your API key in your settings."
        return self.error_reply(401, message, error_code="invalid_api_key", error_type="invalid_request_error")

    def not_found(self, request: RecordedRequest) -> Reply:
        """OpenAI's answer to an unknown route."""
        return self.error_reply(404, f"Invalid URL ({request.method} {request.path})")

    def _chat(self, request: RecordedRequest) -> Reply:
        body = chat_body(request)
        self._check_model(body["model"])
        with self._lock:
            script = self._scripts.popleft() if self._scripts else None
            error = self._chat_errors.popleft() if self._chat_errors else None
        if error is not None:
            return _in_band_reply(body, error, self.next_id())
        if script is None and (reasoning := self.generated_reasoning(body)) is not None:
            answer = _generate(body, f"call_emu{self.next_id():06d}")
            calls = tuple(answer.tool_calls)
            script = ScriptedChat(answer.content, calls, answer.finish_reason, reasoning, answer.refusal)
        return chat_reply(body, self.next_id(), script)

    def _modelled(self, handler: RouteHandler) -> RouteHandler:
        """`handler`, checking the body's model first when `strict_models` is set."""

        def checked(request: RecordedRequest) -> Reply:
            if self.strict_models:
                try:
                    model = request.json().get("model")
                except (ValueError, AttributeError):
                    model = None
                if isinstance(model, str):
                    self._check_model(model)
            return handler(request)

        return checked

    def _check_model(self, model: str) -> None:
        if self.strict_models and model not in self.models:
            raise model_not_found(model)

    def _publish_png(self, content: bytes) -> str:
        return self.publish(content, "image/png", suffix=".png")


_IN_BAND: dict[type[APIStatusError], tuple[str, str | None]] = {
    BadRequestError: ("invalid_request_error", None),
    ContentPolicyError: ("invalid_request_error", "content_filter"),
    RateLimitError: ("requests", "rate_limit_exceeded"),
    ServerError: ("server_error", None),
}
"""The dialect's in-band error kinds: relaykit class -> (``type``, ``code``)."""


def _in_band_reply(body: Mapping[str, Any], error: dict[str, Any], seq: int) -> Reply:
    """A 200 carrying `error`: after a first chunk when streamed, as the whole body otherwise."""
    if not body.get("stream"):
        return Reply.json({"error": error})
    first = {
        "id": f"chatcmpl-emu{seq:06d}",
        "object": "chat.completion.chunk",
        "created": unix_now(),
        "model": body["model"],
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
    }
    return Reply.sse([json.dumps(first), json.dumps({"error": error})])


def _masked(key: str) -> str:
    if len(key) <= 8:
        return "*" * len(key)
    return f"{key[:3]}{'*' * (len(key) - 7)}{key[-4:]}"
