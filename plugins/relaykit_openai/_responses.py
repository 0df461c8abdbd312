"""Chat over OpenAI's Responses API: ``POST /responses``, JSON or typed SSE events.

Chosen by the provider setting ``chat_api = "responses"``: some OpenAI models are served only by
this API. Reference: https://platform.openai.com/docs/api-reference/responses and the request and
event types of ``openai/openai-python`` (``src/openai/types/responses``), checked against the real
exchanges in ``shared/real-responses/openai``. The answer side lives in ``_responses_output``
(the JSON response object) and ``_responses_stream`` (the SSE events).

The normalized request translates as follows:

- system and developer messages stay ``message`` input items of their role, in place, rather than
  being folded into ``instructions``: their number, order and role survive;
- user parts become ``input_text`` / ``input_image`` / ``input_file``; assistant text and refusals
  an assistant ``message`` item (``output_text`` / ``refusal`` parts); assistant tool calls
  ``function_call`` items and tool messages ``function_call_output`` items, paired by ``call_id``;
- reasoning blocks this API produced (`ReasoningPart` with ``provider="openai"``) go back as
  ``reasoning`` items: ``signature`` holds the item id, ``redacted_data`` its encrypted content;
- tools are flat ``{"type": "function", "name", ...}`` with ``strict`` always sent (false unless
  set), because this API defaults it to true where Chat Completions defaults it to false;
- ``response_format`` becomes ``text.format``, the output-token limit ``max_output_tokens``,
  ``reasoning_effort`` ``reasoning.effort``;
- ``store`` is false unless ``provider_options`` set it: relaykit keeps the conversation on the
  client and sends it whole every turn, so a copy kept at OpenAI would serve no later call, and a
  stateless request keeps no data at the vendor and replays the same way on any deployment;
- ``provider_options`` are merged last: a dict merges into the body's dict of the same name (so
  ``{"reasoning": {"summary": "auto"}}`` joins ``reasoning_effort``), a list extends the body's list
  (built-in ``tools``, ``include``), anything else replaces.

What this API cannot express is refused before anything is sent, with `InvalidRequestError`
naming the field: ``n`` > 1, ``stop``, ``logprobs``, non-zero presence or frequency penalties,
``seed``, ``logit_bias``, the legacy ``functions`` / ``function_call`` and function messages, a
message ``name``, audio input and assistant audio.
"""

from __future__ import annotations

from typing import Any

from relaykit import (
    AssistantMessage,
    ChatCompletion,
    ChatCompletionChunk,
    ChatRequest,
    FileContentPart,
    FunctionDefinition,
    FunctionMessage,
    ImageContentPart,
    InvalidRequestError,
    NamedToolChoice,
    ReasoningPart,
    ResponseFormatError,
    TextContentPart,
    ToolMessage,
    UserMessage,
)
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse, Streaming

from ._common import check, headers, malformed
from ._responses_output import parse_response
from ._responses_stream import ResponsesChunkDecoder

__all__ = ["build_responses_body", "responses_chat"]

_RESERVED_OPTIONS = {"model", "input", "stream"}
_HINT = 'OpenAI\'s Responses API has no equivalent; drop it or use chat_api = "chat_completions"'


def responses_chat(request: ChatRequest, ctx: CallContext) -> Flow[ChatCompletion | Streaming[ChatCompletionChunk]]:
    """The chat flow over ``/responses``: one request, then a parsed answer or a stream decoder."""
    body = build_responses_body(request, ctx)
    response = yield HttpRequest(
        "POST",
        ctx.url("/responses"),
        headers=headers(ctx),
        json=body,
        stream="sse" if request.stream else None,
    )
    response = check(response, ctx)
    if request.stream:
        if not response.streaming:
            payload = _json_object(response, ctx)
            raise malformed(response, ctx, f"asked for a stream, got a JSON {payload.get('object', 'object')}")
        return Streaming(ResponsesChunkDecoder(ctx, include_usage=request.include_usage, headers=response.headers))
    return parse_response(_json_object(response, ctx), response, ctx)


