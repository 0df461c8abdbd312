"""State that flows share across calls: cached access tokens and the like.

A flow may not do I/O, but some dialects need memory between calls — ERNIE v1 exchanges an API key
and secret for an access token valid for 30 days. `SharedState` is a small thread-safe store with
expiry, held by the process (so the sync and the async client share it) and reached by a flow as
``ctx.state``. Keys should be derived from credentials with `state_key` (a hash), never the secrets
themselves.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["SharedState", "default_state", "state_key"]


class SharedState:
    """A thread-safe key-value store whose entries may expire."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[Any, float | None]] = {}

    def get(self, key: str) -> Any:
        """The value stored under `key`, or None when there is none or it has expired."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            value, expires = entry
            if expires is not None and self._clock() >= expires:
                del self._entries[key]
                return None
            return value

    def set(self, key: str, value: Any, *, ttl: float | None = None) -> None:
        """Store `value` under `key`, forgotten after `ttl` seconds when given."""
        with self._lock:
            self._entries[key] = (value, None if ttl is None else self._clock() + max(ttl, 0.0))

    def delete(self, key: str) -> None:
        """Forget `key` (no error when it is not there)."""
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def state_key(*parts: str) -> str:
    """A store key for `parts` (kind, credentials...): a hash, so secrets are never kept as keys."""
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()
    return f"{parts[0]}:{digest[:32]}" if parts else digest


_default = SharedState()


def default_state() -> SharedState:
    """The process-wide store every client's flows share."""
    return _default
