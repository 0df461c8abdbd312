"""`OpenAIEmulator`: a local server speaking the OpenAI REST dialect under ``/v1``.

Reference: ``shared/dialects/openai.md``. Every endpoint of the reference is served: chat
completions (JSON and SSE), legacy completions, embeddings, image generations/edits/variations,
speech, transcriptions and translations, moderations, and models. Answers are generated
deterministically (chat answers ``"You said: <your text>"``, or calls a tool when tools are offered;
see ``emulator._chat``), or scripted with `OpenAIEmulator.script_chat`. Requests must carry
``Authorization: Bearer <api_key>``; unknown routes, unknown model ids and bad bodies get OpenAI's
error envelope. Faults come from `relaykit.testing` (`Fault`, or the ``x-relaykit-fault`` header)::

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

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

from relaykit.testing import Emulator, RecordedRequest, Reply, RouteHandler

from ._audio import speech_reply, transcript_reply
from ._chat import ScriptedChat, chat_body, chat_reply, sample_schema, tool_call
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

    def reset(self) -> None:
        """Forget recorded requests, queued faults and scripted answers."""
        super().reset()
        with self._lock:
            self._scripts.clear()

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


def _masked(key: str) -> str:
    if len(key) <= 8:
        return "*" * len(key)
    return f"{key[:3]}{'*' * (len(key) - 7)}{key[-4:]}"
