"""Qianfan v2 (``https://qianfan.baidubce.com/v2``): chat and embeddings on the OpenAI dialect.

Reference: ``shared/dialects/ernie.md`` part B. v2 is advertised as OpenAI-compatible, so the
bodies, the answers and the stream decoder are ``relaykit_openai``'s (``build_chat_body``,
``parse_chat_completion``, ``ChatChunkDecoder``), with the differences the reference names:

- ``Authorization: Bearer <API Key>`` (``bce-v3/ALTAK-...``, sent verbatim) and, when the
  ``app_id`` setting is set, the ``appid`` header;
- the output limit is sent as ``max_completion_tokens`` (whether v2 reads ``max_tokens`` is not
  confirmed; the ``max_tokens_field`` setting switches), developer messages as ``system``;
- model ids are lower case; first-generation names (``ernie-bot-4`` ...) become their v2
  successors (see ``_models.qianfan_model``), so one model string works with either generation;
- Baidu's extras travel in ``provider_options`` (``penalty_score``, ``web_search``: ``{"enable":
  true}``, ...);
- errors: the OpenAI envelope ``{"error": {"code", "message", "type"}, "id"}`` with a meaningful
  status, and also a flat ``{"code", "msg"}`` inside an HTTP 200 (Baidu's rate-limit page shows
  one). `ERROR_CODES` refines them: ``rpm_rate_limit_exceeded`` / ``tpm_rate_limit_exceeded`` ->
  `RateLimitError`, ``tokens_too_long`` / ``characters_too_long`` -> `ContextLengthError`,
  ``no_parameter_permission`` -> `PermissionDeniedError`, type ``unsafe_request`` ->
  `ContentPolicyError`; other codes follow the status (a 401 is `AuthenticationError` whatever
  its type);
- ``flag``, ``ban_round`` and ``need_clear_history`` inside a choice are kept in
  ``vendor_data["choice_flags"]``, and a flagged choice finishes with ``content_filter``;
- embeddings: ``POST /v2/embeddings`` with ``{"model", "input"}``; no ``encoding_format`` is sent
  (support is not documented) and base64 is made here when asked for.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from relaykit import (
    APIStatusError,
    ChatCompletion,
    ChatCompletionChunk,
    ChatRequest,
    CreateEmbeddingResponse,
    EmbeddingRequest,
)
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse, StreamEvent, Streaming, api_error
from relaykit_openai._chat import ChatChunkDecoder, build_chat_body, parse_chat_completion
from relaykit_openai._common import apply_options, error_from, headers, malformed
from relaykit_openai._embeddings import parse_embeddings

from ._models import qianfan_model

__all__ = ["ERROR_CODES", "QianfanChunkDecoder", "chat", "embedding", "qianfan_error"]

ERROR_CODES: dict[str, tuple[int, str | None]] = {
    "rpm_rate_limit_exceeded": (429, None),
    "tpm_rate_limit_exceeded": (429, None),
    "tokens_too_long": (400, "context_length_exceeded"),
    "characters_too_long": (400, "context_length_exceeded"),
    "no_parameter_permission": (403, None),
}
"""v2 error code -> (the HTTP status it stands for, a refining hint for `api_error`)."""

_ERROR_TYPES: dict[str, tuple[int, str | None]] = {
    "unsafe_request": (400, "content_filter"),
}
_CHOICE_FLAGS = ("flag", "ban_round", "need_clear_history")
_EMBEDDING_OPTIONS = {"model", "input"}


def chat(request: ChatRequest, ctx: CallContext) -> Flow[ChatCompletion | Streaming[ChatCompletionChunk]]:
    """The v2 chat flow: one OpenAI-style request, then a parsed answer or a stream decoder."""
    ctx = _wire(ctx)
    response = yield HttpRequest(
        "POST",
        ctx.url("/chat/completions"),
        headers=_headers(ctx),
        json=build_chat_body(request, ctx),
        stream="sse" if request.stream else None,
    )
    assert response is not None, "the driver sends an HttpResponse back for every HttpRequest"
    if request.stream and response.streaming:
        return Streaming(QianfanChunkDecoder(ctx))
    payload = _checked(response, ctx)
    if request.stream:
        raise malformed(response, ctx, "asked for a stream, got a whole JSON answer")
    _lift_flags(payload)
    return parse_chat_completion(payload, response, ctx)


def embedding(request: EmbeddingRequest, ctx: CallContext) -> Flow[CreateEmbeddingResponse]:
    """The v2 embeddings flow: one request, vectors returned in the form the caller asked for."""
    ctx = _wire(ctx)
    body: dict[str, Any] = {"model": ctx.model, "input": request.input}
    if request.user is not None:
        body["user"] = request.user
    response = yield HttpRequest(
        "POST", ctx.url("/embeddings"), headers=_headers(ctx), json=apply_options(body, ctx, _EMBEDDING_OPTIONS)
    )
    assert response is not None, "the driver sends an HttpResponse back for every HttpRequest"
    result = parse_embeddings(_checked(response, ctx), response, ctx)
    try:
        return result.in_format(request.encoding)
    except ValueError as exc:
        raise malformed(response, ctx, f"an embedding is not valid base64 float32: {exc}") from exc


def qianfan_error(response: HttpResponse, ctx: CallContext, payload: Any) -> APIStatusError:
    """The relaykit error for a v2 error answer (the OpenAI envelope, or a flat ``code``/``msg``)."""
    error = payload.get("error") if isinstance(payload, dict) else None
    source = error if isinstance(error, dict) else payload if isinstance(payload, dict) else {}
    code, kind = source.get("code"), source.get("type")
    message = source.get("message") or source.get("msg")
    mapped = ERROR_CODES.get(str(code)) or _ERROR_TYPES.get(str(kind))
    if mapped is not None and message:
        status, hint = mapped
        found = api_error(response, ctx, str(message), code=code, type_=hint or kind, status=status)
    elif isinstance(error, dict) or response.status >= 400:
        found = error_from(response, ctx, payload)
    else:
        found = api_error(response, ctx, str(message or f"error {code}"), code=code, type_=kind)
    if found.request_id is None and isinstance(payload, dict) and isinstance(payload.get("id"), str):
        found.request_id = payload["id"]
    return found


class QianfanChunkDecoder(ChatChunkDecoder):
    """The OpenAI chunk decoder, with v2's error bodies and choice flags (see the module docstring)."""

    def __init__(self, ctx: CallContext) -> None:
        super().__init__(ctx)
        self._flagged: set[int] = set()

    def feed(self, event: StreamEvent) -> list[ChatCompletionChunk]:
        data = event.data.strip()
        if data.startswith("{") and ('"error"' in data or '"code"' in data):
            try:
                payload = json.loads(data)
            except ValueError:
                payload = None
            if _is_error(payload):
                raise qianfan_error(HttpResponse(status=200, headers={}, content=data.encode()), self._ctx, payload)
        return super().feed(event)

    def _chunk(self, payload: dict[str, Any], raw: str) -> ChatCompletionChunk:
        flags = _lift_flags(payload)
        self._flagged.update(flags)
        for choice in payload.get("choices") or ():
            if isinstance(choice, dict) and choice.get("finish_reason") and choice.get("index", 0) in self._flagged:
                choice["finish_reason"] = "content_filter"
        return super()._chunk(payload, raw)


