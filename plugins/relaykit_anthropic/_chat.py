"""Chat: ``POST /v1/messages``, JSON or named SSE events (legacy models: ``POST /v1/complete``).

Reference: ``shared/dialects/anthropic.md``. The request is built by ``_request`` (messages by
``_messages``), the answer read by ``_response``, a stream decoded by ``_stream``; a model whose
name starts with one of the ``legacy_models`` prefixes is served by the Text Completions flow of
``_complete`` instead.
"""

from __future__ import annotations

from relaykit import ChatCompletion, ChatCompletionChunk, ChatRequest
from relaykit.plugin import CallContext, Flow, HttpRequest, Streaming

from ._common import expect_stream, headers, json_object, url
from ._complete import is_legacy_model, legacy_chat
from ._errors import check
from ._request import build_messages_body
from ._response import parse_message
from ._stream import MessagesStreamDecoder

__all__ = ["chat"]


def chat(request: ChatRequest, ctx: CallContext) -> Flow[ChatCompletion | Streaming[ChatCompletionChunk]]:
    """The chat flow: one request, then a parsed answer or a stream decoder."""
    if is_legacy_model(ctx):
        return (yield from legacy_chat(request, ctx))
    call = build_messages_body(request, ctx)
    response = yield HttpRequest(
        "POST",
        url(ctx, "messages"),
        headers=headers(ctx, betas=call.betas),
        json=call.body,
        stream="sse" if request.stream else None,
    )
    response = check(response, ctx)
    if request.stream:
        expect_stream(response, ctx)
        return Streaming(
            MessagesStreamDecoder(ctx, include_usage=request.include_usage, json_tool=call.json_tool, response=response)
        )
    return parse_message(json_object(response, ctx), response, ctx, json_tool=call.json_tool)
