"""Calling the observer hooks: cheap when no plugin implements them, and never fatal.

An exception raised by an observer is logged (``relaykit.hook.failed``) and swallowed: watching a
request must never break it.
"""

from __future__ import annotations

from typing import Any

import pluggy

from ._events import ErrorEvent, FallbackEvent, RequestEvent, ResponseEvent
from ._log import log_event

__all__ = ["Observer"]


class Observer:
    """Fires `on_request`, `on_response`, `on_error` and `on_fallback` on a plugin manager."""

    def __init__(self, plugin_manager: pluggy.PluginManager | None = None) -> None:
        self._hook = plugin_manager.hook if plugin_manager is not None else None

    def _fire(self, name: str, event: Any) -> None:
        if self._hook is None:
            return
        caller = getattr(self._hook, name)
        if not caller.get_hookimpls():
            return
        try:
            caller(event=event)
        except Exception as exc:  # noqa: BLE001 - an observer must not break the call it watches
            log_event("relaykit.hook.failed", hook=name, error=f"{type(exc).__name__}: {exc}")

    def listens(self, name: str) -> bool:
        """Whether any plugin implements hook `name` (so that an event is worth building)."""
        return self._hook is not None and bool(getattr(self._hook, name).get_hookimpls())

    def request(self, event: RequestEvent) -> None:
        self._fire("on_request", event)

    def response(self, event: ResponseEvent) -> None:
        self._fire("on_response", event)

    def error(self, event: ErrorEvent) -> None:
        self._fire("on_error", event)

    def fallback(self, event: FallbackEvent) -> None:
        self._fire("on_fallback", event)
