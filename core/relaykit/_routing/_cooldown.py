"""Cooldown: a deployment that keeps failing is passed over for a while, process-wide.

Shared by every client in the process (sync and async), keyed by route and deployment. After
``cooldown_failures`` consecutive failed requests the deployment is cooled down for ``cooldown``
seconds; while cooled it is tried only after every other deployment. When the time is up it is
probed again: one success clears it, one more failure cools it down again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["CooldownRegistry", "cooldowns"]


@dataclass
class _Health:
    failures: int = 0
    cooled_until: float = 0.0


class CooldownRegistry:
    """Consecutive failures and cool-down deadlines per deployment key."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._health: dict[str, _Health] = {}

    def is_cooling(self, key: str) -> bool:
        with self._lock:
            health = self._health.get(key)
            return health is not None and self._clock() < health.cooled_until

    def failed(self, key: str, *, threshold: int, cooldown: float) -> bool:
        """Record a failed request; True when this failure starts a cooldown.

        A deployment that was cooled down and has not succeeded since is cooled down again by its
        next failure (the probe after the cooldown failed).
        """
        with self._lock:
            health = self._health.setdefault(key, _Health())
            health.failures += 1
            if (health.failures >= threshold or health.cooled_until) and cooldown > 0:
                health.cooled_until = self._clock() + cooldown
                health.failures = 0
                return True
            return False

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._health.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._health.clear()


_registry = CooldownRegistry()


def cooldowns() -> CooldownRegistry:
    """The process-wide registry every client's router shares."""
    return _registry
