"""Builders shared by the Midjourney tests: a context, requests, canned answers, a tiny PNG, a driven flow."""

from __future__ import annotations

import base64
import json
from typing import Any, TypeVar

from relaykit._types._base import validate_request
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse
from relaykit_midjourney import MidjourneySettings

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAYAAACp8Z5+AAAAFklEQVR42mP4jwYYQIRc1Akwxi2ADACFozjNDzQfmwAAAABJRU5ErkJggg=="
)
PNG_DATA_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()
KEY = "mj-secret-0123456789abcdef"
TASK_ID = "1712345678901234"
R = TypeVar("R")


def context(*, options: dict[str, Any] | None = None, **settings: Any) -> CallContext:
    """A CallContext for the midjourney kind with a fake key."""
    values: dict[str, Any] = {"base_url": "https://proxy.example/mj", "api_key": KEY, **settings}
    return CallContext(
        provider="mj",
        kind="midjourney",
        model="midjourney",
        settings=MidjourneySettings(**values),
        options=options or {},
    )


def request(request_type: type[R], /, **fields: Any) -> R:
    """A validated request of `request_type`."""
    return validate_request(request_type, fields)  # type: ignore[type-var,return-value]


def json_answer(body: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(status, {"content-type": "application/json"}, json.dumps(body).encode())


def envelope(code: int, result: Any = TASK_ID, description: str = "提交成功", **properties: Any) -> HttpResponse:
    """A submit answer."""
    return json_answer({"code": code, "description": description, "result": result, "properties": properties})


def drive(flow: Flow[R], answers: list[HttpResponse]) -> tuple[R, list[HttpRequest]]:
    """Run `flow`, answering its requests with `answers` in order; its result and the requests."""
    sent: list[HttpRequest] = []
    replies = iter(answers)
    reply: HttpResponse | None = None
    while True:
        try:
            effect = flow.send(reply)
        except StopIteration as stop:
            return stop.value, sent
        assert isinstance(effect, HttpRequest), effect
        sent.append(effect)
        reply = next(replies)


def body_of(sent: HttpRequest) -> Any:
    """The JSON body a request carries."""
    return sent.json
