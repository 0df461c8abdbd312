"""A scripted fleet of providers over `httpx2.MockTransport`, for the router's tests.

Three OpenAI-dialect providers ``a``, ``b`` and ``c`` (hosts ``a.test``...) plus ``anthropic``
(``anthropic.test``), each answering from a script. `Fleet` records which provider got each
attempt, so the tests read the router's decisions off the wire.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from typing import Any

import httpx2
import pytest

import relaykit
from relaykit.plugin import ProviderRegistry
from relaykit_anthropic import ANTHROPIC
from relaykit_openai import OPENAI, OPENAI_COMPATIBLE

MESSAGES = [{"role": "user", "content": "Hello"}]
WEATHER = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}},
}
PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


# -- a scripted fleet of providers over MockTransport ------------------------------------------------


def chat_answer(provider: str, body: dict[str, Any]) -> httpx2.Response:
    """An OpenAI chat completion saying which provider answered."""
    return httpx2.Response(
        200,
        json={
            "id": f"chatcmpl-{provider}",
            "object": "chat.completion",
            "created": 1700000000,
            "model": body.get("model", "?"),
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": f"from {provider}"}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
        },
        headers={"x-request-id": f"req-{provider}"},
    )


def embedding_answer(provider: str, body: dict[str, Any]) -> httpx2.Response:
    return httpx2.Response(
        200,
        json={
            "object": "list",
            "data": [{"object": "embedding", "index": 0, "embedding": [0.5, 0.25]}],
            "model": body.get("model", "?"),
            "usage": {"prompt_tokens": 1, "total_tokens": 1},
        },
    )


def claude_answer(provider: str, body: dict[str, Any]) -> httpx2.Response:
    return httpx2.Response(
        200,
        json={
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", "?"),
            "content": [{"type": "text", "text": f"from {provider}"}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 2},
        },
    )


def error(status: int, code: str | None = None, *, retry_after: str | None = None) -> httpx2.Response:
    """An OpenAI error envelope with `status` (and a vendor `code`, a Retry-After header)."""
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    body = {"error": {"message": f"failure {status}", "type": "invalid_request_error", "param": None, "code": code}}
    return httpx2.Response(status, json=body, headers=headers)


Answer = httpx2.Response | type[Exception] | Callable[[], httpx2.Response] | str


class Fleet:
    """A MockTransport handler: per-provider scripted answers; records (provider, body) per request."""

    def __init__(self) -> None:
        self.scripts: dict[str, deque[Answer]] = defaultdict(deque)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def script(self, provider: str, *answers: Answer, times: int = 1) -> None:
        self.scripts[provider].extend(list(answers) * times)

    @property
    def order(self) -> list[str]:
        return [provider for provider, _ in self.calls]

    def bodies(self, provider: str) -> list[dict[str, Any]]:
        return [body for name, body in self.calls if name == provider]

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        provider = request.url.host.split(".")[0]
        body = json.loads(request.content) if request.content else {}
        self.calls.append((provider, body))
        answer = self.scripts[provider].popleft() if self.scripts[provider] else "ok"
        if isinstance(answer, httpx2.Response):  # a fresh copy: a scripted answer may be used more than once
            return httpx2.Response(answer.status_code, headers=answer.headers, content=answer.content)
        if isinstance(answer, type):
            raise answer("scripted transport failure", request=request)  # type: ignore[call-arg]
        if callable(answer):
            return answer()
        if provider == "anthropic":
            return claude_answer(provider, body)
        if request.url.path.endswith("/embeddings"):
            return embedding_answer(provider, body)
        return chat_answer(provider, body)


def default_providers(**extra: Any) -> dict[str, dict[str, Any]]:
    """Providers a, b, c (OpenAI dialect) and anthropic, on MockTransport hosts."""
    config: dict[str, dict[str, Any]] = {
        name: {"kind": "openai", "api_key": "sk-test", "base_url": f"https://{name}.test/v1"} for name in "abc"
    }
    config["anthropic"] = {"api_key": "sk-ant-test", "base_url": "https://anthropic.test"}
    config.update(extra)
    return config


def default_registry(*specs: Any) -> ProviderRegistry:
    return ProviderRegistry.of(OPENAI, OPENAI_COMPATIBLE, ANTHROPIC, *specs)


def route(*deployments: Any, **policy: Any) -> dict[str, Any]:
    return {"smart": {"deployments": list(deployments), **policy}}


def make_client(
    fleet: Fleet | None,
    routes: dict[str, Any],
    *,
    aio: bool = False,
    providers: dict[str, Any] | None = None,
    registry: ProviderRegistry | None = None,
    environ: dict[str, str] | None = None,
) -> Any:
    """A sync (or async) client routing over `fleet` (None: over real sockets)."""
    config = providers if providers is not None else default_providers()
    plugins = registry if registry is not None else default_registry()
    if aio:
        http = httpx2.AsyncClient(transport=httpx2.MockTransport(fleet)) if fleet is not None else None
        return relaykit.AsyncClient(
            providers=config, routes=routes, registry=plugins, environ=environ, http_client=http
        )
    sync_http = httpx2.Client(transport=httpx2.MockTransport(fleet)) if fleet is not None else None
    return relaykit.Client(providers=config, routes=routes, registry=plugins, environ=environ, http_client=sync_http)


async def done(value: Any) -> Any:
    """`value`, awaited when it came from the async client."""
    return await value if isinstance(value, Awaitable) else value


def ask(client: relaykit.Client, **params: Any) -> Any:
    """A routed chat on a sync client."""
    params.setdefault("model", "smart")
    params.setdefault("messages", MESSAGES)
    return client.chat.completions.create(**params)


async def chat(client: Any, **params: Any) -> Any:
    """A routed chat on either client."""
    params.setdefault("model", "smart")
    params.setdefault("messages", MESSAGES)
    return await done(client.chat.completions.create(**params))


async def close(client: Any) -> None:
    await done(client.close())


def attempt_events(logs: list[dict[str, Any]]) -> list[tuple[str, int, str, str | None]]:
    return [
        (e["deployment"], e["attempt"], e["outcome"], e["error_kind"])
        for e in logs
        if e["event"] == "relaykit.route.attempt"
    ]


BOTH = pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
