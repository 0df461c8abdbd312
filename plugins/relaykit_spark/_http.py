"""Chat over the HTTP API: ``POST /v1/chat/completions`` on spark-api-open.xf-yun.com, OpenAI-style.

Reference: ``shared/dialects/spark.md`` part B and section C3. The OpenAI dialect's public modules
build the body and parse the answer; this module adds Spark's differences:

- the model name is resolved like the WebSocket kind's (``spark-max`` -> ``generalv3.5``; unknown
  names go through unchanged), and versions without ``system`` support get it folded into the first
  user message; ``developer`` is sent as ``system``;
- ``tool_calls_switch: true`` is sent with tools, so calls come back as an array (an object, the
  answer without it, is still accepted); calls without an id get ``call_<sid>_<n>``;
- fields the API does not document (``seed``, ``logit_bias``, ``parallel_tool_calls``,
  ``reasoning_effort``) are left out, logged as ``relaykit.request.adjusted``; ``stream_options``
  is left out (the usage always comes); ``stop`` is not sent but applied by relaykit to the answer
  (``_stop``); ``n`` > 1, ``logprobs`` and the legacy ``functions`` are refused (use ``tools``);
- answers carry ``code``/``message``/``sid`` and lack ``id``/``object``/``model``/``finish_reason``:
  the id is the ``sid``, the model the one sent, the finish reason ``stop`` or ``tool_calls``;
- SSE lines are ``data:{...}`` with no space (standard SSE framing reads them); the usage rides on
  the last content chunk; ``[DONE]`` without a finish reason gets one synthesized;
- errors are classed by their Spark code wherever they appear (a 500 with ``"code": "11200"``, a
  200 body or stream chunk with ``"code": 10013``), and by status only without one (``_errors``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from relaykit import ChatCompletion, ChatCompletionChunk, ChatRequest, InvalidRequestError, ResponseFormatError
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse, StreamEvent, Streaming, excerpt
from relaykit_openai._chat import ChatChunkDecoder, build_chat_body, parse_chat_completion
from relaykit_openai._common import headers, malformed

from ._domains import ENDPOINTS, canonical, http_model
from ._errors import CONTENT_FILTER_CODES, http_error, spark_code
from ._request import adjusted
from ._stop import StopCutter, cut

__all__ = ["SparkHTTPChunkDecoder", "build_body", "chat", "parse_completion"]

_UNDOCUMENTED = ("seed", "logit_bias", "parallel_tool_calls", "reasoning_effort")
# n is 1 here; the usage comes with every stream anyway; stop is applied by relaykit (``_stop``).
_NOT_SENT = ("n", "stream_options", "stop")
_SPARK_NOISE = ("code", "message", "msg")


def chat(request: ChatRequest, ctx: CallContext) -> Flow[ChatCompletion | Streaming[ChatCompletionChunk]]:
    """The chat flow: one POST, then the parsed answer or a stream decoder."""
    body = build_body(request, ctx)
    response = yield HttpRequest(
        "POST",
        ctx.url("/chat/completions"),
        headers=headers(ctx),
        json=body,
        stream="sse" if request.stream else None,
    )
    assert response is not None, "the driver answers every HttpRequest"
    if response.status >= 400:
        raise http_error(response, ctx)
    if request.stream:
        if not response.streaming:
            payload = _json(response, ctx)
            if _is_error(payload):
                raise http_error(response, ctx, payload)
            raise malformed(response, ctx, "asked for a stream, got a JSON body")
        return Streaming(SparkHTTPChunkDecoder(ctx, model=body["model"], stop=request.stop_list))
    payload = _json(response, ctx)
    if not isinstance(payload, dict):
        raise malformed(response, ctx, "expected a JSON object")
    if _is_error(payload):
        raise http_error(response, ctx, payload)
    return parse_completion(payload, response, ctx, model=body["model"], stop=request.stop_list)


def build_body(request: ChatRequest, ctx: CallContext) -> dict[str, Any]:
    """The HTTP API body for `request` (see the module docstring for what differs from OpenAI)."""
    _refuse_unmappable(request)
    body = build_chat_body(request, ctx)
    body["model"] = http_model(ctx.model)
    messages = [{**m, "role": "system"} if m.get("role") == "developer" else m for m in body["messages"]]
    domain = canonical(ctx.model)
    body["messages"] = messages if domain is None or ENDPOINTS[domain].system else _fold_system(messages)
    if body.get("tools"):
        body.setdefault("tool_calls_switch", True)
    for name in _NOT_SENT:
        body.pop(name, None)
    for name in _UNDOCUMENTED:
        if body.pop(name, None) is not None:
            adjusted(ctx, name, "dropped", "the Spark HTTP API does not document this parameter")
    return body


def parse_completion(
    payload: dict[str, Any], response: HttpResponse, ctx: CallContext, *, model: str, stop: Sequence[str] = ()
) -> ChatCompletion:
    """A `ChatCompletion` from an HTTP API answer (``sid`` kept in ``vendor_data``), cut at `stop`."""
    sid = _sid(payload)
    data = {key: value for key, value in payload.items() if key not in _SPARK_NOISE}
    data["id"] = payload.get("id") or sid
    data["model"] = payload.get("model") or model
    for choice in data.get("choices") or ():
        message = choice.get("message") if isinstance(choice, dict) else None
        if isinstance(message, dict):
            _normalize_calls(message, sid)
            if message.get("tool_calls") and message.get("content") == "":
                message["content"] = None  # a call without text, as OpenAI (and the WebSocket kind) say it
            if isinstance(message.get("content"), str) and stop:
                message["content"], stopped = cut(message["content"], stop)
                if stopped:
                    choice["finish_reason"] = "stop"
            if choice.get("finish_reason") in (None, ""):
                choice["finish_reason"] = "tool_calls" if message.get("tool_calls") else "stop"
    completion = parse_chat_completion(data, response, ctx)
    if completion.request_id is None and sid:
        completion = completion.model_copy(update={"request_id": sid})
    return completion


class SparkHTTPChunkDecoder(ChatChunkDecoder):
    """The OpenAI chunk decoder, plus Spark's in-band ``code`` errors, ids and tool-call objects."""

    def __init__(self, ctx: CallContext, *, model: str, stop: Sequence[str] = ()) -> None:
        super().__init__(ctx)
        self._model = model
        self._sid = ""
        self._content_seen = False
        self._cutter = StopCutter(stop)

    def feed(self, event: StreamEvent) -> list[ChatCompletionChunk]:
        data = event.data.strip()
        if data == "[DONE]" and (held := self._cutter.flush()):
            choice = {"index": 0, "delta": {"content": held}}
            held_chunk = super()._chunk({"id": self._sid, "model": self._model, "choices": [choice]}, data)
            return [held_chunk, *super().feed(event)]
        if data and data != "[DONE]":
            try:
                payload = json.loads(data)
            except ValueError:
                payload = None
            if isinstance(payload, dict) and _is_error(payload):
                return self._in_band_error(payload, data)
        return super().feed(event)

    def _chunk(self, payload: dict[str, Any], raw: str) -> ChatCompletionChunk:
        self._sid = self._sid or _sid(payload)
        for key in _SPARK_NOISE:
            payload.pop(key, None)
        payload["id"] = payload.get("id") or self._sid
        payload["model"] = payload.get("model") or self._model
        for choice in payload.get("choices") or ():
            delta = choice.get("delta") if isinstance(choice, dict) else None
            if isinstance(delta, dict):
                _normalize_calls(delta, self._sid, chunked=True)
                if delta.get("content") == "" and (
                    delta.get("tool_calls") or self._tools_seen.get(choice.get("index", 0))
                ):
                    del delta["content"]  # Spark repeats an empty content beside and after a call
                self._apply_stop(choice, delta)
                self._content_seen = self._content_seen or bool(delta.get("content"))
        chunk = super()._chunk(payload, raw)
        if self._cutter.stopped:
            self.finished = True  # the answer ends at the stop sequence; the rest is not read
        return chunk

    def _apply_stop(self, choice: dict[str, Any], delta: dict[str, Any]) -> None:
        content = delta.get("content")
        if not isinstance(content, str) or choice.get("index", 0) != 0:
            return
        shown = self._cutter.feed(content)
        if self._cutter.stopped:
            choice["finish_reason"] = "stop"
        elif choice.get("finish_reason"):
            shown += self._cutter.flush()
        delta["content"] = shown

    def _in_band_error(self, payload: dict[str, Any], raw: str) -> list[ChatCompletionChunk]:
        code = spark_code((payload.get("error") or {}).get("code") if isinstance(payload.get("error"), dict) else None)
        code = code if code is not None else spark_code(payload.get("code"))
        if code in CONTENT_FILTER_CODES and self._content_seen:
            self.finished = True  # what was streamed stands; the rest was withheld
            choice = {"index": 0, "delta": {}, "finish_reason": "content_filter"}
            return [super()._chunk({"id": self._sid or _sid(payload), "choices": [choice]}, raw)]
        raise http_error(HttpResponse(status=200, headers={}, content=raw.encode("utf-8")), self._ctx, payload)


