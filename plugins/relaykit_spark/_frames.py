"""The WebSocket API's answer frames, as chat chunks or assembled into one completion.

Reference: ``shared/dialects/spark.md`` sections A4 (frames), C2 (mapping) and gotchas 3, 8, 10, 11
and 16. Every frame is checked for ``header.code`` first (an error frame has no payload). Each
frame's ``payload.choices.text[].content`` is a text delta; ``status`` 2 (in the header or the
choices) marks the last frame, which carries ``payload.usage.text`` (``question_tokens`` is
ignored) and after which the server closes the socket. A function call arrives as one status-2
frame with empty content and ``text[0].function_call`` (arguments a JSON string, no id): it becomes
a tool call with the id ``call_<sid>_<n>`` (or a legacy ``function_call`` when the request used
``functions``). ``index`` may be the string ``"0"``; it is not used. Search results
(``payload.plugins``) are kept in the chunk's ``vendor_data``.

The finish reason is ``stop``, or ``tool_calls`` / ``function_call`` after a call; a length limit
has no signal in the frames. The request's stop sequences are applied here (``_stop``): the answer
ends before the first one, and the session is left unread from there. A moderation code
(10013/10014/10019...) after text was streamed ends the answer with ``content_filter`` (what was
streamed stands); before any text it raises `ContentPolicyError`. Any other code raises its
mapped error. A session that closes before its status-2 frame is `StreamInterruptedError`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from relaykit import ChatCompletion, ChatCompletionChunk, ChatStreamAccumulator, ResponseFormatError
from relaykit import StreamInterruptedError as StreamInterrupted
from relaykit.plugin import CallContext, HttpResponse, StreamEvent, excerpt

from ._errors import CONTENT_FILTER_CODES, spark_code, spark_error
from ._stop import StopCutter

__all__ = ["SparkFrameDecoder"]

_LAST = 2


class SparkFrameDecoder:
    """Turns Spark answer frames into `ChatCompletionChunk`s; `assemble` makes the completion.

    Args:
        ctx: the call's context.
        model: the model name the chunks report (the version's domain).
        created: the Unix time the chunks report (Spark sends none).
        legacy_functions: report a call as ``function_call`` (the request used ``functions``).
        include_usage: send the usage in a chunk of its own with no choices (as OpenAI does with
            ``stream_options.include_usage``) instead of on the last chunk.
        handshake: the upgrade's answer (status and headers for errors).
        stop: the request's stop sequences, applied to the text here (``_stop``).
    """

    def __init__(
        self,
        ctx: CallContext,
        *,
        model: str,
        created: int,
        legacy_functions: bool = False,
        include_usage: bool = False,
        handshake: HttpResponse | None = None,
        stop: Sequence[str] = (),
    ) -> None:
        self._ctx = ctx
        self._model = model
        self._created = created
        self._legacy = legacy_functions
        self._include_usage = include_usage
        self._handshake = handshake
        self.finished = False
        self.sid = ""
        """The session id (``header.sid``): Spark's request id, shown to its support."""
        self._started = False
        self._content_seen = False
        self._calls = 0
        self._vendor: dict[str, Any] = {}
        self._cutter = StopCutter(stop)

    def feed(self, event: StreamEvent) -> list[ChatCompletionChunk]:
        frame = self._parse(event.data)
        header = _object(frame.get("header"))
        if header.get("sid") and not self.sid:
            self.sid = str(header["sid"])
        code = spark_code(header.get("code", 0))
        if code is None:
            raise self._malformed("header.code is not a number", event.data)
        if code != 0:
            return self._error(code, str(header.get("message") or ""), event.data)
        payload = _object(frame.get("payload"))
        choices = _object(payload.get("choices"))
        last = _LAST in (spark_code(header.get("status")), spark_code(choices.get("status")))
        delta = self._delta(choices.get("text"), last, event.data)
        last = last or self._cutter.stopped  # a stop sequence ends the answer here
        vendor: dict[str, Any] = {}
        if payload.get("plugins"):
            vendor["plugins"] = self._vendor["plugins"] = payload["plugins"]
        usage = _usage(payload.get("usage"))
        finish = self._finish_reason() if last else None
        chunks: list[ChatCompletionChunk] = []
        if delta or finish or vendor or (usage and not self._include_usage):
            chunk_usage = None if self._include_usage else usage
            chunks.append(self._chunk([{"index": 0, "delta": delta, "finish_reason": finish}], chunk_usage, vendor))
        if last:
            self.finished = True
            if usage and self._include_usage:
                chunks.append(self._chunk([], usage, {}))
        return chunks

    def close(self) -> list[ChatCompletionChunk]:
        if self.finished:
            return []
        raise StreamInterrupted(
            "the Spark session closed before its last frame (status 2)",
            provider=self._ctx.provider,
            model=self._ctx.model,
            request_id=self.sid or None,
        )

    def assemble(self, chunks: list[ChatCompletionChunk]) -> ChatCompletion:
        """The completion the chunks of a collected session add up to (the `Collect` reduce)."""
        accumulator = ChatStreamAccumulator()
        for chunk in chunks:
            accumulator.add(chunk)
        completion = accumulator.snapshot()
        update: dict[str, Any] = {"request_id": self.sid or (self._handshake.request_id if self._handshake else None)}
        if self._vendor:
            update["vendor_data"] = {**completion.vendor_data, **self._vendor}
        return completion.model_copy(update=update)

    def _delta(self, texts: Any, last: bool, raw: str) -> dict[str, Any]:
        delta: dict[str, Any] = {}
        if not self._started:
            delta["role"] = "assistant"
            self._started = True
        if texts is not None and not isinstance(texts, list):
            raise self._malformed("payload.choices.text is not a list", raw)
        content: list[str] = []
        for item in texts or ():
            if not isinstance(item, dict):
                raise self._malformed("a payload.choices.text entry is not an object", raw)
            if isinstance(item.get("content"), str) and item["content"]:
                content.append(item["content"])
            call = item.get("function_call")
            if isinstance(call, dict) and call.get("name"):
                self._add_call(delta, call)
        shown = self._cutter.feed("".join(content))
        if last and not self._cutter.stopped:
            shown += self._cutter.flush()
        if shown:
            delta["content"] = shown
            self._content_seen = True
        elif (last or self._cutter.stopped) and not self._content_seen and not self._calls:
            delta["content"] = ""  # an empty answer is "", not None
        return delta

    def _add_call(self, delta: dict[str, Any], call: dict[str, Any]) -> None:
        arguments = call.get("arguments")
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments if arguments is not None else {}, ensure_ascii=False)
        function = {"name": str(call["name"]), "arguments": arguments}
        if self._legacy:
            if not self._calls:
                delta["function_call"] = function
        else:
            call_id = f"call_{self.sid or 'spark'}_{self._calls}"
            delta.setdefault("tool_calls", []).append(
                {"index": self._calls, "id": call_id, "type": "function", "function": function}
            )
        self._calls += 1

    def _finish_reason(self) -> str:
        if self._calls:
            return "function_call" if self._legacy else "tool_calls"
        return "stop"

    def _error(self, code: int, message: str, raw: str) -> list[ChatCompletionChunk]:
        if code in CONTENT_FILTER_CODES and self._content_seen:
            self.finished = True  # what was streamed stands; the rest was withheld
            self._vendor["filtered"] = {"code": code, "message": message}
            held = self._cutter.flush()
            choice = {"index": 0, "delta": {"content": held} if held else {}, "finish_reason": "content_filter"}
            return [self._chunk([choice], None, {"filtered": self._vendor["filtered"]})]
        status, headers = (101, {}) if self._handshake is None else (self._handshake.status, self._handshake.headers)
        response = HttpResponse(status=status, headers=headers, content=raw.encode("utf-8"))
        raise spark_error(response, self._ctx, code, message, sid=self.sid or None)

    def _chunk(
        self, choices: list[dict[str, Any]], usage: dict[str, int] | None, vendor: dict[str, Any]
    ) -> ChatCompletionChunk:
        data = {
            "id": self.sid,
            "created": self._created,
            "model": self._model,
            "provider": self._ctx.provider,
            "choices": choices,
            "usage": usage,
            "vendor_data": vendor,
        }
        try:
            return ChatCompletionChunk.model_validate(data)
        except ValueError as exc:
            raise self._malformed(f"a frame does not fit a chunk: {type(exc).__name__}", json.dumps(data)) from exc

    def _parse(self, raw: str) -> dict[str, Any]:
        try:
            frame = json.loads(raw)
        except ValueError as exc:
            raise self._malformed("a frame is not JSON", raw) from exc
        if not isinstance(frame, dict):
            raise self._malformed("a frame is not a JSON object", raw)
        return frame

    def _malformed(self, why: str, raw: str) -> ResponseFormatError:
        return ResponseFormatError(
            f"{self._ctx.provider} sent a malformed frame: {why}",
            provider=self._ctx.provider,
            model=self._ctx.model,
            request_id=self.sid or None,
            body_excerpt=excerpt(raw, self._ctx.secrets()),
        )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _usage(value: Any) -> dict[str, int] | None:
    """``payload.usage.text`` as a normalized usage (``question_tokens`` is not kept)."""
    text = value.get("text") if isinstance(value, dict) else None
    if not isinstance(text, dict):
        return None
    counts = {key: spark_code(text.get(key)) or 0 for key in ("prompt_tokens", "completion_tokens", "total_tokens")}
    if not counts["total_tokens"]:
        counts["total_tokens"] = counts["prompt_tokens"] + counts["completion_tokens"]
    return counts
