"""A normalized `ChatRequest` as an ERNIE v1 chat body.

Reference: ``shared/dialects/ernie.md`` sections A2 and C1, gotchas 7-9. The messages are
translated by ``_messages``; this module adds the rest:

- ``temperature`` (normalized 0-2) is clamped into ERNIE's (0, 1]: 0 becomes 0.01 and values above
  1 become 1 (logged). Clamping keeps the everyday values (0.2, 0.7, 1) meaning what they mean
  elsewhere; halving them, as Baidu's adapter does, would not;
- ``penalty_score`` (ERNIE's repetition penalty, 1.0-2.0, 1.0 = none) comes from the larger of
  ``frequency_penalty`` and ``presence_penalty`` (OpenAI's -2..2, 0 = none) as ``1 + p / 2``: 0
  stays "no penalty", 2 is ERNIE's strongest. Negative values (encouraging repetition) have no
  ERNIE equivalent and become 1.0 (logged). Unset penalties send no ``penalty_score``; provider
  options can set ``penalty_score`` directly;
- ``max_tokens`` becomes ``max_output_tokens``, raised to ERNIE's minimum of 2 (logged);
- ``stop`` is always a list, ``user`` becomes ``user_id``, ``response_format`` json_object / text
  become the plain strings ERNIE wants;
- ``tools`` (or the legacy ``functions``) become ``functions`` ``{name, description,
  parameters}``; ``tool_choice`` (or ``function_call``) ``"auto"`` sends nothing, ``"none"`` sends no
  functions, a named function becomes ERNIE's ``tool_choice``, and ``"required"`` forces the only
  function when there is exactly one (otherwise it cannot be said, and is logged);
- ``provider_options`` merge last (e.g. ``disable_search``, ``enable_citation``, ``penalty_score``,
  per-function ``examples`` inside ``functions``); they may not set ``messages`` or ``stream``.

Refused before sending, naming the field: ``n`` > 1, ``logprobs``, ``top_logprobs``,
``logit_bias``, ``seed``, ``reasoning_effort`` and a ``json_schema`` response format.
"""

from __future__ import annotations

from typing import Any

from relaykit import ChatRequest, FunctionDefinition, InvalidRequestError, NamedToolChoice
from relaykit.plugin import CallContext

from ._errors import adjusted, apply_options
from ._messages import map_messages

__all__ = ["MIN_OUTPUT_TOKENS", "TEMPERATURE_RANGE", "build_chat_body", "penalty_score"]

TEMPERATURE_RANGE = (0.01, 1.0)
"""ERNIE's temperature must be in (0, 1]; normalized values are clamped into this range."""
MIN_OUTPUT_TOKENS = 2
_RESERVED_OPTIONS = {"messages", "stream"}


def build_chat_body(request: ChatRequest, ctx: CallContext) -> dict[str, Any]:
    """The v1 wire body for `request`; raises `InvalidRequestError` for what ERNIE cannot take."""
    _refuse_inexpressible(request)
    system, messages = map_messages(request, ctx)
    body: dict[str, Any] = {"messages": messages}
    if system is not None:
        body["system"] = system
    if request.temperature is not None:
        body["temperature"] = _temperature(request.temperature, ctx)
    if request.top_p is not None:
        body["top_p"] = request.top_p
    if (penalty := penalty_score(request, ctx)) is not None:
        body["penalty_score"] = penalty
    if (limit := request.max_output_tokens) is not None:
        if limit < MIN_OUTPUT_TOKENS:
            adjusted(ctx, "max_tokens", "raised", "ERNIE's minimum is 2", value=MIN_OUTPUT_TOKENS)
        body["max_output_tokens"] = max(limit, MIN_OUTPUT_TOKENS)
    if request.stop_list:
        body["stop"] = request.stop_list
    if request.user is not None:
        body["user_id"] = request.user
    if request.response_format is not None:
        body["response_format"] = request.response_format.type
    _functions(request, body, ctx)
    if request.stream:
        body["stream"] = True
    return apply_options(body, ctx, _RESERVED_OPTIONS)


def penalty_score(request: ChatRequest, ctx: CallContext) -> float | None:
    """ERNIE's ``penalty_score`` for the request's penalties (see the module docstring)."""
    values = [v for v in (request.frequency_penalty, request.presence_penalty) if v is not None]
    if not values:
        return None
    strongest = max(values)
    if strongest < 0:
        adjusted(ctx, "frequency_penalty", "clamped", "ERNIE cannot encourage repetition", value=1.0)
    return round(1.0 + min(max(strongest, 0.0), 2.0) / 2, 4)


def _temperature(value: float, ctx: CallContext) -> float:
    low, high = TEMPERATURE_RANGE
    clamped = min(max(value, low), high)
    if clamped != value:
        adjusted(ctx, "temperature", "clamped", "ERNIE's temperature must be in (0, 1]", value=clamped)
    return clamped


def _functions(request: ChatRequest, body: dict[str, Any], ctx: CallContext) -> None:
    definitions = [tool.function for tool in request.tools] if request.tools else list(request.functions or ())
    choice: Any = request.tool_choice if request.tool_choice is not None else request.function_call
    if not definitions or choice == "none":
        return
    body["functions"] = [_function(definition) for definition in definitions]
    name: str | None = None
    if isinstance(choice, NamedToolChoice):
        name = choice.function.name
    elif choice is not None and hasattr(choice, "name"):
        name = choice.name
    elif choice == "required":
        if len(definitions) == 1:
            name = definitions[0].name
        else:
            adjusted(ctx, "tool_choice", "dropped", "ERNIE can force one named function, not any of several")
    if name is not None:
        body["tool_choice"] = {"type": "function", "function": {"name": name}}


def _function(definition: FunctionDefinition) -> dict[str, Any]:
    function: dict[str, Any] = {"name": definition.name}
    if definition.description is not None:
        function["description"] = definition.description
    function["parameters"] = definition.parameters or {"type": "object", "properties": {}}
    return function


def _refuse_inexpressible(request: ChatRequest) -> None:
    checks: list[tuple[str, bool, str]] = [
        ("n", (request.n or 1) > 1, "ERNIE answers with one choice; send several requests instead"),
        ("logprobs", bool(request.logprobs), "ERNIE does not return log probabilities"),
        ("top_logprobs", bool(request.top_logprobs), "ERNIE does not return log probabilities"),
        ("logit_bias", bool(request.logit_bias), "ERNIE has no logit bias"),
        ("seed", request.seed is not None, "ERNIE has no seed"),
        ("reasoning_effort", request.reasoning_effort is not None, "ERNIE v1 has no reasoning effort"),
        (
            "response_format",
            request.response_format is not None and request.response_format.type == "json_schema",
            "ERNIE v1 has no JSON schema mode (json_object is supported)",
        ),
    ]
    for name, refused, why in checks:
        if refused:
            raise InvalidRequestError(f"{name}: {why}", field=name)
