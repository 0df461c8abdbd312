"""Builders shared by the Spark tests: contexts with fake credentials, requests, frames."""

from __future__ import annotations

import json
from typing import Any

from relaykit import ChatRequest
from relaykit.plugin import CallContext, HttpResponse, StreamEvent
from relaykit_spark import SparkHTTPSettings, SparkSettings

APP_ID = "app12345"
API_KEY = "apikeyXXXXXXXXXXXXXXXXXXXXXXXXXX"
API_SECRET = "apisecretXXXXXXXXXXXXXXXXXXXXXXX"
API_PASSWORD = "pwSegmentA:pwSegmentB"
PUBLISHED_DATE = "Fri, 23 Apr 2021 02:35:47 GMT"
PUBLISHED_TIME = 1619145347.0
"""The Unix time of `PUBLISHED_DATE`."""

WEATHER: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "查询城市天气",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def ws_context(model: str = "generalv3.5", *, options: dict[str, Any] | None = None, **settings: Any) -> CallContext:
    """A CallContext for the `spark` kind with the reference's fake keys."""
    values: dict[str, Any] = {
        "base_url": "wss://spark-api.xf-yun.com",
        "app_id": APP_ID,
        "api_key": API_KEY,
        "api_secret": API_SECRET,
    }
    values.update(settings)
    return CallContext(
        provider="spark", kind="spark", model=model, settings=SparkSettings(**values), options=options or {}
    )


def http_context(model: str = "generalv3.5", *, options: dict[str, Any] | None = None) -> CallContext:
    """A CallContext for the `spark-http` kind with a fake APIPassword."""
    settings = SparkHTTPSettings.model_validate(
        {"base_url": "https://spark-api-open.xf-yun.com/v1", "api_password": API_PASSWORD}
    )
    return CallContext(provider="sparkhttp", kind="spark-http", model=model, settings=settings, options=options or {})


def chat_request(*messages: dict[str, Any], **fields: Any) -> ChatRequest:
    """A validated ChatRequest (model as the client would have it)."""
    return ChatRequest.model_validate({"model": "spark/x", "messages": list(messages), **fields})


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def upgraded() -> HttpResponse:
    """The answer to an accepted WebSocket upgrade."""
    return HttpResponse(status=101, headers={"upgrade": "websocket"}, streaming=True)


def frame(
    sid: str,
    status: int,
    content: str = "",
    *,
    seq: int = 0,
    usage: dict[str, int] | None = None,
    function_call: dict[str, Any] | None = None,
    index: Any = 0,
) -> StreamEvent:
    """One answer frame as the server sends it (a text frame of compact JSON)."""
    text: dict[str, Any] = {"content": content, "role": "assistant", "index": index}
    if function_call is not None:
        text["content_type"] = "text"
        text["function_call"] = function_call
    payload: dict[str, Any] = {"choices": {"status": status, "seq": seq, "text": [text]}}
    if usage is not None:
        payload["usage"] = {"text": usage}
    body = {"header": {"code": 0, "message": "Success", "sid": sid, "status": status}, "payload": payload}
    return StreamEvent(data=json.dumps(body, ensure_ascii=False, separators=(",", ":")))


def error_frame(code: int, message: str, sid: str = "cht000b0c24@dx1916602ea10b808550") -> StreamEvent:
    """An error frame: header only, status 2."""
    body = {"header": {"code": code, "message": message, "sid": sid, "status": 2}}
    return StreamEvent(data=json.dumps(body, ensure_ascii=False))
