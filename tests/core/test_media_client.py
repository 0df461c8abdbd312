"""The media and task resources through the public clients, with a fake provider on a mock transport.

Covers what core does around a plugin's media flows: downloading URL inputs (or not), sending
multipart bodies without files, fetching nothing with the provider's credentials, resuming a task
from its JSON in a new client, on_progress on both clients, and ``wait=True``.
"""

from __future__ import annotations

import base64
from typing import Any

import anyio
import anyio.lowlevel
import httpx2
import pytest
import structlog

import relaykit
from relaykit.plugin import (
    CallContext,
    Capability,
    Flow,
    HttpRequest,
    Operation,
    ProviderRegistry,
    ProviderSpec,
)

from ..plugins.openai.multipart import read_multipart, text_fields

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAYAAACp8Z5+AAAAFklEQVR42mP4jwYYQIRc1Akwxi2ADACFozjNDzQfmwAAAABJRU5ErkJggg=="
)
SEEN: list[Any] = []


def fake_edit(request: relaykit.MediaEditRequest, ctx: CallContext) -> Flow[relaykit.MediaResult]:
    """Sends the edit as a multipart form without files, then answers with the input image."""
    SEEN.append(request)
    response = yield HttpRequest(
        "POST", ctx.url("/edit"), headers={"authorization": f"Bearer {ctx.api_key}"}, data={"op": "x"}, files=[]
    )
    assert response is not None
    url = request.image.url
    return relaykit.MediaResult(
        kind=request.kind,
        provider=ctx.provider,
        images=[relaykit.MediaOutput(url=url) if url else relaykit.MediaOutput(content=request.image.content)],
    )


def fake_upscale(request: relaykit.MediaUpscaleRequest, ctx: CallContext) -> Flow[relaykit.Task]:
    """Starts a job: always a Task."""
    yield HttpRequest("POST", ctx.url("/jobs"), json={})
    return relaykit.Task(provider=ctx.provider, id="job-7", kind=request.kind, status="queued", model=ctx.model)


def fake_task_get(task: relaykit.Task, ctx: CallContext) -> Flow[relaykit.Task]:
    """Polls the job: `state` in the answer's JSON decides the snapshot."""
    response = yield HttpRequest("GET", ctx.url(f"/jobs/{task.id}"), headers={"authorization": f"Bearer {ctx.api_key}"})
    assert response is not None
    if response.status == 404:
        raise relaykit.NotFoundError("unknown job", status=404)
    state = response.json()
    if state["status"] != "succeeded":
        return task.model_copy(update={"status": "running", "progress": state["progress"], "poll_after": 0.01})
    output = relaykit.TaskOutput(url="https://cdn.example/out.png?sig=abc123secret")
    return task.model_copy(update={"status": "succeeded", "result": relaykit.TaskResult(images=[output])})


def _spec(*extra: Capability) -> ProviderSpec:
    module = "tests.core.test_media_client"
    return ProviderSpec(
        name="fakemedia",
        description="a fake media vendor",
        capabilities=frozenset({Capability.MEDIA_EDIT_ERASE, Capability.MEDIA_UPSCALE_CREATIVE, *extra}),
        operations={
            Operation.MEDIA_EDIT: f"{module}:fake_edit",
            Operation.MEDIA_UPSCALE: f"{module}:fake_upscale",
            Operation.TASK_GET: f"{module}:fake_task_get",
        },
        default_base_url="https://api.fake.example",
    )


PROVIDERS = {"mine": {"kind": "fakemedia", "api_key": "key-0123456789", "headers": {"x-tenant": "tenant-secret"}}}


class Vendor:
    """The mock vendor: a job that finishes on the third poll, an image CDN, and a record of requests."""

    def __init__(self, polls_before_done: int = 2) -> None:
        self.requests: list[httpx2.Request] = []
        self.polls = 0
        self.polls_before_done = polls_before_done
        self.forgotten = False

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        request.read()
        if request.url.host == "cdn.example":
            if request.url.path == "/missing.png":
                return httpx2.Response(404, text="no such object")
            return httpx2.Response(200, content=PNG, headers={"content-type": "application/octet-stream"})
        if request.url.path.startswith("/jobs/"):
            if self.forgotten:
                return httpx2.Response(404, json={"error": "unknown job"})
            self.polls += 1
            done = self.polls > self.polls_before_done
            return httpx2.Response(200, json={"status": "succeeded" if done else "running", "progress": self.polls / 4})
        return httpx2.Response(200, json={"ok": True})


