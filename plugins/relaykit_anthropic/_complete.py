"""Legacy Text Completions: ``POST /v1/complete``, JSON or named SSE events, for claude-2 / instant.

Reference: ``shared/dialects/anthropic.md`` section 6. The API takes one prompt in the
``"\\n\\nHuman: ...\\n\\nAssistant:"`` format and ``max_tokens_to_sample``, and answers
``{"type": "completion", "id", "completion", "stop_reason", "model"}`` without token usage. A
stream is ``completion`` events each carrying only the new text, the last one with a
``stop_reason`` (there is no ``[DONE]``), plus ``ping`` and ``error`` events.

Two normalized calls use it:

- chat with a model matching a ``legacy_models`` prefix: the messages are rendered as the prompt
  (system text first, same-role neighbours merged, a ``"."`` human turn in front of a leading
  assistant turn, a final assistant message left open as a prefill, else ``Assistant:`` appended);
  the completion's leading space is removed from the message content. Tools, images, files and
  JSON modes raise `UnsupportedCapabilityError`, nothing being sent;
- ``client.completions``: a prompt that already holds ``Human:`` turns is sent as written, any other
  is wrapped as one human turn; the text comes back exactly as Claude wrote it. One prompt per
  request; ``suffix``, ``echo``, ``best_of``, ``logprobs``, ``n`` > 1, penalties, ``logit_bias`` and
  ``seed`` are refused.

Both send the same headers as the Messages API; ``stop_reason`` ``stop_sequence`` is ``stop`` and
``max_tokens`` is ``length``; ``usage`` stays None (the API reports none).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import Any, Generic, TypeVar

from relaykit import (
    AssistantMessage,
    ChatCompletion,
    ChatCompletionChunk,
    ChatRequest,
    Completion,
    CompletionChunk,
    CompletionRequest,
    FunctionMessage,
    ResponseFormatError,
    StreamInterruptedError,
    TextContentPart,
    ToolMessage,
    UnsupportedCapabilityError,
    UserMessage,
)
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse, StreamEvent, Streaming, excerpt, log_event

from ._common import adjusted, expect_stream, extras, headers, json_object, now, parse_model, settings, url
from ._errors import check, error_event
from ._messages import refuse
from ._request import refuse_inexpressible

__all__ = ["ASSISTANT", "HUMAN", "completion", "is_legacy_model", "legacy_chat", "render_prompt"]

HUMAN = "\n\nHuman:"
ASSISTANT = "\n\nAssistant:"
_STOP_REASONS = {"stop_sequence": "stop", "max_tokens": "length"}
_RESERVED_OPTIONS = {"model", "prompt", "stream", "max_tokens_to_sample"}
_FIRST_HUMAN_TURN = "."
_USED = frozenset({"id", "completion", "model", "stop_reason"})

C = TypeVar("C")


def is_legacy_model(ctx: CallContext) -> bool:
    """True when the model is served by ``/v1/complete`` (the ``legacy_models`` setting)."""
    return any(prefix and ctx.model.startswith(prefix) for prefix in settings(ctx).legacy_models)


def legacy_chat(request: ChatRequest, ctx: CallContext) -> Flow[ChatCompletion | Streaming[ChatCompletionChunk]]:
    """Chat over ``/v1/complete``: the messages rendered as one Human/Assistant prompt."""
    _refuse_for_legacy_chat(request)
    body = _body(render_prompt(request, ctx), request.max_output_tokens, request, ctx)
    response = yield _post(body, ctx, stream=request.stream)
    response = check(response, ctx)
    if request.stream:
        expect_stream(response, ctx)
        return Streaming(ChatCompletionEvents(ctx, response))
    payload = json_object(response, ctx)
    vendor_data = extras(payload, _USED)
    message = {"role": "assistant", "content": _strip_space(str(payload.get("completion") or ""))}
    data = {
        "id": payload.get("id") or "",
        "created": now(),
        "model": payload.get("model") or ctx.model,
        "choices": [{"index": 0, "message": message, "finish_reason": _finish(payload, vendor_data)}],
        "provider": ctx.provider,
        "request_id": response.request_id,
        "vendor_data": vendor_data,
    }
    return parse_model(ChatCompletion, data, response, ctx)


def completion(request: CompletionRequest, ctx: CallContext) -> Flow[Completion | Streaming[CompletionChunk]]:
    """``client.completions`` over ``/v1/complete`` (see the module docstring)."""
    body = _body(_completion_prompt(request), request.max_tokens, request, ctx)
    response = yield _post(body, ctx, stream=request.stream)
    response = check(response, ctx)
    if request.stream:
        expect_stream(response, ctx)
        return Streaming(CompletionEvents(ctx, response))
    payload = json_object(response, ctx)
    vendor_data = extras(payload, _USED)
    choice = {"index": 0, "text": str(payload.get("completion") or ""), "finish_reason": _finish(payload, vendor_data)}
    data = {
        "id": payload.get("id") or "",
        "created": now(),
        "model": payload.get("model") or ctx.model,
        "choices": [choice],
        "provider": ctx.provider,
        "request_id": response.request_id,
        "vendor_data": vendor_data,
    }
    return parse_model(Completion, data, response, ctx)


def render_prompt(request: ChatRequest, ctx: CallContext) -> str:
    """The Human/Assistant prompt for a chat request's messages."""
    system: list[str] = []
    turns: list[tuple[str, str]] = []
    dropped: list[str] = []
    for position, message in enumerate(request.messages):
        where = f"messages.{position}"
        if isinstance(message, ToolMessage | FunctionMessage):
            raise _unsupported(f"{where}: tool results", "chat.tools")
        if getattr(message, "name", None) is not None:
            raise refuse(f"{where}.name", "Claude messages cannot carry a participant name")
        if isinstance(message, UserMessage):
            _add_turn(turns, HUMAN, _user_text(message, where))
        elif isinstance(message, AssistantMessage):
            if message.tool_calls or message.function_call is not None:
                raise _unsupported(f"{where}: tool calls", "chat.tools")
            if message.audio is not None:
                raise refuse(f"{where}.audio", "Claude cannot refer to assistant audio")
            dropped.extend(str(part.provider) for part in message.reasoning or ())
            _add_turn(turns, ASSISTANT, _assistant_text(message))
        else:
            content = message.content
            text = content if isinstance(content, str) else "\n".join(part.text for part in content)
            if text.strip():
                system.append(text)
    if dropped:
        log_event(
            "relaykit.reasoning.dropped",
            provider=ctx.provider,
            model=ctx.model,
            blocks=len(dropped),
            from_providers=sorted(set(dropped)),
        )
    if not turns:
        raise refuse("messages", "Claude needs at least one user or assistant message with content")
    if turns[0][0] == ASSISTANT:
        turns.insert(0, (HUMAN, _FIRST_HUMAN_TURN))
    prompt = "\n\n".join(system) + "".join(f"{role} {text}" for role, text in turns)
    if turns[-1][0] == ASSISTANT:
        return prompt.rstrip()
    return prompt + ASSISTANT


