"""Replaying one relay cassette through the public sync and async clients."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ...cassette_support import replay_both

T = TypeVar("T")


def both(provider: str, cassette: str, scenario: Callable[[Any], Awaitable[T]], **settings: Any) -> list[T]:
    """Replay ``cassettes/<provider>/<cassette>`` on a sync client, then on an async one."""
    providers = {provider: {"api_key": "sk-relay-test-0123456789", "poll_interval": 0.001, **settings}}
    return replay_both(f"{provider}/{cassette}", providers, scenario)