def build_responses_body(request: ChatRequest, ctx: CallContext) -> dict[str, Any]:
    """The ``/responses`` body for `request`; raises `InvalidRequestError` for what it cannot carry."""
    _refuse_inexpressible(request)
    store = ctx.options.get("store", False)
    body: dict[str, Any] = {"model": ctx.model, "input": _map_messages(request, ctx, keep_bare_ids=bool(store))}
    optional = {
        "temperature": request.temperature,
        "top_p": request.top_p,
        "max_output_tokens": request.max_output_tokens,
        "user": request.user,
        "parallel_tool_calls": request.parallel_tool_calls,
    }
    body.update({name: value for name, value in optional.items() if value is not None})
    if request.tools:
        body["tools"] = [_map_tool(tool.function) for tool in request.tools]
    if request.tool_choice is not None:
        body["tool_choice"] = _map_tool_choice(request.tool_choice)
    if request.response_format is not None:
        body["text"] = {"format": _map_response_format(request)}
    if request.reasoning_effort is not None:
        body["reasoning"] = {"effort": request.reasoning_effort}
    body["store"] = False
    if request.stream:
        body["stream"] = True
    clash = sorted(_RESERVED_OPTIONS & set(ctx.options))
    if clash:
        raise InvalidRequestError(
            f"provider_options may not set {clash[0]!r}; use the request field", field=f"provider_options.{clash[0]}"
        )
    for name, value in ctx.options.items():
        body[name] = _merge_option(body.get(name), value)
    return body


def _json_object(response: HttpResponse, ctx: CallContext) -> dict[str, Any]:
    try:
        payload = response.json()
    except ResponseFormatError as exc:
        raise malformed(response, ctx, "expected a JSON body") from exc
    if not isinstance(payload, dict):
        raise malformed(response, ctx, "expected a JSON object")
    return payload


def _refuse_inexpressible(request: ChatRequest) -> None:
    refused = {
        "n": request.n not in (None, 1),
        "stop": bool(request.stop_list),
        "logprobs": bool(request.logprobs),
        "presence_penalty": request.presence_penalty not in (None, 0),
        "frequency_penalty": request.frequency_penalty not in (None, 0),
        "seed": request.seed is not None,
        "logit_bias": bool(request.logit_bias),
        "functions": request.functions is not None,
        "function_call": request.function_call is not None,
    }
    for field, is_refused in refused.items():
        if is_refused:
            raise InvalidRequestError(f"{field}: {_HINT}", field=field)


def _refuse(field: str, what: str) -> InvalidRequestError:
    return InvalidRequestError(f"{field}: {what}; {_HINT}", field=field)


def _map_messages(request: ChatRequest, ctx: CallContext, *, keep_bare_ids: bool) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for position, message in enumerate(request.messages):
        where = f"messages.{position}"
        if isinstance(message, FunctionMessage):
            raise _refuse(f"{where}.role", "legacy function messages are not supported")
        if getattr(message, "name", None) is not None:
            raise _refuse(f"{where}.name", "messages cannot carry a participant name")
        if isinstance(message, ToolMessage):
            items.append({"type": "function_call_output", "call_id": message.tool_call_id, "output": _text(message)})
        elif isinstance(message, AssistantMessage):
            items.extend(_map_assistant(message, where, keep_bare_ids=keep_bare_ids))
        elif isinstance(message, UserMessage):
            items.append({"type": "message", "role": "user", "content": _map_user_content(message, where)})
        else:
            role = message.role
            if role == "developer" and getattr(ctx.settings, "developer_role", "developer") == "system":
                role = "system"
            text = message.content
            content = text if isinstance(text, str) else [{"type": "input_text", "text": p.text} for p in text]
            items.append({"type": "message", "role": role, "content": content})
    return items


