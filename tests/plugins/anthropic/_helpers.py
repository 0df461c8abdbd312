"""Builders shared by the Anthropic plugin tests: contexts, requests, literal answers, clients."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2

import relaykit
from relaykit._types._base import validate_request
from relaykit.plugin import CallContext, HttpResponse, StreamEvent
from relaykit_anthropic import AnthropicSettings

KEY = "sk-ant-test-0123456789abcdef"
MODEL = "claude-sonnet-4-5"
USER = [{"role": "user", "content": "Weather in Paris?"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def make_context(*, model: str = MODEL, options: dict[str, Any] | None = None, **settings: Any) -> CallContext:
    """A CallContext for the anthropic kind with a fake key, for driving flows directly."""
    values: dict[str, Any] = {"base_url": "https://api.anthropic.com", "api_key": KEY, **settings}
    return CallContext(
        provider="anthropic",
        kind="anthropic",
        model=model,
        settings=AnthropicSettings(**values),
        options=options or {},
    )


def chat_request(**params: Any) -> relaykit.ChatRequest:
    """A validated ChatRequest (one user message unless `messages` is given)."""
    return validate_request(relaykit.ChatRequest, {"model": f"anthropic/{MODEL}", "messages": USER, **params})


def json_response(status: int, body: Any, **headers: str) -> HttpResponse:
    """A JSON answer as the driver would hand it to a flow."""
    return HttpResponse(
        status=status, headers={"content-type": "application/json", **headers}, content=json.dumps(body).encode()
    )


def event(name: str, payload: dict[str, Any] | None = None) -> StreamEvent:
    """One named SSE event whose JSON repeats the name as `type` (as Claude sends it)."""
    return StreamEvent(data=json.dumps({"type": name, **(payload or {})}), event=name)


def sse_body(*events: StreamEvent) -> bytes:
    """The raw SSE text of `events`."""
    return "".join(f"event: {e.event}\ndata: {e.data}\n\n" for e in events).encode()


@dataclass
class Recorder:
    """A MockTransport handler recording each request and answering with `reply(request)`."""

    reply: Callable[[httpx2.Request], httpx2.Response]
    requests: list[httpx2.Request] = field(default_factory=list)

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return self.reply(request)

    @property
    def body(self) -> Any:
        """The JSON body of the last request."""
        return json.loads(self.requests[-1].content)


def sync_client(recorder: Recorder, **settings: Any) -> relaykit.Client:
    return relaykit.Client(
        providers={"anthropic": {"api_key": KEY, **settings}},
        http_client=httpx2.Client(transport=httpx2.MockTransport(recorder)),
    )


def async_client(recorder: Recorder, **settings: Any) -> relaykit.AsyncClient:
    return relaykit.AsyncClient(
        providers={"anthropic": {"api_key": KEY, **settings}},
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(recorder)),
    )