def _client(vendor: Vendor, *extra: Capability) -> relaykit.Client:
    return relaykit.Client(
        providers=PROVIDERS,
        registry=ProviderRegistry.of(_spec(*extra)),
        http_client=httpx2.Client(transport=httpx2.MockTransport(vendor)),
    )


def _async_client(vendor: Vendor) -> relaykit.AsyncClient:
    return relaykit.AsyncClient(
        providers=PROVIDERS,
        registry=ProviderRegistry.of(_spec()),
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(vendor)),
    )


def test_core_downloads_url_inputs_anonymously_when_the_vendor_cannot_fetch_them() -> None:
    """The plugin sees bytes; the download carried neither the key nor the provider's extra headers."""
    vendor = Vendor()
    with _client(vendor) as client:
        result = client.media.edit(model="mine/m", operation="erase", image="https://cdn.example/cat.png")
    assert isinstance(result, relaykit.MediaResult)
    assert result.images[0].content == PNG
    image = SEEN[-1].image
    assert (image.url, image.mime_type, image.file.filename) == (None, "image/png", "cat.png")
    download = vendor.requests[0]
    assert download.url.host == "cdn.example"
    assert "authorization" not in download.headers
    assert "x-tenant" not in download.headers
    assert vendor.requests[1].headers["x-tenant"] == "tenant-secret"


def test_url_inputs_pass_through_to_a_vendor_that_fetches_urls() -> None:
    """With MEDIA_URL_INPUT the plugin gets the URL and core downloads nothing."""
    vendor = Vendor()
    with _client(vendor, Capability.MEDIA_URL_INPUT) as client:
        result = client.media.edit(model="mine/m", operation="erase", image="https://cdn.example/cat.png")
    assert isinstance(result, relaykit.MediaResult)
    assert result.images[0].url == "https://cdn.example/cat.png"
    assert [r.url.host for r in vendor.requests] == ["api.fake.example"]


def test_an_input_url_that_fails_to_download_names_the_field() -> None:
    """A 404 on the input download is an InvalidRequestError naming the input; the vendor is not called."""
    vendor = Vendor()
    with _client(vendor) as client, pytest.raises(relaykit.InvalidRequestError) as caught:
        client.media.edit(model="mine/m", operation="erase", image=PNG, mask="https://cdn.example/missing.png")
    assert caught.value.field == "mask"
    assert [r.url.host for r in vendor.requests] == ["cdn.example"]


def test_a_form_without_files_is_still_sent_as_multipart() -> None:
    """`files=[]` makes a multipart/form-data body holding only the text fields."""
    vendor = Vendor()
    with _client(vendor) as client:
        client.media.edit(model="mine/m", operation="erase", image=PNG)
    sent = vendor.requests[-1]
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert text_fields(read_multipart(sent)) == {"op": "x"}


def test_a_task_saved_as_json_resumes_in_a_new_client_with_progress() -> None:
    """Submit in one client, save to_json, wait in another built from the same configuration."""
    vendor = Vendor()
    with _client(vendor) as first:
        task = first.media.upscale(model="mine/m", mode="creative", image=PNG, prompt="castle")
    assert isinstance(task, relaykit.Task)
    saved = task.to_json()
    seen: list[tuple[str, float | None]] = []
    with _client(vendor) as second:
        refreshed = second.tasks.get(saved)
        done = second.tasks.wait(
            relaykit.Task.from_json(saved), on_progress=lambda t: seen.append((t.status, t.progress))
        )
    assert (refreshed.status, refreshed.progress) == ("running", 0.25)
    assert done.status == "succeeded"
    assert seen == [("running", 0.5), ("succeeded", 0.5)]


