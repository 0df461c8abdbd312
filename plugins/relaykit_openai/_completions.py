"""Legacy completions: ``POST /completions``, JSON or SSE.

Reference: ``shared/dialects/openai.md`` section 7.1 (OpenAI's OpenAPI spec, 2026). The answer is
``{"id", "object": "text_completion", "created", "model", "choices": [{"text", "index", "logprobs",
"finish_reason"}], "usage"}``; streamed chunks have the same shape, each choice carrying a ``text``
fragment, and the stream ends with ``data: [DONE]`` (framing shared with chat, see ``_stream``).
With ``stream_options.include_usage`` a last chunk with empty ``choices`` carries the usage.
"""

from __future__ import annotations

import time
from typing import Any

from relaykit import Completion, CompletionChunk, CompletionRequest
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse, Streaming

from ._common import (
    FINISH_SYNONYMS,
    apply_options,
    check,
    headers,
    json_body,
    malformed,
    map_finish_reason,
    parse_model,
)
from ._stream import JSONChunkDecoder, expect_stream

__all__ = ["CompletionChunkDecoder", "build_completion_body", "completion", "parse_completion"]

_FINISH_REASONS: dict[str, str | None] = {
    "stop": "stop",
    "length": "length",
    "content_filter": "content_filter",
    **FINISH_SYNONYMS,
}
_RESERVED_OPTIONS = {"model", "prompt", "stream", "stream_options"}
_NOT_SENT = {"model", "provider_options", "stream", "stream_options"}
_STREAM_NOISE = frozenset({"obfuscation"})


def completion(request: CompletionRequest, ctx: CallContext) -> Flow[Completion | Streaming[CompletionChunk]]:
    """The completion flow: one request, then a parsed answer or a stream decoder."""
    body = build_completion_body(request, ctx)
    response = yield HttpRequest(
        "POST",
        ctx.url("/completions"),
        headers=headers(ctx),
        json=body,
        stream="sse" if request.stream else None,
    )
    response = check(response, ctx)
    if request.stream:
        expect_stream(response, ctx)
        return Streaming(CompletionChunkDecoder(ctx))
    return parse_completion(json_body(response, ctx), response, ctx)


def build_completion_body(request: CompletionRequest, ctx: CallContext) -> dict[str, Any]:
    """The wire body for `request`: the request's own fields, plus this provider's options."""
    body: dict[str, Any] = {"model": ctx.model}
    body.update(request.model_dump(exclude_none=True, exclude=_NOT_SENT))
    if request.stop is not None:
        body["stop"] = request.stop_list
    if request.stream:
        body["stream"] = True
        if request.include_usage:
            body["stream_options"] = {"include_usage": True}
    return apply_options(body, ctx, _RESERVED_OPTIONS)


def parse_completion(payload: dict[str, Any], response: HttpResponse, ctx: CallContext) -> Completion:
    """A `Completion` from the vendor's JSON, keeping unknown top-level keys in `vendor_data`."""
    choices = payload.get("choices")
    if not isinstance(choices, list) or not all(isinstance(choice, dict) for choice in choices):
        raise malformed(response, ctx, "no list of choices")
    for choice in choices:
        choice["finish_reason"] = map_finish_reason(choice.get("finish_reason"), _FINISH_REASONS, payload)
    data = {
        **payload,
        "id": payload.get("id") or "",
        "created": payload.get("created") or int(time.time()),
        "model": payload.get("model") or ctx.model,
        "provider": ctx.provider,
        "request_id": response.request_id,
    }
    return parse_model(Completion, data, response, ctx)


class CompletionChunkDecoder(JSONChunkDecoder[CompletionChunk]):
    """Turns SSE events into `CompletionChunk`s; a choice left unfinished at ``[DONE]`` gets `stop`."""

    def __init__(self, ctx: CallContext) -> None:
        super().__init__(ctx)
        self._last: dict[str, Any] = {}

    def _chunk(self, payload: dict[str, Any], raw: str) -> CompletionChunk:
        choices = payload.get("choices") or []
        if not isinstance(choices, list) or not all(isinstance(choice, dict) for choice in choices):
            raise self._malformed("choices is not a list of objects", raw)
        for choice in choices:
            choice["finish_reason"] = map_finish_reason(choice.get("finish_reason"), _FINISH_REASONS, payload)
            choice["text"] = choice.get("text") or ""
            self._note_choice(choice.get("index", 0), choice["finish_reason"])
        self._last = {"id": payload.get("id") or self._last.get("id", ""), "created": payload.get("created")}
        for noise in _STREAM_NOISE.intersection(payload):  # unknown keys would land in vendor_data
            del payload[noise]
        data = {
            **payload,
            "id": payload.get("id") or "",
            "created": payload.get("created") or 0,
            "model": payload.get("model") or self._ctx.model,
            "provider": self._ctx.provider,
        }
        try:
            return CompletionChunk.model_validate(data)
        except ValueError as exc:
            raise self._malformed(f"a chunk does not fit: {exc.__class__.__name__}", raw) from exc

    def _finish_chunks(self, missing: list[int]) -> list[CompletionChunk]:
        return [
            CompletionChunk.model_validate(
                {
                    "id": self._last.get("id", ""),
                    "created": self._last.get("created") or 0,
                    "model": self._ctx.model,
                    "provider": self._ctx.provider,
                    "choices": [{"index": index, "text": "", "finish_reason": "stop"} for index in missing],
                }
            )
        ]
