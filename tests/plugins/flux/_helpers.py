"""Builders shared by the Flux tests: a context, requests, canned answers, a tiny PNG, a driven flow."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any, TypeVar

from relaykit import Task
from relaykit._types._base import validate_request
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse
from relaykit_flux import FluxSettings

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAYAAACp8Z5+AAAAFklEQVR42mP4jwYYQIRc1Akwxi2ADACFozjNDzQfmwAAAABJRU5ErkJggg=="
)
PNG_B64 = base64.b64encode(PNG).decode()
KEY = "bfl-test-key-0123456789abcdef"
JOB = "5f2a9c1e-7b3d-4e8f-9a1b-2c3d4e5f6a7b"
POLLING_URL = f"https://api.us1.bfl.ai/v1/get_result?id={JOB}"
SAMPLE = (
    "https://delivery-us1.bfl.ai/results/9d2c/sample.jpeg"
    "?se=2026-01-16T19%3A50%3A11Z&sp=r&sv=2024-11-04&sr=b&rsct=image/jpeg&sig=c2lnbmF0dXJl"
)
R = TypeVar("R")


def context(model: str = "flux-pro-1.1", *, options: dict[str, Any] | None = None, **settings: Any) -> CallContext:
    """A CallContext for the flux kind with a fake key."""
    values: dict[str, Any] = {"base_url": "https://api.bfl.ai", "api_key": KEY, **settings}
    return CallContext(
        provider="flux", kind="flux", model=model, settings=FluxSettings(**values), options=options or {}
    )


def request(request_type: type[R], /, **fields: Any) -> R:
    """A validated request of `request_type` (its model defaults to flux/flux-pro-1.1)."""
    return validate_request(request_type, {"model": "flux/flux-pro-1.1", **fields})  # type: ignore[type-var,return-value]


def json_answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    return HttpResponse(status, {"content-type": "application/json", **(headers or {})}, json.dumps(body).encode())


def submitted(job: str = JOB, polling_url: str | None = POLLING_URL, **extra: Any) -> HttpResponse:
    """BFL's submit answer."""
    body: dict[str, Any] = {"id": job, "polling_url": polling_url, **extra}
    return json_answer({k: v for k, v in body.items() if v is not None})


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


def task(*, jobs: list[dict[str, Any]] | None = None, created_at: datetime | None = None, **vendor: Any) -> Task:
    """A queued task as the submit flow makes it (one job at `POLLING_URL` unless `jobs` is given)."""
    moment = created_at or datetime.now(UTC)
    return Task(
        provider="flux",
        id=(jobs or [{"id": JOB}])[0]["id"],
        kind="media.generate",
        status="queued",
        model="flux-pro-1.1",
        created_at=moment,
        updated_at=moment,
        poll_after=1.0,
        vendor_data={
            "jobs": jobs or [{"id": JOB, "polling_url": POLLING_URL, "seed": None}],
            "output_format": "jpeg",
            "aspect_ratio": None,
            **vendor,
        },
    )
