"""The checks ``POST /v1/messages`` makes on the request body before answering (each a 400).

Reference: ``shared/dialects/anthropic.md`` sections 1 (the ``2026-10-21`` version rejects sampling
parameters), 2 (fields and ranges; unknown fields are refused) and 8 (thinking constraints, forced
tool choice, whitespace-only stop sequences). The conversation rules of section 2.2 live in
``_conversation``. Messages name the offending field the way Anthropic does (``max_tokens: Field
required``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from relaykit.testing import RecordedRequest

from ._common import bad_request, json_object
from ._conversation import check_messages

__all__ = ["NEW_VERSION", "check_body", "client_tools", "thinking_enabled"]

NEW_VERSION = "2026-10-21"
"""The API version under which temperature, top_p and top_k are refused."""

_FIELDS = frozenset(
    {
        "model",
        "messages",
        "max_tokens",
        "system",
        "temperature",
        "top_p",
        "top_k",
        "stop_sequences",
        "stream",
        "metadata",
        "tools",
        "tool_choice",
        "thinking",
        "service_tier",
        "output_config",
        "cache_control",
        "container",
        "mcp_servers",
        "inference_geo",
        "context_management",
    }
)
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
_TOOL_CHOICES = ("auto", "any", "tool", "none")
_MIN_BUDGET = 1024


def check_body(request: RecordedRequest, version: str) -> dict[str, Any]:
    """The Messages body, checked like Anthropic does, or a 400 `EmulatedError`."""
    body = json_object(request)
    if extra := sorted(set(body) - _FIELDS):
        raise bad_request(f"{extra[0]}: Extra inputs are not permitted")
    for name in ("model", "messages", "max_tokens"):
        if name not in body:
            raise bad_request(f"{name}: Field required")
    if not isinstance(body["model"], str) or not body["model"]:
        raise bad_request("model: Input should be a valid string")
    _integer(body, "max_tokens", minimum=1)
    if not isinstance(body.get("stream", False), bool):
        raise bad_request("stream: Input should be a valid boolean")
    _sampling(body, version)
    _system(body.get("system"))
    _stop_sequences(body.get("stop_sequences"))
    _metadata(body.get("metadata"))
    names = _tools(body.get("tools"))
    _tool_choice(body.get("tool_choice"), names)
    _thinking(body)
    check_messages(body["messages"], has_tools="tools" in body, thinking=thinking_enabled(body))
    return body


def thinking_enabled(body: Mapping[str, Any]) -> bool:
    """Whether the request turns extended thinking on."""
    thinking = body.get("thinking")
    return isinstance(thinking, Mapping) and thinking.get("type") in {"enabled", "adaptive"}


def client_tools(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The client tools of a checked body (server tools, which have a ``type``, left out)."""
    return [tool for tool in body.get("tools") or [] if "input_schema" in tool]


def _integer(body: Mapping[str, Any], name: str, *, minimum: int) -> None:
    value = body.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise bad_request(f"{name}: Input should be a valid integer")
    if value < minimum:
        raise bad_request(f"{name}: Input should be greater than or equal to {minimum}")


def _sampling(body: Mapping[str, Any], version: str) -> None:
    for name in ("temperature", "top_p", "top_k"):
        if name not in body:
            continue
        if version == NEW_VERSION:
            raise bad_request(f"{name}: is not supported with anthropic-version {NEW_VERSION}")
        value = body[name]
        if name == "top_k":
            _integer(body, name, minimum=0)
        elif not isinstance(value, int | float) or isinstance(value, bool):
            raise bad_request(f"{name}: Input should be a valid number")
        elif not 0 <= value <= 1:
            raise bad_request(f"{name}: Input should be less than or equal to 1")


def _system(system: Any) -> None:
    if system is None or isinstance(system, str):
        return
    if not isinstance(system, list):
        raise bad_request("system: Input should be a valid string or a list of text blocks")
    for position, block in enumerate(system):
        if not isinstance(block, Mapping) or block.get("type") != "text" or not isinstance(block.get("text"), str):
            raise bad_request(f"system.{position}: Input should be a text block")
        if not block["text"].strip():
            raise bad_request("system: text content blocks must contain non-whitespace text")


