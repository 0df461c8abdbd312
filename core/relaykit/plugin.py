"""What a plugin author needs: provider specs, flow effects, decoders and error helpers.

A plugin imports only this module, `relaykit.hookspecs` and relaykit's public types; it never
imports an HTTP client (flows are sans-IO, see `relaykit.plugin.Flow`). `log_event` emits a
structured event (silent until the application configures logging); use it for notices such as
"reasoning blocks from another vendor were dropped", never for secrets or bodies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_getattr

# Public name -> private module that defines it. Imported on first use (PEP 562): a plugin's
# `__init__` takes `ProviderSpec` and friends from here at registration, and registering every
# plugin should not import the flow, error and logging modules their flows use later.
_EXPORTS: dict[str, str] = {
    "CallContext": "_provider",
    "Capability": "_provider",
    "Collect": "_flow",
    "Effect": "_flow",
    "FilePart": "_flow",
    "Flow": "_flow",
    "HttpRequest": "_flow",
    "HttpResponse": "_flow",
    "Operation": "_provider",
    "ProviderRegistry": "_plugins",
    "ProviderSettings": "_provider",
    "ProviderSpec": "_provider",
    "SharedState": "_state",
    "StreamDecoder": "_flow",
    "StreamEvent": "_flow",
    "Streaming": "_flow",
    "Wait": "_flow",
    "WebSocketRequest": "_flow",
    "api_error": "_status",
    "error_class_for": "_status",
    "excerpt": "_errors",
    "log_event": "_log",
    "malformed_answer": "_status",
    "nearest_aspect_ratio": "_types._aspect",
    "parse_duration": "_status",
    "parse_json": "_flow",
    "parse_rate_limit": "_status",
    "parse_retry_after": "_status",
    "redact": "_errors",
    "run_to_completion": "_flow",
    "state_key": "_state",
}

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
    "malformed_answer",
    "nearest_aspect_ratio",
    "parse_duration",
    "parse_json",
    "parse_rate_limit",
    "parse_retry_after",
    "redact",
    "run_to_completion",
    "state_key",
]


__getattr__ = lazy_getattr(globals(), _EXPORTS)


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
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
    from ._status import (
        api_error,
        error_class_for,
        malformed_answer,
        parse_duration,
        parse_rate_limit,
        parse_retry_after,
    )
    from ._types._aspect import nearest_aspect_ratio
