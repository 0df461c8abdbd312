"""What a plugin author needs: provider specs, flow effects, decoders and error helpers.

A plugin imports only this module, `relaykit.hookspecs` and relaykit's public types; it never
imports an HTTP client (flows are sans-IO, see `relaykit.plugin.Flow`). `log_event` emits a
structured event (silent until the application configures logging); use it for notices such as
"reasoning blocks from another vendor were dropped", never for secrets or bodies.
"""

from __future__ import annotations

from ._errors import excerpt, redact
from ._flow import (
    Collect,
    Effect,
    FilePart,
    Flow,
    HttpRequest,
    HttpResponse,
    StreamDecoder,
    StreamEvent,
    Streaming,
    Wait,
    WebSocketRequest,
    parse_json,
    run_to_completion,
)
from ._log import log_event
from ._plugins import ProviderRegistry
from ._provider import CallContext, Capability, Operation, ProviderSettings, ProviderSpec
from ._state import SharedState, state_key
from ._status import api_error, error_class_for, parse_duration, parse_rate_limit, parse_retry_after
from ._types._aspect import nearest_aspect_ratio

__all__ = [
    "CallContext",
    "Capability",
    "Collect",
    "Effect",
    "FilePart",
    "Flow",
    "HttpRequest",
    "HttpResponse",
    "Operation",
    "ProviderRegistry",
    "ProviderSettings",
    "ProviderSpec",
    "SharedState",
    "StreamDecoder",
    "StreamEvent",
    "Streaming",
    "Wait",
    "WebSocketRequest",
    "api_error",
    "error_class_for",
    "excerpt",
    "log_event",
    "nearest_aspect_ratio",
    "parse_duration",
    "parse_json",
    "parse_rate_limit",
    "parse_retry_after",
    "redact",
    "run_to_completion",
    "state_key",
]