def _stop_sequences(stops: Any) -> None:
    if stops is None:
        return
    if not isinstance(stops, list) or not all(isinstance(stop, str) for stop in stops):
        raise bad_request("stop_sequences: Input should be a valid list of strings")
    for stop in stops:
        if not stop.strip():
            raise bad_request("stop_sequences: each stop sequence must contain non-whitespace")


def _metadata(metadata: Any) -> None:
    if metadata is None:
        return
    if not isinstance(metadata, Mapping):
        raise bad_request("metadata: Input should be a valid dictionary")
    if extra := sorted(set(metadata) - {"user_id"}):
        raise bad_request(f"metadata.{extra[0]}: Extra inputs are not permitted")


def _tools(tools: Any) -> set[str]:
    if tools is None:
        return set()
    if not isinstance(tools, list):
        raise bad_request("tools: Input should be a valid list")
    names: set[str] = set()
    for position, tool in enumerate(tools):
        if not isinstance(tool, Mapping):
            raise bad_request(f"tools.{position}: Input should be a valid dictionary")
        name = tool.get("name")
        if not isinstance(name, str) or not _TOOL_NAME.match(name):
            raise bad_request(f"tools.{position}.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'")
        if name in names:
            raise bad_request(f"tools: Tool names must be unique ({name!r} is repeated)")
        names.add(name)
        if tool.get("type", "custom") != "custom":
            continue  # a server tool (web_search_20250305, bash_20250124...): accepted as is
        schema = tool.get("input_schema")
        if not isinstance(schema, Mapping):
            raise bad_request(f"tools.{position}.custom.input_schema: Field required")
        if schema.get("type") != "object":
            raise bad_request(f"tools.{position}.custom.input_schema.type: Input should be 'object'")
    return names


def _tool_choice(choice: Any, names: set[str]) -> None:
    if choice is None:
        return
    if not isinstance(choice, Mapping) or choice.get("type") not in _TOOL_CHOICES:
        raise bad_request(
            "tool_choice: Input tag does not match any of the expected tags: 'auto', 'any', 'tool', 'none'"
        )
    if choice["type"] == "tool":
        name = choice.get("name")
        if not isinstance(name, str):
            raise bad_request("tool_choice.tool.name: Field required")
        if name not in names:
            raise bad_request(f"tool_choice.tool.name: Tool '{name}' not found in the provided tools")
    if choice["type"] != "none" and not names:
        raise bad_request("tool_choice: may only be specified while providing tools")


def _thinking(body: Mapping[str, Any]) -> None:
    thinking = body.get("thinking")
    if thinking is None:
        return
    if not isinstance(thinking, Mapping) or thinking.get("type") not in {"enabled", "disabled", "adaptive"}:
        raise bad_request("thinking: Input tag does not match any of the expected tags: 'enabled', 'disabled'")
    if thinking["type"] == "enabled":
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int) or isinstance(budget, bool):
            raise bad_request("thinking.enabled.budget_tokens: Field required")
        if budget < _MIN_BUDGET:
            raise bad_request(f"thinking.enabled.budget_tokens: Input should be greater than or equal to {_MIN_BUDGET}")
        if body["max_tokens"] <= budget:
            raise bad_request("`max_tokens` must be greater than `thinking.budget_tokens`")
    if not thinking_enabled(body):
        return
    choice = body.get("tool_choice")
    if isinstance(choice, Mapping) and choice.get("type") in {"any", "tool"}:
        raise bad_request("Thinking may not be enabled when tool_choice forces tool use.")
    if body.get("temperature", 1) != 1:
        raise bad_request("`temperature` may only be set to 1 when thinking is enabled.")
    if "top_k" in body:
        raise bad_request("`top_k` must be unset when thinking is enabled.")
