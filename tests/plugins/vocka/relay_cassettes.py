"""Replaying one relay cassette through the public sync and async clients."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio

import relaykit
from relaykit.testing._cassettes import use_cassette

from ...cassette_support import CASSETTES

T = TypeVar("T")


async def call(value: Any) -> Any:
    """A client call's result, awaited on the async client."""
    return await value if isinstance(value, Awaitable) else value


def both(provider: str, cassette: str, scenario: Callable[[Any], Awaitable[T]], **settings: Any) -> list[T]:
    """Run `scenario` on a sync client, then on an async one, each replaying ``cassettes/<provider>/<cassette>``."""
    providers = {provider: {"api_key": "sk-relay-test-0123456789", "poll_interval": 0.001, **settings}}

    async def sync_run() -> T:
        with relaykit.Client(providers=providers) as client:
            return await scenario(client)

    async def async_run() -> T:
        async with relaykit.AsyncClient(providers=providers) as client:
            return await scenario(client)

    results = []
    for run in (sync_run, async_run):
        with use_cassette(CASSETTES / provider / cassette):
            results.append(anyio.run(run))
    return results
