"""Chat on Qianfan v1: ``POST {base_url}/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/{endpoint}``.

Reference: ``shared/dialects/ernie.md`` part A (Baidu's v1 docs, its SDKs and the relays' adaptors;
captured traffic from qianfan4j). The flow:

1. the model name becomes its endpoint (``_models``; unknown names are refused, nothing is sent);
2. the request becomes a v1 body (``_request``, ``_messages``; what ERNIE would reject with a
   336xxx error is fixed or refused first);
3. an access token is taken from the cache or fetched (``_auth``), and the chat request sent with
   it; an answer saying the token is invalid or expired (110/111) gets a new token and one retry;
4. the answer: ``error_code`` in any status raises the mapped error (``_errors``), a JSON answer
   becomes a `ChatCompletion` (``_response``), an SSE answer a stream (``_stream``).

A stream request may be answered with a plain JSON error instead of SSE (gotcha 4): the driver
leaves only ``text/event-stream`` bodies open, so such an answer arrives whole and is checked like
any other, token refresh included.
"""

from __future__ import annotations

from relaykit import APIError, ChatCompletion, ChatCompletionChunk, ChatRequest
from relaykit.plugin import CallContext, Flow, HttpRequest, Streaming

from ._auth import TOKEN_PARAM, send_with_token
from ._errors import json_object, malformed, scrubbed
from ._models import chat_path
from ._request import build_chat_body
from ._response import parse_chat
from ._stream import ErnieChunkDecoder

__all__ = ["chat"]

_JSON_HEADERS = {"content-type": "application/json", "accept": "application/json"}
_SECRET = frozenset({TOKEN_PARAM})


def chat(request: ChatRequest, ctx: CallContext) -> Flow[ChatCompletion | Streaming[ChatCompletionChunk]]:
    """The v1 chat flow: token, request (refreshed once on 110/111), then an answer or a stream."""
    url = ctx.url(chat_path(ctx.model, getattr(ctx.settings, "endpoints", {})))
    body = build_chat_body(request, ctx)
    legacy = bool(request.functions) and not request.tools

    def build(token: str) -> HttpRequest:
        return HttpRequest(
            "POST",
            url,
            headers=_JSON_HEADERS,
            params={TOKEN_PARAM: token},
            json=body,
            stream="sse" if request.stream else None,
            secret_params=_SECRET,
        )

    response, token = yield from send_with_token(ctx, build)
    try:
        if request.stream and response.streaming:
            return Streaming(ErnieChunkDecoder(ctx, legacy=legacy, token=token))
        payload = json_object(response, ctx)
        if request.stream:
            raise malformed(response, ctx, "asked for a stream, got a whole JSON answer")
        return parse_chat(payload, response, ctx, legacy=legacy)
    except APIError as exc:
        scrubbed(exc, token)
        raise
