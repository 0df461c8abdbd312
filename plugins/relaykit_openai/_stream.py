"""What every streamed OpenAI endpoint shares: ``data: {json}`` SSE events ending with ``[DONE]``.

Reference: ``shared/dialects/openai.md`` section 4 and gotchas 5 and 9. The defences live here
once, for chat and legacy completions alike: blank keep-alive events are skipped, an ``{"error":
...}`` event inside the 200 stream raises the mapped error, choices left without a finish reason
when ``[DONE]`` arrives get one synthesized, a stream that ends after every choice finished but
without ``[DONE]`` is complete, and one that ends before is interrupted.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Generic, TypeVar

from relaykit import ResponseFormatError, StreamInterruptedError
from relaykit.plugin import CallContext, HttpResponse, StreamEvent, excerpt, parse_json

from ._common import error_from, json_body, malformed

__all__ = ["JSONChunkDecoder", "expect_stream"]

C = TypeVar("C")


def expect_stream(response: HttpResponse, ctx: CallContext) -> None:
    """Raise unless a stream was asked for and came (an error envelope raises its own error)."""
    if not response.streaming:
        payload = json_body(response, ctx)
        raise malformed(response, ctx, f"asked for a stream, got a JSON {payload.get('object', 'object')}")


class JSONChunkDecoder(ABC, Generic[C]):
    """Base of the dialect's stream decoders: SSE events of JSON objects in, typed chunks out.

    A subclass turns one event's JSON object into a chunk (`_chunk`), reporting each choice it
    sees to `_note_choice`, and builds the chunks that close choices still open at ``[DONE]``
    (`_finish_chunks`).
    """

    def __init__(self, ctx: CallContext) -> None:
        self._ctx = ctx
        self.finished = False
        self._finish_seen: dict[int, bool] = {}

    def feed(self, event: StreamEvent) -> list[C]:
        data = event.data.strip()
        if not data:
            return []
        if data == "[DONE]":
            self.finished = True
            return self._synthesized_finish()
        try:
            payload = parse_json(data)
        except ValueError as exc:
            raise self._malformed("an event is not JSON", data) from exc
        if not isinstance(payload, dict):
            raise self._malformed("an event is not a JSON object", data)
        if payload.get("error"):
            fake = HttpResponse(status=200, headers={}, content=data.encode())
            raise error_from(fake, self._ctx, payload)
        return [self._chunk(payload, data)]

    def close(self) -> list[C]:
        if self.finished:
            return []
        if self._finish_seen and all(self._finish_seen.values()):
            self.finished = True  # some servers omit [DONE] after a proper finish
            return []
        raise StreamInterruptedError(
            "the stream ended before it was complete (no finish reason, no [DONE])",
            provider=self._ctx.provider,
            model=self._ctx.model,
        )

    @abstractmethod
    def _chunk(self, payload: dict[str, Any], raw: str) -> C:
        """One event's JSON object as a typed chunk (`raw` is the event text, for errors)."""

    @abstractmethod
    def _finish_chunks(self, missing: list[int]) -> list[C]:
        """Chunks giving the choices at these indexes the finish reason the stream never sent."""

    def _note_choice(self, index: int, finish_reason: str | None) -> None:
        self._finish_seen.setdefault(index, False)
        if finish_reason is not None:
            self._finish_seen[index] = True

    def _synthesized_finish(self) -> list[C]:
        missing = [index for index, seen in self._finish_seen.items() if not seen]
        if not missing:
            return []
        for index in missing:
            self._finish_seen[index] = True
        return self._finish_chunks(missing)

    def _malformed(self, why: str, raw: str) -> ResponseFormatError:
        return ResponseFormatError(
            f"{self._ctx.provider} sent a malformed stream event: {why}",
            provider=self._ctx.provider,
            model=self._ctx.model,
            body_excerpt=excerpt(raw, self._ctx.secrets()),
        )