def _map_user_content(message: UserMessage, where: str) -> str | list[dict[str, Any]]:
    if isinstance(message.content, str):
        return message.content
    parts: list[dict[str, Any]] = []
    for index, part in enumerate(message.content):
        if isinstance(part, TextContentPart):
            parts.append({"type": "input_text", "text": part.text})
        elif isinstance(part, ImageContentPart):
            detail = part.image_url.detail or "auto"
            parts.append({"type": "input_image", "image_url": part.image_url.url, "detail": detail})
        elif isinstance(part, FileContentPart):
            parts.append({"type": "input_file", **part.file.model_dump(exclude_none=True)})
        else:
            raise _refuse(f"{where}.content.{index}", f"{part.type} parts are not accepted as input")
    return parts


def _map_assistant(message: AssistantMessage, where: str, *, keep_bare_ids: bool) -> list[dict[str, Any]]:
    if message.function_call is not None:
        raise _refuse(f"{where}.function_call", "the legacy function_call is not supported")
    if message.audio is not None:
        raise _refuse(f"{where}.audio", "assistant audio cannot be referred to")
    items = [item for part in message.reasoning or () if (item := _map_reasoning(part, keep_bare_ids=keep_bare_ids))]
    parts: list[dict[str, Any]] = []
    if isinstance(message.content, str):
        if message.content or not message.tool_calls:
            parts.append({"type": "output_text", "text": message.content, "annotations": []})
    else:
        for part in message.content or ():
            if part.type == "text":
                parts.append({"type": "output_text", "text": part.text, "annotations": []})
            else:
                parts.append({"type": "refusal", "refusal": part.refusal})
    if message.refusal is not None:
        parts.append({"type": "refusal", "refusal": message.refusal})
    if parts:
        items.append({"type": "message", "role": "assistant", "content": parts})
    items.extend(
        {"type": "function_call", "call_id": call.id, "name": call.function.name, "arguments": call.function.arguments}
        for call in message.tool_calls or ()
    )
    return items


def _map_reasoning(part: ReasoningPart, *, keep_bare_ids: bool) -> dict[str, Any] | None:
    """A reasoning item to send back, or None when the block is another vendor's or cannot be resent.

    Without its encrypted content a reasoning item is only a reference to a stored response, which
    OpenAI rejects when ``store`` is false.
    """
    if part.provider != "openai" or not part.signature or not (part.redacted_data or keep_bare_ids):
        return None
    item: dict[str, Any] = {
        "type": "reasoning",
        "id": part.signature,
        "summary": [{"type": "summary_text", "text": part.text}] if part.text else [],
    }
    if part.redacted_data:
        item["encrypted_content"] = part.redacted_data
    return item


def _text(message: ToolMessage) -> str:
    content = message.content
    return content if isinstance(content, str) else "".join(part.text for part in content)


def _map_tool(function: FunctionDefinition) -> dict[str, Any]:
    tool: dict[str, Any] = {"type": "function", "name": function.name}
    if function.description is not None:
        tool["description"] = function.description
    tool["parameters"] = (
        function.parameters if function.parameters is not None else {"type": "object", "properties": {}}
    )
    tool["strict"] = bool(function.strict)
    return tool


def _map_tool_choice(choice: str | NamedToolChoice) -> str | dict[str, Any]:
    if isinstance(choice, NamedToolChoice):
        return {"type": "function", "name": choice.function.name}
    return choice


def _map_response_format(request: ChatRequest) -> dict[str, Any]:
    response_format = request.response_format
    assert response_format is not None
    if response_format.type != "json_schema":
        return {"type": response_format.type}
    spec = response_format.json_schema
    if spec.schema_ is None:
        raise InvalidRequestError(
            "response_format.json_schema.schema: the Responses API requires a schema",
            field="response_format.json_schema.schema",
        )
    result: dict[str, Any] = {"type": "json_schema", "name": spec.name, "schema": spec.schema_}
    if spec.description is not None:
        result["description"] = spec.description
    if spec.strict is not None:
        result["strict"] = spec.strict
    return result


def _merge_option(current: Any, value: Any) -> Any:
    if isinstance(current, dict) and isinstance(value, dict):
        return {**current, **value}
    if isinstance(current, list) and isinstance(value, list):
        return [*current, *value]
    return value