def _refuse_unmappable(request: ChatRequest) -> None:
    if request.n is not None and request.n > 1:
        raise InvalidRequestError("Spark answers one choice per request; n must be 1", field="n")
    if request.logprobs:
        raise InvalidRequestError("Spark does not return log probabilities", field="logprobs")
    if request.functions is not None or request.function_call is not None:
        field = "functions" if request.functions is not None else "function_call"
        raise InvalidRequestError("the Spark HTTP API takes tools, not the legacy functions", field=field)
    for position, message in enumerate(request.messages):
        if message.role == "function" or (message.role == "assistant" and message.function_call is not None):
            raise InvalidRequestError(
                "the Spark HTTP API takes tool calls and tool messages, not legacy function calls",
                field=f"messages.{position}",
            )


def _fold_system(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """System text moved to the front of the first user message (for versions that ignore system)."""
    texts = [_text(m.get("content")) for m in messages if m.get("role") == "system"]
    rest = [m for m in messages if m.get("role") != "system"]
    if not texts:
        return rest
    system_text = "\n\n".join(texts)
    for index, message in enumerate(rest):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                rest[index] = {**message, "content": f"{system_text}\n\n{content}"}
            else:
                rest[index] = {**message, "content": [{"type": "text", "text": system_text}, *(content or [])]}
            return rest
    return [{"role": "user", "content": system_text}, *rest]


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(part.get("text", "") for part in content or () if isinstance(part, dict))


def _normalize_calls(message: dict[str, Any], sid: str, *, chunked: bool = False) -> None:
    """Tool calls as a list of OpenAI calls with ids (Spark may send one object, without an id)."""
    calls = message.get("tool_calls")
    if isinstance(calls, dict):
        calls = [calls]
    if not isinstance(calls, list):
        return
    normalized = []
    for position, call in enumerate(calls):
        if not isinstance(call, dict):
            continue
        function: dict[str, Any] = call["function"] if isinstance(call.get("function"), dict) else call
        index = call.get("index", position)
        name = function.get("name")
        arguments = function.get("arguments")
        if arguments is not None and not isinstance(arguments, str):
            arguments = json.dumps(arguments, ensure_ascii=False)
        call_id = call.get("id") or (f"call_{sid or 'spark'}_{index}" if name else None)
        if chunked:
            fragment = {key: value for key, value in (("name", name), ("arguments", arguments)) if value is not None}
            normalized.append({"index": index, "id": call_id, "type": "function", "function": fragment})
        else:
            normalized.append(
                {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments or "{}"}}
            )
    message["tool_calls"] = normalized


def _sid(payload: dict[str, Any]) -> str:
    value = payload.get("sid") or payload.get("Sid")
    return str(value) if value else ""


def _is_error(payload: Any) -> bool:
    if not isinstance(payload, dict):
        return False
    if payload.get("error"):
        return True
    code = spark_code(payload.get("code"))
    return code is not None and code != 0


def _json(response: HttpResponse, ctx: CallContext) -> Any:
    try:
        return response.json()
    except ResponseFormatError as exc:
        exc.provider, exc.model = ctx.provider, ctx.model
        exc.body_excerpt = excerpt(response.content, ctx.secrets())
        raise
