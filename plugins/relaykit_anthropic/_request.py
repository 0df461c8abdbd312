"""A normalized `ChatRequest` as a Claude Messages body (``POST /v1/messages``).

Reference: ``shared/dialects/anthropic.md`` sections 2 and 7.1 and gotchas 8-12 and 17. The
messages are translated by ``_messages``; this module adds the rest:

- ``max_tokens`` (Claude requires it): the request's limit, else the ``default_max_tokens`` setting
  (plus the thinking budget when thinking is on);
- ``stop`` becomes ``stop_sequences`` (a whitespace-only sequence is refused: Claude rejects it);
- ``temperature`` above Claude's maximum of 1 is clamped to 1; when both ``temperature`` and
  ``top_p`` are set, ``top_p`` is left out (newer Claude models reject the pair); ``top_k`` travels
  in ``provider_options``; ``user`` becomes ``metadata.user_id``;
- tools carry ``input_schema``; ``tool_choice`` auto / required / none / a named tool becomes
  ``auto`` / ``any`` / ``none`` / ``tool``, and ``parallel_tool_calls=False`` sets
  ``disable_parallel_tool_use``;
- ``response_format`` json_schema uses ``output_config.format`` or a forced ``json_response`` tool
  whose input is the answer (the ``json_schema_mode`` setting); json_object adds an instruction to
  the system prompt (Claude has no switch for it);
- extended thinking: ``reasoning_effort`` (``none`` turns it off) or the ``thinking_budget`` setting
  becomes ``thinking``; while it is on, ``temperature``, ``top_k`` and a ``top_p`` below 0.95 are
  left out (Claude rejects them) and a forced tool choice is refused;
- ``provider_options`` merge last (dicts merge, lists such as server ``tools`` extend, other values
  replace; ``betas`` go to the ``anthropic-beta`` header). Under ``anthropic-version`` 2026-10-21
  and later the sampling parameters are left out.

Every field changed or left out is logged (``relaykit.request.adjusted``). What Claude cannot do is
refused before sending, naming the field: ``n`` > 1, ``logprobs``, non-zero presence or frequency
penalties, ``seed``, ``logit_bias`` and the legacy ``functions`` / ``function_call``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from relaykit import ChatRequest, NamedToolChoice
from relaykit.plugin import CallContext

from ._common import adjusted, settings
from ._messages import map_messages, refuse

__all__ = ["EFFORT_BUDGETS", "JSON_TOOL", "MessagesCall", "build_messages_body", "refuse_inexpressible"]

EFFORT_BUDGETS: dict[str, int | None] = {
    "none": None,
    "minimal": 1024,
    "low": 2048,
    "medium": 8192,
    "high": 16384,
    "xhigh": 32768,
}
"""Thinking budgets (tokens) for the normalized ``reasoning_effort`` values."""

JSON_TOOL = "json_response"
"""The forced tool that carries a JSON-schema answer in ``tool`` mode."""

_JSON_OBJECT_INSTRUCTION = "Respond with a single valid JSON object and nothing else."
_RESERVED_OPTIONS = {"model", "messages", "stream", "system", "max_tokens"}
_SAMPLING = ("temperature", "top_p", "top_k")
_NO_SAMPLING_VERSION = "2026-10-21"
_GENERATION = re.compile(
    r"claude-(?:(opus|sonnet|haiku)-(\d+)(?:[-.](\d{1,2}))?|(\d+)(?:[-.](\d{1,2}))?-(opus|sonnet|haiku))(?!\d)"
)


@dataclass(frozen=True)
class MessagesCall:
    """What the chat flow sends: the body, the beta flags asked for, and the JSON tool's name."""

    body: dict[str, Any]
    betas: tuple[str, ...] = ()
    json_tool: str | None = None