class _CompletionEventDecoder(ABC, Generic[C]):
    """Named ``completion`` / ``ping`` / ``error`` events in, typed chunks out."""

    def __init__(self, ctx: CallContext, response: HttpResponse | None = None) -> None:
        self._ctx = ctx
        self._response = response
        self.finished = False
        self._created = now()

    def feed(self, event: StreamEvent) -> list[C]:
        data = event.data.strip()
        if not data:
            return []
        try:
            payload = json.loads(data)
        except ValueError as exc:
            raise self._malformed("an event is not JSON", data) from exc
        if not isinstance(payload, dict):
            raise self._malformed("an event is not a JSON object", data)
        kind = payload.get("type") or event.event
        if kind == "error":
            raise error_event(payload, data, self._response, self._ctx)
        if kind != "completion":
            return []
        vendor_data: dict[str, Any] = {}
        finish = _finish(payload, vendor_data)
        if payload.get("stop_reason") is not None:
            self.finished = True
        return self._chunks(payload, str(payload.get("completion") or ""), finish)

    def close(self) -> list[C]:
        if self.finished:
            return []
        raise StreamInterruptedError(
            "the stream ended before a completion event with a stop_reason",
            provider=self._ctx.provider,
            model=self._ctx.model,
            request_id=self._response.request_id if self._response is not None else None,
        )

    @abstractmethod
    def _chunks(self, payload: dict[str, Any], text: str, finish: str | None) -> list[C]:
        """The chunks for one ``completion`` event carrying `text` (and `finish`, on the last one)."""

    def _base(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": str(payload.get("id") or payload.get("log_id") or ""),
            "created": self._created,
            "model": str(payload.get("model") or self._ctx.model),
            "provider": self._ctx.provider,
        }

    def _malformed(self, why: str, raw: str) -> ResponseFormatError:
        return ResponseFormatError(
            f"{self._ctx.provider} sent a malformed stream event: {why}",
            provider=self._ctx.provider,
            model=self._ctx.model,
            body_excerpt=excerpt(raw, self._ctx.secrets()),
        )


class ChatCompletionEvents(_CompletionEventDecoder[ChatCompletionChunk]):
    """Legacy completion events as chat chunks (the first text loses its leading space)."""

    def __init__(self, ctx: CallContext, response: HttpResponse | None = None) -> None:
        super().__init__(ctx, response)
        self._started = False
        self._text_seen = False

    def _chunks(self, payload: dict[str, Any], text: str, finish: str | None) -> list[ChatCompletionChunk]:
        delta: dict[str, Any] = {}
        if not self._started:
            delta["role"] = "assistant"
            self._started = True
        if text and not self._text_seen:
            text = _strip_space(text)
            self._text_seen = True
        if text:
            delta["content"] = text
        if not delta and finish is None:
            return []
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return [ChatCompletionChunk.model_validate({**self._base(payload), "choices": [choice]})]


