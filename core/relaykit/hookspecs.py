"""The hooks a relaykit plugin implements.

A plugin is any importable object (usually a module) registered under the ``relaykit`` entry-point
group. First-party plugins are registered exactly like third-party ones, in ``pyproject.toml``::

    [project.entry-points.relaykit]
    acme = "relaykit_acme"

and the module implements the hooks it needs::

    from relaykit.hookspecs import hookimpl
    from relaykit.plugin import Capability, Operation, ProviderSpec

    ACME = ProviderSpec(
        name="acme",
        description="Acme's chat API",
        capabilities=frozenset({Capability.CHAT, Capability.CHAT_STREAM}),
        operations={Operation.CHAT: "relaykit_acme._chat:chat"},
        default_base_url="https://api.acme.example/v1",
        default_api_key_env="ACME_API_KEY",
    )

    @hookimpl
    def register_providers(register):
        register(ACME)

Set ``RELAYKIT_PLUGINS`` to a comma-separated list of entry-point names to load only those.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

from ._lazy import lazy_getattr

if TYPE_CHECKING:
    from ._events import ErrorEvent, FallbackEvent, RequestEvent, ResponseEvent
    from ._provider import ProviderSpec

_EVENTS = ("ErrorEvent", "FallbackEvent", "RequestEvent", "ResponseEvent")

__all__ = [
    "PROJECT_NAME",
    "ErrorEvent",
    "FallbackEvent",
    "RequestEvent",
    "ResponseEvent",
    "hookimpl",
    "hookspec",
    "on_error",
    "on_fallback",
    "on_request",
    "on_response",
    "register_providers",
]

PROJECT_NAME = "relaykit"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    """Register the provider kinds this plugin offers.

    Called once per plugin, the first time relaykit needs its provider registry (creating a client,
    listing providers). Call ``register(spec)`` once for each provider kind. Keep this hook cheap:
    import nothing heavy here; a ``ProviderSpec`` names its flows as ``"module:function"`` strings
    that are imported on first use.

    :param register: records one `relaykit.plugin.ProviderSpec`. It raises
        `relaykit.PluginError` when another plugin already registered a provider with the same name,
        naming both distributions.
    """


@hookspec
def on_request(event: RequestEvent) -> None:
    """Observe a request about to be sent.

    Called by both drivers just before each HTTP request or WebSocket upgrade, on the caller's
    thread (or task). Keep it fast; an exception it raises is logged and ignored.

    :param event: provider, model, method and URL (secret query parameters masked). Never headers
        or bodies.
    """


@hookspec
def on_response(event: ResponseEvent) -> None:
    """Observe an answer's arrival.

    Called when the status and headers of an answer arrive (a streamed body is still being read),
    whatever the status. Use it for metrics: status, request id, latency to the first byte.

    :param event: provider, model, method, URL, status, request id, duration in milliseconds, and
        whether the body is streamed.
    """


@hookspec
def on_error(event: ErrorEvent) -> None:
    """Observe a failed call.

    Called with the relaykit error a call raised (a vendor error, a connection failure, a broken
    stream, a malformed answer), before it reaches the caller or the router's decision. For a routed
    call it fires once per failed attempt, with the route name and attempt number.

    :param event: provider, model, the error, and for routed calls the route and attempt.
    """


@hookspec
def on_fallback(event: FallbackEvent) -> None:
    """Observe the router moving on from a deployment.

    Called when a route gives up on one deployment (after its retries, or at once for errors that
    retrying cannot fix) and tries the next, or runs out of deployments (`to_deployment` None).

    :param event: the route, the deployment given up, the next one, the error, and the attempts so
        far.
    """


# The event classes load when first asked for: registering plugins needs only `hookimpl`.
__getattr__ = lazy_getattr(globals(), dict.fromkeys(_EVENTS, "_events"))
