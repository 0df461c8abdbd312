"""Run one call through the public sync and async clients against a relay emulator."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import anyio
import pytest

import relaykit
from relaykit.testing import Emulator

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 64


def both(provider: str, emulator: Emulator, call: Callable[[Any], Any]) -> list[Any]:
    """`call(client)` through a sync Client, then through an AsyncClient (awaited)."""
    settings = {provider: {"api_key": emulator.api_key, "base_url": emulator.base_url}}
    with relaykit.Client(providers=settings) as client:
        sync_result = call(client)

    async def main() -> Any:
        async with relaykit.AsyncClient(providers=settings) as aclient:
            result = call(aclient)
            return await result if inspect.isawaitable(result) else result

    return [sync_result, anyio.run(main)]


def stream_text(provider: str, emulator: Emulator, model: str, **params: Any) -> list[str]:
    """A streamed chat's text, assembled from the chunks, via the sync and the async client."""
    settings = {provider: {"api_key": emulator.api_key, "base_url": emulator.base_url}}
    body = {"model": f"{provider}/{model}", "messages": [{"role": "user", "content": "hello there"}], **params}
    with relaykit.Client(providers=settings) as client, client.chat.completions.create(stream=True, **body) as stream:
        sync_text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)

    async def main() -> str:
        async with relaykit.AsyncClient(providers=settings) as aclient:
            stream = await aclient.chat.completions.create(stream=True, **body)
            async with stream:
                return "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices])

    return [sync_text, anyio.run(main)]


def both_raise(provider: str, emulator: Emulator, call: Callable[[Any], Any], expected: type[BaseException]) -> None:
    """`call(client)` raises `expected` through the sync Client and through the AsyncClient."""
    settings = {provider: {"api_key": emulator.api_key, "base_url": emulator.base_url}}
    with relaykit.Client(providers=settings) as client, pytest.raises(expected):
        call(client)

    async def main() -> None:
        async with relaykit.AsyncClient(providers=settings) as aclient:
            with pytest.raises(expected):
                await _awaited(call(aclient))

    anyio.run(main)


async def _awaited(result: Any) -> Any:
    return await result if inspect.isawaitable(result) else result