class CompletionEvents(_CompletionEventDecoder[CompletionChunk]):
    """Legacy completion events as `CompletionChunk`s (text exactly as sent)."""

    def _chunks(self, payload: dict[str, Any], text: str, finish: str | None) -> list[CompletionChunk]:
        if not text and finish is None:
            return []
        choice = {"index": 0, "text": text, "finish_reason": finish}
        return [CompletionChunk.model_validate({**self._base(payload), "choices": [choice]})]


def _post(body: dict[str, Any], ctx: CallContext, *, stream: bool) -> HttpRequest:
    return HttpRequest("POST", url(ctx, "complete"), headers=headers(ctx), json=body, stream="sse" if stream else None)


def _body(prompt: str, limit: int | None, request: ChatRequest | CompletionRequest, ctx: CallContext) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": ctx.model,
        "prompt": prompt,
        "max_tokens_to_sample": limit or settings(ctx).default_max_tokens,
    }
    if request.stop_list:
        body["stop_sequences"] = request.stop_list
    if request.temperature is not None:
        body["temperature"] = min(request.temperature, 1.0)
        if request.temperature > 1:
            adjusted(ctx, "temperature", "clamped", "Claude's maximum is 1", requested=request.temperature, sent=1.0)
    if request.top_p is not None:
        body["top_p"] = request.top_p
    if request.user is not None:
        body["metadata"] = {"user_id": request.user}
    if request.stream:
        body["stream"] = True
    clash = sorted(_RESERVED_OPTIONS & set(ctx.options))
    if clash:
        raise refuse(f"provider_options.{clash[0]}", "set by relaykit from the request; use the request field")
    body.update(ctx.options)
    return body


def _refuse_for_legacy_chat(request: ChatRequest) -> None:
    refuse_inexpressible(request)
    if request.tools:
        raise _unsupported("tools", "chat.tools")
    if request.response_format is not None and request.response_format.type != "text":
        raise _unsupported("response_format", f"chat.{request.response_format.type}")
    if request.reasoning_effort not in (None, "none"):
        raise refuse("reasoning_effort", "legacy Claude models have no extended thinking")


def _completion_prompt(request: CompletionRequest) -> str:
    refused = {
        "suffix": request.suffix is not None,
        "echo": bool(request.echo),
        "best_of": request.best_of not in (None, 1),
        "logprobs": request.logprobs is not None,
        "n": request.n not in (None, 1),
        "presence_penalty": request.presence_penalty not in (None, 0),
        "frequency_penalty": request.frequency_penalty not in (None, 0),
        "logit_bias": bool(request.logit_bias),
        "seed": request.seed is not None,
    }
    for field, is_refused in refused.items():
        if is_refused:
            raise refuse(field, "Claude's Text Completions API has no equivalent; leave it out")
    prompt = request.prompt
    if isinstance(prompt, list):
        if len(prompt) != 1 or not isinstance(prompt[0], str):
            raise refuse("prompt", "Claude completes one text prompt per request (no token arrays)")
        prompt = prompt[0]
    if HUMAN.strip() in prompt:
        return prompt
    return f"{HUMAN} {prompt}{ASSISTANT}"


def _user_text(message: UserMessage, where: str) -> str:
    if isinstance(message.content, str):
        return message.content
    texts = []
    for index, part in enumerate(message.content):
        if not isinstance(part, TextContentPart):
            capability = "chat.audio_input" if part.type == "input_audio" else "chat.vision"
            raise _unsupported(f"{where}.content.{index}: {part.type} parts", capability)
        texts.append(part.text)
    return "\n".join(texts)


def _assistant_text(message: AssistantMessage) -> str:
    content = message.content
    if isinstance(content, str):
        texts = [content]
    else:
        texts = [part.text if isinstance(part, TextContentPart) else part.refusal for part in content or ()]
    texts.append(message.refusal or "")
    return "\n\n".join(text for text in texts if text.strip())


def _add_turn(turns: list[tuple[str, str]], role: str, text: str) -> None:
    if not text.strip():
        return
    if turns and turns[-1][0] == role:
        turns[-1] = (role, f"{turns[-1][1]}\n\n{text}")
    else:
        turns.append((role, text))


def _unsupported(what: str, capability: str) -> UnsupportedCapabilityError:
    return UnsupportedCapabilityError(
        f"{what}: legacy Claude models (Text Completions API) cannot take this", capability=capability
    )


def _finish(payload: dict[str, Any], vendor_data: dict[str, Any]) -> str | None:
    value = payload.get("stop_reason")
    if value is None:
        return None
    if str(value) in _STOP_REASONS:
        return _STOP_REASONS[str(value)]
    vendor_data.setdefault("finish_reason_raw", str(value))
    return None


def _strip_space(text: str) -> str:
    return text.removeprefix(" ")