def test_wait_download_fetches_results_and_masks_the_signature_in_logs() -> None:
    """download=True fills b64_json; the logged URL hides the sig parameter."""
    vendor = Vendor(polls_before_done=0)
    with structlog.testing.capture_logs() as logs, _client(vendor) as client:
        task = client.media.upscale(model="mine/m", mode="creative", image=PNG, prompt="castle")
        assert isinstance(task, relaykit.Task)
        done = client.tasks.wait(task, download=True)
    assert base64.b64decode(done.result.images[0].b64_json) == PNG
    urls = [entry["url"] for entry in logs if entry.get("event") == "relaykit.http.request"]
    assert "https://cdn.example/out.png?sig=***" in urls
    assert not any("abc123secret" in url for url in urls)
    assert "authorization" not in vendor.requests[-1].headers


def test_wait_true_returns_a_media_result_for_a_task() -> None:
    """The wait=True convenience waits on the Task and converts its result."""
    vendor = Vendor(polls_before_done=1)
    with _client(vendor) as client:
        result = client.media.upscale(model="mine/m", mode="creative", image=PNG, prompt="castle", wait=True)
    assert isinstance(result, relaykit.MediaResult)
    assert (result.task_id, result.images[0].url) == ("job-7", "https://cdn.example/out.png?sig=abc123secret")


def test_a_forgotten_task_is_task_not_found_error_from_get_and_wait() -> None:
    """The vendor's 404 for a job is TaskNotFoundError, on refresh and on wait alike."""
    vendor = Vendor()
    vendor.forgotten = True
    task = relaykit.Task(provider="mine", id="job-7", kind="media.upscale.creative", status="running")
    with _client(vendor) as client:
        with pytest.raises(relaykit.TaskNotFoundError):
            client.tasks.get(task)
        with pytest.raises(relaykit.TaskNotFoundError) as caught:
            client.tasks.wait(task)
    assert caught.value.task == task


def test_a_task_of_an_unknown_provider_names_task_provider() -> None:
    """A task whose provider this client does not know is refused before anything is sent."""
    task = relaykit.Task(provider="elsewhere", id="1", kind="media.generate", status="queued")
    with _client(Vendor()) as client, pytest.raises(relaykit.InvalidRequestError) as caught:
        client.tasks.get(task)
    assert caught.value.field == "task.provider"


def test_the_sync_client_refuses_an_async_on_progress() -> None:
    """A coroutine function cannot be called by the sync client: InvalidRequestError naming on_progress."""

    async def report(task: relaykit.Task) -> None:
        return None

    task = relaykit.Task(provider="mine", id="job-7", kind="media.upscale.creative", status="running")
    with _client(Vendor()) as client, pytest.raises(relaykit.InvalidRequestError) as caught:
        client.tasks.wait(task, on_progress=report)
    assert caught.value.field == "on_progress"


def test_the_async_client_awaits_an_async_on_progress_and_resumes_json() -> None:
    """AsyncClient runs the same flows; an async on_progress is awaited on every refresh."""
    vendor = Vendor()
    seen: list[str] = []

    async def report(task: relaykit.Task) -> None:
        await anyio.lowlevel.checkpoint()
        seen.append(task.status)

    async def main() -> relaykit.Task:
        async with _async_client(vendor) as client:
            task = await client.media.upscale(model="mine/m", mode="creative", image=PNG, prompt="castle")
            assert isinstance(task, relaykit.Task)
            return await client.tasks.wait(task.to_json(), on_progress=report)

    done = anyio.run(main)
    assert done.status == "succeeded"
    assert seen == ["running", "running", "succeeded"]


def test_media_needs_the_variant_capability() -> None:
    """A provider that lacks the variant's capability is refused before anything is sent."""
    vendor = Vendor()
    with _client(vendor) as client, pytest.raises(relaykit.UnsupportedCapabilityError, match=r"media\.edit\.inpaint"):
        client.media.edit(model="mine/m", operation="inpaint", image=PNG, prompt="a door")
    assert vendor.requests == []
