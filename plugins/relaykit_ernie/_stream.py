"""ERNIE v1 streams: ``data: {complete answer object}`` events with ``sentence_id`` and ``is_end``.

Reference: ``shared/dialects/ernie.md`` sections A4 and C3, gotchas 4 and 10. Each event is a
whole answer object whose ``result`` is the next piece of text; the stream ends with the event
whose ``is_end`` is true, and there is no ``[DONE]``. Decoded:

- the first chunk carries ``role: "assistant"``; each non-empty ``result`` is a content delta;
- a function call arrives whole in one event: one ``tool_calls`` delta (index 0, id, name and the
  complete arguments; the legacy ``function_call`` delta when the request used ``functions``),
  with ``thoughts`` as ``reasoning_content``;
- usage is taken from the ``is_end`` event only (intermediate events report
  ``completion_tokens: 0``, or running estimates), and travels on the last chunk with the finish
  reason (see ``_response.finish_reason``; ``need_clear_history`` anywhere in the stream makes it
  ``content_filter``);
- ``sentence_id`` and the other keys of each event are kept in the chunk's ``vendor_data``;
- an event holding ``error_code`` raises the mapped error; a stream that ends without an ``is_end``
  event is a `StreamInterruptedError`. Blank, comment and ``event:`` lines are ignored by the framing.

An error answered to a stream request as plain JSON (no SSE) never reaches this decoder: the flow
sees it as a JSON answer (see ``_chat``).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from relaykit import ChatCompletionChunk, ResponseFormatError, StreamInterruptedError
from relaykit.plugin import CallContext, HttpResponse, StreamEvent, excerpt

from ._errors import error_from, scrubbed
from ._response import MAPPED_KEYS, finish_reason, flagged, message_parts

__all__ = ["ErnieChunkDecoder"]

_STREAM_KEYS = MAPPED_KEYS | {"is_end"}


class ErnieChunkDecoder:
    """Turns ERNIE v1 SSE events into `ChatCompletionChunk`s (see the module docstring).

    Args:
        ctx: the call's context.
        legacy: the request used the legacy ``functions`` (calls come back as ``function_call``).
        token: the access token the stream was opened with, masked in errors.
    """

    def __init__(self, ctx: CallContext, *, legacy: bool = False, token: str = "") -> None:
        self._ctx = ctx
        self._legacy = legacy
        self._token = token
        self._started = False
        self._flagged = False
        self.finished = False

    def feed(self, event: StreamEvent) -> list[ChatCompletionChunk]:
        data = event.data.strip()
        if not data or self.finished:
            return []
        try:
            payload = json.loads(data)
        except ValueError as exc:
            raise self._malformed("an event is not JSON", data) from exc
        if not isinstance(payload, dict):
            raise self._malformed("an event is not a JSON object", data)
        if payload.get("error_code") not in (None, 0):
            fake = HttpResponse(status=200, headers={}, content=data.encode())
            raise scrubbed(error_from(fake, self._ctx, payload), self._token)
        self._flagged = self._flagged or flagged(payload)
        delta: dict[str, Any] = {}
        if not self._started:
            delta["role"] = "assistant"
            self._started = True
        result = payload.get("result")
        if isinstance(result, str) and result:
            delta["content"] = result
        parts = message_parts(payload, legacy=self._legacy)
        if "tool_calls" in parts:
            delta["tool_calls"] = [{"index": 0, **parts["tool_calls"][0]}]
        if "function_call" in parts:
            delta["function_call"] = parts["function_call"]
        if "reasoning_content" in parts:
            delta["reasoning_content"] = parts["reasoning_content"]
        is_end = bool(payload.get("is_end"))
        if not delta and not is_end:
            return []
        finish = None
        vendor_data = {key: value for key, value in payload.items() if key not in _STREAM_KEYS}
        if is_end:
            self.finished = True
            raw = payload.get("finish_reason")
            finish = finish_reason(payload, raw, legacy=self._legacy, flagged_before=self._flagged, default="stop")
            if finish is None:
                vendor_data["finish_reason_raw"] = str(raw)
        chunk = {
            "id": str(payload.get("id") or ""),
            "created": payload.get("created") or 0,
            "model": self._ctx.model,
            "provider": self._ctx.provider,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            "usage": payload.get("usage") if is_end else None,
            "vendor_data": vendor_data,
        }
        try:
            return [ChatCompletionChunk.model_validate(chunk)]
        except ValidationError as exc:
            raise self._malformed(f"an event does not fit: {exc.errors(include_url=False)[0]['msg']}", data) from exc

    def close(self) -> list[ChatCompletionChunk]:
        if self.finished:
            return []
        raise StreamInterruptedError(
            "the stream ended before its is_end event",
            provider=self._ctx.provider,
            model=self._ctx.model,
        )

    def _malformed(self, why: str, raw: str) -> ResponseFormatError:
        return ResponseFormatError(
            f"{self._ctx.provider} sent a malformed stream event: {why}",
            provider=self._ctx.provider,
            model=self._ctx.model,
            body_excerpt=excerpt(raw, (*self._ctx.secrets(), self._token)),
        )