def build_messages_body(request: ChatRequest, ctx: CallContext) -> MessagesCall:
    """The Messages body for `request`; raises `InvalidRequestError` for what Claude cannot do."""
    refuse_inexpressible(request)
    config = settings(ctx)
    system, messages = map_messages(request, ctx)
    budget = _thinking_budget(request, config.thinking_budget)
    body: dict[str, Any] = {"model": ctx.model, "max_tokens": _max_tokens(request, config.default_max_tokens, budget)}
    body["system"] = system  # joined below, once response_format had its say
    body["messages"] = messages
    if stops := request.stop_list:
        for index, stop in enumerate(stops):
            if not stop.strip():
                field = "stop" if isinstance(request.stop, str) else f"stop.{index}"
                raise refuse(field, "Claude rejects whitespace-only stop sequences")
        body["stop_sequences"] = stops
    _sampling(request, body, ctx)
    if request.user is not None:
        body["metadata"] = {"user_id": request.user}
    if request.tools:
        body["tools"] = [
            _map_tool(tool.function.model_dump(exclude_none=True), i) for i, tool in enumerate(request.tools)
        ]
    json_tool = _response_format(request, body, system, ctx, thinking=budget is not None)
    if "tools" in body:
        choice = _tool_choice(request, json_tool)
        if choice is not None:
            body["tool_choice"] = choice
    if system:
        body["system"] = "\n\n".join(system)
    else:
        del body["system"]
    if budget is not None:
        body["thinking"] = {"type": "enabled", "budget_tokens": budget}
    if request.stream:
        body["stream"] = True
    betas = _merge_options(body, ctx)
    _fit_sampling(body, ctx, config.anthropic_version)
    return MessagesCall(body=body, betas=betas, json_tool=json_tool)


def refuse_inexpressible(request: ChatRequest) -> None:
    """Refuse the normalized fields Claude has no equivalent for (nothing is sent)."""
    refused = {
        "n": request.n not in (None, 1),
        "logprobs": bool(request.logprobs),
        "top_logprobs": request.top_logprobs is not None,
        "presence_penalty": request.presence_penalty not in (None, 0),
        "frequency_penalty": request.frequency_penalty not in (None, 0),
        "seed": request.seed is not None,
        "logit_bias": bool(request.logit_bias),
        "functions": request.functions is not None,
        "function_call": request.function_call is not None,
    }
    for field, is_refused in refused.items():
        if is_refused:
            raise refuse(field, "Claude has no equivalent; leave it out for this provider")


def native_structured_output(model: str) -> bool:
    """True for models known to take ``output_config.format``: Claude 4.5 and later, Opus 4.1."""
    found = _GENERATION.search(model.lower())
    if found is None:
        return False
    family = found.group(1) or found.group(6)
    major = int(found.group(2) or found.group(4))
    minor = int(found.group(3) or found.group(5) or 0)
    return (major, minor) >= (4, 5) or (family == "opus" and (major, minor) >= (4, 1))


def _thinking_budget(request: ChatRequest, default: int | None) -> int | None:
    if request.reasoning_effort is None:
        return default
    effort = request.reasoning_effort.lower()
    if effort not in EFFORT_BUDGETS:
        raise refuse("reasoning_effort", f"expected one of {', '.join(EFFORT_BUDGETS)}")
    return EFFORT_BUDGETS[effort]


def _max_tokens(request: ChatRequest, default: int, budget: int | None) -> int:
    limit = request.max_output_tokens
    if limit is None:
        return default + (budget or 0)
    if budget is not None and limit <= budget:
        field = "max_tokens" if request.max_tokens is not None else "max_completion_tokens"
        raise refuse(field, f"must exceed the thinking budget ({budget} tokens) while extended thinking is on")
    return limit


def _sampling(request: ChatRequest, body: dict[str, Any], ctx: CallContext) -> None:
    if request.temperature is not None:
        temperature = request.temperature
        if temperature > 1:
            adjusted(ctx, "temperature", "clamped", "Claude's maximum is 1", requested=temperature, sent=1.0)
            temperature = 1.0
        body["temperature"] = temperature
    if request.top_p is not None:
        body["top_p"] = request.top_p


def _map_tool(function: dict[str, Any], index: int, *, where: str = "tools") -> dict[str, Any]:
    schema = function.get("parameters")
    if schema is None:
        schema = {"type": "object", "properties": {}}
    elif "type" not in schema:
        schema = {"type": "object", **schema}
    elif schema["type"] != "object":
        raise refuse(f"{where}.{index}.function.parameters", "Claude needs an object schema (type: object)")
    tool: dict[str, Any] = {"name": function["name"]}
    if function.get("description") is not None:
        tool["description"] = function["description"]
    tool["input_schema"] = schema
    if function.get("strict") is not None:
        tool["strict"] = function["strict"]
    return tool