def _wire(ctx: CallContext) -> CallContext:
    """`ctx` with the model id v2 expects."""
    model = qianfan_model(ctx.model)
    return ctx if model == ctx.model else dataclasses.replace(ctx, model=model)


def _headers(ctx: CallContext) -> dict[str, str]:
    result = headers(ctx)
    app_id = getattr(ctx.settings, "app_id", None)
    if app_id:
        result["appid"] = app_id
    return result


def _is_error(payload: Any) -> bool:
    if not isinstance(payload, dict):
        return False
    if payload.get("error"):
        return True
    has_message = isinstance(payload.get("msg"), str) or isinstance(payload.get("message"), str)
    return payload.get("code") not in (None, 0, "", "0") and has_message and "choices" not in payload


def _checked(response: HttpResponse, ctx: CallContext) -> dict[str, Any]:
    """The JSON object of a successful answer; raises the mapped error for any error answer."""
    try:
        payload = json.loads(response.content)
    except ValueError as exc:
        if response.status >= 400:
            raise error_from(response, ctx) from exc
        raise malformed(response, ctx, "the body is not JSON") from exc
    if response.status >= 400 or _is_error(payload):
        raise qianfan_error(response, ctx, payload)
    if not isinstance(payload, dict):
        raise malformed(response, ctx, "expected a JSON object")
    return payload


def _lift_flags(payload: dict[str, Any]) -> set[int]:
    """Move v2's per-choice safety keys to ``choice_flags``; returns the indexes judged unsafe."""
    unsafe: set[int] = set()
    flags: list[dict[str, Any]] = []
    for choice in payload.get("choices") or ():
        if not isinstance(choice, dict):
            continue
        found = {key: choice.pop(key) for key in _CHOICE_FLAGS if key in choice}
        if not found:
            continue
        index = choice.get("index", 0)
        flags.append({"index": index, **found})
        if found.get("need_clear_history") or found.get("flag") not in (None, 0):
            unsafe.add(index)
            if "message" in choice:
                choice["finish_reason"] = "content_filter"
    if flags:
        payload["choice_flags"] = flags
    return unsafe
