"""Running one cassette scenario through both public clients."""

from __future__ import annotations

import inspect
import os
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import anyio

import relaykit
from relaykit.testing._cassettes import use_cassette

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
# Tests replay with a fake key (the recorded authorization header is filtered anyway); when
# re-recording (RELAYKIT_RECORD set) the real key comes from OPENAI_API_KEY.
PROVIDERS = {
    "openai": {
        "api_key": os.environ.get("OPENAI_API_KEY", "")
        if os.environ.get("RELAYKIT_RECORD")
        else "sk-test-0123456789abcdef"
    }
}

T = TypeVar("T")


def replay_sync(cassette: str, scenario: Callable[[relaykit.Client], T]) -> T:
    """Run `scenario` with a sync client while `cassette` is replayed."""
    with use_cassette(CASSETTES / cassette), relaykit.Client(providers=PROVIDERS) as client:
        return scenario(client)


def replay_async(cassette: str, scenario: Callable[[relaykit.AsyncClient], Awaitable[T]]) -> T:
    """Run `scenario` with an async client while `cassette` is replayed (same cassette as sync)."""

    async def main() -> T:
        async with relaykit.AsyncClient(providers=PROVIDERS) as client:
            return await scenario(client)

    with use_cassette(CASSETTES / cassette):
        result: Any = anyio.run(main)
        return result  # type: ignore[no-any-return]


async def call(value: Any) -> Any:
    """A client call's result: awaited on the async client, as it is on the sync one."""
    return await value if inspect.isawaitable(value) else value


def replay_both(
    cassette: str, providers: Mapping[str, Mapping[str, Any]], scenario: Callable[[Any], Awaitable[T]]
) -> list[T]:
    """Run `scenario` on a sync client, then on an async one, each replaying ``cassettes/<cassette>``.

    `scenario` is written once against either client: it `await call(...)`s every client call.
    """

    async def sync_run() -> T:
        with relaykit.Client(providers=providers) as client:
            return await scenario(client)

    async def async_run() -> T:
        async with relaykit.AsyncClient(providers=providers) as client:
            return await scenario(client)

    results = []
    for run in (sync_run, async_run):
        with use_cassette(CASSETTES / cassette):
            results.append(anyio.run(run))
    return results
