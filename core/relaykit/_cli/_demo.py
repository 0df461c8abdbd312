"""``relaykit demo``: the offline main job, against bundled emulators, with no keys.

It starts emulators on 127.0.0.1 and drives them through the public client: a streamed chat
printed as it arrives, a streamed tool call assembled into arguments, a rate limit injected by the
emulator arriving as a typed `RateLimitError`, a routed request falling back from a failing
vendor to a healthy one (with its `RouteInfo`), and an image `Task` with a progress bar.
``--provider`` runs one kind's emulator, configured by its `Emulator.client_settings`.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress

from .._client import Client
from .._errors import RateLimitError, RelaykitError
from .._plugins import get_registry
from .._provider import Capability
from .._types._media_result import MediaResult
from .._types._task import Task
from ..testing import Fault

__all__ = ["demo"]

_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def _emulator(kind: str, **kwargs: Any) -> Any:
    spec = get_registry().get(kind)
    if spec is None:
        raise click.ClickException(f"unknown provider kind {kind!r} (see relaykit providers)")
    if spec.emulator is None:
        raise click.ClickException(f"provider kind {kind!r} ships no emulator")
    module, _, attr = spec.emulator.partition(":")
    return getattr(importlib.import_module(module), attr)(**kwargs)


def _kinds_with_emulators() -> list[str]:
    return sorted(name for name, spec in get_registry().items() if spec.emulator is not None)


@click.command()
@click.option(
    "--provider",
    "kind",
    default=None,
    help="Run one provider kind's emulator instead of the tour (any kind shipping an emulator).",
)
@click.option("--prompt", default="Tell me about relaykit in one sentence.", show_default=True)
def demo(kind: str | None, prompt: str) -> None:
    """Run relaykit end to end against local emulators: no network, no keys.

    Without --provider: a streamed chat, a streamed tool call and a typed rate-limit error on the
    OpenAI emulator; a routed request falling back from a failing OpenAI emulator to the Anthropic
    one; and a FLUX image Task with a progress bar. With --provider: that kind's emulator, the
    chat steps for chat providers and the image step for image providers.

    \b
    Examples:
      relaykit demo
      relaykit demo --prompt "你好，介绍一下你自己"
      relaykit demo --provider anthropic
      relaykit demo --provider stability
    """
    console = Console()
    if kind is None:
        _tour(console, prompt)
        return
    spec = get_registry().get(kind)
    if spec is None or spec.emulator is None:
        known = ", ".join(_kinds_with_emulators())
        raise click.BadParameter(f"{kind!r} has no emulator; choose one of: {known}", param_hint="--provider")
    with _emulator(kind) as emulator:
        console.print(f"[bold]emulator[/bold] {kind} listening on {emulator.base_url}")
        model = f"demo/{emulator.demo_model or 'demo'}"
        with Client(providers={"demo": emulator.client_settings(kind)}) as client:
            if Capability.CHAT in spec.capabilities:
                _stream_chat(console, client, prompt, model)
                if Capability.TOOLS in spec.capabilities:
                    _stream_tool_call(console, client, model)
                _typed_error(console, client, emulator, model)
            if Capability.MEDIA_GENERATE in spec.capabilities:
                _image_task(console, client, model)
    console.rule("done: everything above ran offline, through the public client")


def _tour(console: Console, prompt: str) -> None:
    with _emulator("openai") as openai, _emulator("anthropic") as anthropic, _emulator("flux", steps=4) as flux:
        console.print(
            f"[bold]emulators[/bold] openai {openai.base_url}, anthropic {anthropic.base_url}, flux {flux.base_url}"
        )
        providers = {
            "demo": openai.client_settings("openai"),
            "anthropic": anthropic.client_settings("anthropic"),
            "flux": flux.client_settings("flux"),
        }
        routes = {"smart": {"deployments": ["demo/gpt-4o-mini", "anthropic/claude-sonnet-4-5"], "retries": 0}}
        with Client(providers=providers, routes=routes) as client:
            _stream_chat(console, client, prompt, "demo/gpt-4o-mini")
            _stream_tool_call(console, client, "demo/gpt-4o-mini")
            _typed_error(console, client, openai, "demo/gpt-4o-mini")
            _routed(console, client, openai)
            _image_task(console, client, "flux/flux-pro-1.1")
    console.rule("done: everything above ran offline, through the public client")


def _stream_chat(console: Console, client: Client, prompt: str, model: str) -> None:
    console.rule("streamed chat")
    console.print(f"[dim]user:[/dim] {prompt}")
    console.print("[dim]assistant:[/dim] ", end="")
    stream = client.chat.completions.create(
        model=model,
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


def _stream_tool_call(console: Console, client: Client, model: str) -> None:
    console.rule("streamed tool call")
    stream = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": "What is the weather in 北京?"}],
        tools=[_TOOL],
        stream=True,
    )
    final = stream.get_final_completion()
    for call in final.choices[0].message.tool_calls or []:
        console.print(
            f"tool call [bold]{call.function.name}[/bold]({json.loads(call.function.arguments)}) id={call.id}"
        )


def _typed_error(console: Console, client: Client, emulator: Any, model: str) -> None:
    console.rule("a vendor error, typed")
    emulator.inject(Fault.status(429, retry_after=2))
    try:
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": "again"}])
    except RateLimitError as error:
        console.print(
            f"{type(error).__name__}: status={error.status} retry_after={error.retry_after}s "
            f"retryable={error.retryable} request_id={error.request_id}"
        )
    except RelaykitError as error:
        console.print(f"{type(error).__name__}: {error}")
    emulator.clear_faults()


def _routed(console: Console, client: Client, failing: Any) -> None:
    console.rule("a routed request: OpenAI fails (500s), Anthropic answers")
    failing.inject(Fault.status(500), times=None)
    try:
        answer = client.chat.completions.create(model="smart", messages=[{"role": "user", "content": "Hello!"}])
    finally:
        failing.clear_faults()
    console.print(f"[dim]assistant:[/dim] {answer.text}", highlight=False)
    route = answer.route
    if route is not None:
        console.print(
            f"route={route.route} deployment={route.deployment} attempts={route.attempts} failed={route.failed}"
        )


def _image_task(console: Console, client: Client, model: str) -> None:
    console.rule("an image (a Task with a progress bar when the vendor renders in the background)")
    result = client.media.generate(model=model, prompt="a lighthouse at dusk", seed=42)
    if isinstance(result, Task):
        console.print(f"task {result.id} is {result.status}")
        with Progress(console=console) as progress:
            bar = progress.add_task("rendering", total=100)

            def show(task: Task) -> None:
                progress.update(bar, completed=int((task.progress or 0) * 100), description=task.status)

            done = client.tasks.wait(result, on_progress=show, download=True, poll_interval=0.05)
            progress.update(bar, completed=100, description=done.status)
        result = MediaResult.from_task(done)
    for output in result.images:
        console.print(f"image: {len(output.to_bytes())} bytes, {output.mime_type}, seed={output.seed}")
    console.print("[dim](relaykit image generate saves files; --no-wait and relaykit tasks wait resume)[/dim]")
