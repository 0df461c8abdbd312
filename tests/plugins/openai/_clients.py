"""Public clients over `httpx2.MockTransport`, recording what they send (for this folder's tests)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2

import relaykit

CANNED_KEY = "sk-test-0123456789abcdef"


@dataclass
class Recorder:
    """A MockTransport handler that records each request and answers with `reply(request)`."""

    reply: Callable[[httpx2.Request], httpx2.Response]
    requests: list[httpx2.Request] = field(default_factory=list)

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return self.reply(request)

    @property
    def body(self) -> Any:
        """The JSON body of the last request."""
        return json.loads(self.requests[-1].content)


def json_reply(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Callable[[httpx2.Request], httpx2.Response]:
    return lambda request: httpx2.Response(status, json=payload, headers=headers)


def sse_reply(*events: Any) -> Callable[[httpx2.Request], httpx2.Response]:
    """An SSE body: each event a JSON object or a literal data string (like `[DONE]`)."""
    text = "".join(f"data: {e if isinstance(e, str) else json.dumps(e)}\n\n" for e in events)
    return lambda request: httpx2.Response(
        200, headers={"content-type": "text/event-stream"}, content=text.encode("utf-8")
    )


def sync_client(recorder: Recorder, **options: Any) -> relaykit.Client:
    providers = {"openai": {"api_key": CANNED_KEY}, **options.pop("providers", {})}
    return relaykit.Client(
        providers=providers, http_client=httpx2.Client(transport=httpx2.MockTransport(recorder)), **options
    )


def async_client(recorder: Recorder, **options: Any) -> relaykit.AsyncClient:
    providers = {"openai": {"api_key": CANNED_KEY}, **options.pop("providers", {})}
    return relaykit.AsyncClient(
        providers=providers, http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(recorder)), **options
    )


MODEL_NOT_FOUND = {
    "error": {
        "message": "The model `nonexistent` does not exist or you do not have access to it.",
        "type": "invalid_request_error",
        "param": None,
        "code": "model_not_found",
    }
}
