"""Builders shared by the ERNIE plugin tests: contexts, requests, literal answers, flow drivers."""

from __future__ import annotations

import json
import uuid
from typing import Any

import relaykit
from relaykit._types._base import validate_request
from relaykit.plugin import CallContext, HttpResponse, SharedState, StreamEvent
from relaykit_ernie import ErnieSettings, QianfanSettings

API_KEY = "ak-test-0123456789abcdef"
SECRET_KEY = "sk-secret-fedcba9876543210"
QIANFAN_KEY = "bce-v3/ALTAK-test0123456789/abcdef0123456789"
TOKEN = "24.6c5e1ff107f0e8bcef8c46d3424a0e78.2592000.1710064000.282335-45678901"
USER = [{"role": "user", "content": "介绍一下北京"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "查询城市天气",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def make_context(
    *,
    model: str = "ernie-4.0-8k",
    options: dict[str, Any] | None = None,
    state: SharedState | None = None,
    **settings: Any,
) -> CallContext:
    """A CallContext for the ernie (v1) kind with fake keys and a private token cache."""
    values: dict[str, Any] = {
        "base_url": "https://aip.baidubce.com",
        "api_key": API_KEY,
        "secret_key": SECRET_KEY,
        **settings,
    }
    return CallContext(
        provider="ernie",
        kind="ernie",
        model=model,
        settings=ErnieSettings(**values),
        options=options or {},
        state=state if state is not None else SharedState(),
    )


def qianfan_context(
    *, model: str = "ernie-4.0-8k", options: dict[str, Any] | None = None, **settings: Any
) -> CallContext:
    """A CallContext for the qianfan (v2) kind with a fake bearer key."""
    values: dict[str, Any] = {"base_url": "https://qianfan.baidubce.com/v2", "api_key": QIANFAN_KEY, **settings}
    return CallContext(
        provider="qianfan", kind="qianfan", model=model, settings=QianfanSettings(**values), options=options or {}
    )


def chat_request(**params: Any) -> relaykit.ChatRequest:
    """A validated ChatRequest (one Chinese user message unless `messages` is given)."""
    return validate_request(relaykit.ChatRequest, {"model": "ernie/ernie-4.0-8k", "messages": USER, **params})


def embedding_request(**params: Any) -> relaykit.EmbeddingRequest:
    """A validated EmbeddingRequest for embedding-v1."""
    return validate_request(relaykit.EmbeddingRequest, {"model": "ernie/embedding-v1", **params})


def json_response(body: Any, status: int = 200, **headers: str) -> HttpResponse:
    """A JSON answer as the driver hands it to a flow (non-ASCII kept as is)."""
    content = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return HttpResponse(status=status, headers={"content-type": "application/json", **headers}, content=content)


def token_response(token: str = TOKEN, expires_in: int = 2_592_000) -> HttpResponse:
    """A successful token exchange."""
    return json_response({"refresh_token": "25.abc", "expires_in": expires_in, "access_token": token, "scope": "x"})


def stream_opened(**headers: str) -> HttpResponse:
    """The response the driver sends back when it left an SSE body open."""
    return HttpResponse(status=200, headers={"content-type": "text/event-stream", **headers}, streaming=True)


def events(*payloads: dict[str, Any]) -> list[StreamEvent]:
    """One SSE event per payload, serialized compactly as ERNIE sends them."""
    return [StreamEvent(data=json.dumps(p, ensure_ascii=False, separators=(",", ":"))) for p in payloads]


def answer(result: str = "北京是中国的首都。", **fields: Any) -> dict[str, Any]:
    """A v1 chat answer in the captured field order."""
    return {
        "id": "as-bcmt5ct4iy",
        "object": "chat.completion",
        "created": 1680167072,
        "result": result,
        "is_truncated": False,
        "need_clear_history": False,
        "finish_reason": "normal",
        "usage": {"prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14},
        **fields,
    }


def error_body(code: int, message: str = "error") -> dict[str, Any]:
    """A v1 error answer."""
    return {"error_code": code, "error_msg": message, "id": "as-err0000001"}


def fresh_keys() -> dict[str, str]:
    """A unique API Key / Secret Key pair, so that no cached token from another test is reused."""
    tag = uuid.uuid4().hex
    return {"api_key": f"ak-{tag}", "secret_key": f"sk-{tag}"}


class FlowDriver:
    """Steps a flow by hand: `start()` returns the first request, `send(response)` the next one."""

    def __init__(self, flow: Any) -> None:
        self.flow = flow
        self.requests: list[Any] = []
        self.result: Any = None
        self.done = False

    def start(self) -> Any:
        request = next(self.flow)
        self.requests.append(request)
        return request

    def send(self, response: HttpResponse) -> Any:
        try:
            request = self.flow.send(response)
        except StopIteration as stop:
            self.result, self.done = stop.value, True
            return None
        self.requests.append(request)
        return request
