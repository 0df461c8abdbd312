"""``relaykit demo``: the offline main job, against a provider's bundled emulator, with no keys.

It starts the provider kind's emulator on 127.0.0.1 and drives it through the public client:
a streamed chat printed as it arrives, a streamed tool call assembled into arguments, and a rate
limit injected by the emulator arriving as a typed `RateLimitError` with its Retry-After.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

import click
from rich.console import Console

from .._client import Client
from .._errors import RateLimitError
from .._plugins import get_registry

__all__ = ["demo"]

_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def _emulator(kind: str) -> Any:
    spec = get_registry()[kind]
    if spec.emulator is None:
        raise click.ClickException(f"provider kind {kind!r} ships no emulator")
    module, _, attr = spec.emulator.partition(":")
    return getattr(importlib.import_module(module), attr)()


@click.command()
@click.option("--provider", "kind", default="openai", show_default=True, help="Provider kind whose emulator to run.")
@click.option("--prompt", default="Tell me about relaykit in one sentence.", show_default=True)
def demo(kind: str, prompt: str) -> None:
    """Run relaykit end to end against a local emulator: no network, no keys.

    \b
    Examples:
      relaykit demo
      relaykit demo --prompt "你好，介绍一下你自己"
    """
    console = Console()
    with _emulator(kind) as emulator:
        console.print(f"[bold]emulator[/bold] {kind} listening on {emulator.base_url}")
        providers = {"demo": {"kind": kind, "base_url": emulator.base_url, "api_key": emulator.api_key or "none"}}
        with Client(providers=providers) as client:
            _stream_chat(console, client, prompt)
            _stream_tool_call(console, client)
            _typed_error(console, client, emulator)


def _stream_chat(console: Console, client: Client, prompt: str) -> None:
    console.rule("1. streamed chat")
    console.print(f"[dim]user:[/dim] {prompt}")
    console.print("[dim]assistant:[/dim] ", end="")
    stream = client.chat.completions.create(
        model="demo/gpt-4o-mini",
        messages=[{"role": "user", "content": prompt}],
        stream=True,
        stream_options={"include_usage": True},
    )
    with stream:
        for chunk in stream:
            console.print(chunk.text, end="", soft_wrap=True, highlight=False)
    final = stream.get_final_completion()
    usage = final.usage
    console.print()
    console.print(
        f"[dim]finish_reason={final.choices[0].finish_reason} tokens={usage.total_tokens if usage else '?'}[/dim]"
    )


def _stream_tool_call(console: Console, client: Client) -> None:
    console.rule("2. streamed tool call")
    stream = client.chat.completions.create(
        model="demo/gpt-4o-mini",
        messages=[{"role": "user", "content": "What is the weather in 北京?"}],
        tools=[_TOOL],
        stream=True,
    )
    final = stream.get_final_completion()
    for call in final.choices[0].message.tool_calls or []:
        console.print(
            f"tool call [bold]{call.function.name}[/bold]({json.loads(call.function.arguments)}) id={call.id}"
        )


def _typed_error(console: Console, client: Client, emulator: Any) -> None:
    from ..testing import Fault

    console.rule("3. a vendor error, typed")
    emulator.inject(Fault.status(429, retry_after=2))
    try:
        client.chat.completions.create(model="demo/gpt-4o-mini", messages=[{"role": "user", "content": "again"}])
    except RateLimitError as error:
        console.print(
            f"{type(error).__name__}: status={error.status} retry_after={error.retry_after}s "
            f"retryable={error.retryable} request_id={error.request_id}"
        )
    console.rule("done: everything above ran offline, through the public client")