def _tool_choice(request: ChatRequest, json_tool: str | None) -> dict[str, Any] | None:
    choice = request.tool_choice
    result: dict[str, Any] | None
    if json_tool is not None and not request.tools:
        result = {"type": "tool", "name": json_tool}
    elif isinstance(choice, NamedToolChoice):
        result = {"type": "tool", "name": choice.function.name}
    elif choice == "none":
        result = {"type": "tool", "name": json_tool} if json_tool else {"type": "none"}
    elif choice == "required" or json_tool is not None:
        result = {"type": "any"}
    elif choice == "auto":
        result = {"type": "auto"}
    else:
        result = None
    if request.parallel_tool_calls is False and (result is None or result["type"] != "none"):
        result = {**(result or {"type": "auto"}), "disable_parallel_tool_use": True}
    return result


def _response_format(
    request: ChatRequest, body: dict[str, Any], system: list[str], ctx: CallContext, *, thinking: bool
) -> str | None:
    """Apply `response_format`; the name of the JSON tool when the answer comes as its input."""
    response_format = request.response_format
    if response_format is None or response_format.type == "text":
        return None
    if response_format.type == "json_object":
        system.append(_JSON_OBJECT_INSTRUCTION)
        return None
    spec = response_format.json_schema
    if spec.schema_ is None:
        raise refuse("response_format.json_schema.schema", "Claude needs the schema itself")
    mode = settings(ctx).json_schema_mode
    if mode == "native" or (mode == "auto" and native_structured_output(ctx.model)):
        body["output_config"] = {"format": {"type": "json_schema", "schema": spec.schema_}}
        return None
    if thinking:
        raise refuse(
            "response_format",
            "a JSON schema through a forced tool cannot be combined with extended thinking; "
            "set json_schema_mode = 'native' for models that support output_config",
        )
    if any(tool["name"] == JSON_TOOL for tool in body.get("tools", ())):
        raise refuse("tools", f"the tool name {JSON_TOOL!r} is reserved for JSON-schema answers")
    function = {
        "name": JSON_TOOL,
        "description": spec.description or f"Give the final answer ({spec.name}) as this tool's input.",
        "parameters": spec.schema_,
    }
    body.setdefault("tools", []).append(_map_tool(function, 0, where="response_format.json_schema.schema"))
    return JSON_TOOL


def _merge_options(body: dict[str, Any], ctx: CallContext) -> tuple[str, ...]:
    clash = sorted(_RESERVED_OPTIONS & set(ctx.options))
    if clash:
        raise refuse(f"provider_options.{clash[0]}", "set by relaykit from the request; use the request field")
    betas: tuple[str, ...] = ()
    for name, value in ctx.options.items():
        if name == "betas":
            betas = tuple(value) if isinstance(value, list | tuple) else (str(value),)
            continue
        current = body.get(name)
        if name != "thinking" and isinstance(current, dict) and isinstance(value, dict):
            body[name] = {**current, **value}
        elif isinstance(current, list) and isinstance(value, list):
            body[name] = [*current, *value]
        else:
            body[name] = value
    return betas


def _fit_sampling(body: dict[str, Any], ctx: CallContext, version: str) -> None:
    """Leave out the sampling parameters Claude would reject, logging each; refuse a forced tool."""
    thinking = body.get("thinking")
    thinking_on = isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")
    choice = body.get("tool_choice")
    if thinking_on and isinstance(choice, dict) and choice.get("type") in ("any", "tool"):
        raise refuse("tool_choice", "extended thinking allows only auto or none; a forced tool is rejected")
    for name in _SAMPLING:
        value = body.get(name)
        if value is None:
            continue
        if version >= _NO_SAMPLING_VERSION:
            reason = f"anthropic-version {version} rejects it"
        elif thinking_on and (name != "top_p" or (isinstance(value, int | float) and value < 0.95)):
            reason = "extended thinking rejects it (top_p must be 0.95 or more)"
        elif name == "top_p" and "temperature" in body:
            reason = "newer Claude models reject temperature together with top_p"
        else:
            continue
        del body[name]
        adjusted(ctx, name, "dropped", reason)
