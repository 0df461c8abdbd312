"""Core's own steps around media flows: downloading URL inputs and result URLs.

Plugins stay sans-IO and never fetch anything themselves. Before a media flow runs, core downloads
every image input given as a URL, unless the provider fetches URLs itself (it has
`Capability.MEDIA_URL_INPUT` for the model); the plugin then sees bytes. After a task succeeds,
`client.tasks.wait(download=True)` fetches result URLs into the outputs' ``b64_json`` (signed URLs
expire). Both are flows too: the downloads are `HttpRequest`s the driver sends, without the
provider's credentials or configured headers, with signature query parameters masked in logs.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ._errors import InvalidRequestError
from ._flow import Flow, HttpRequest, HttpResponse
from ._provider import CallContext, Capability
from ._status import api_error
from ._types._media import FileUpload, sniff
from ._types._media_input import ImageInput, filename_from_url
from ._types._task import Task, TaskOutput

if TYPE_CHECKING:
    from ._resolve import Target
    from ._types._media_ops import MediaRequest

__all__ = ["SIGNED_URL_PARAMS", "download", "download_outputs", "media_flow"]

SIGNED_URL_PARAMS = frozenset(
    {
        "sig",
        "signature",
        "Signature",
        "token",
        "access_token",
        "key",
        "api_key",
        "policy",
        "Policy",
        "Key-Pair-Id",
        "X-Amz-Signature",
        "X-Amz-Credential",
        "X-Amz-Security-Token",
        "X-Goog-Signature",
        "X-Goog-Credential",
    }
)
"""Query parameters of signed URLs that never appear in logs."""


def media_flow(
    function: Callable[[Any, CallContext], Flow[Any]], request: MediaRequest, ctx: CallContext, target: Target
) -> Flow[Any]:
    """The plugin's flow for `request`, after downloading URL inputs the vendor cannot fetch."""
    fetches = Capability.MEDIA_URL_INPUT in target.spec.capabilities_for(target.model)
    if fetches or not any(item.url is not None for _, _, item in request.image_inputs()):
        return function(request, ctx)
    return _with_fetched_inputs(function, request, ctx)


def _with_fetched_inputs(
    function: Callable[[Any, CallContext], Flow[Any]], request: MediaRequest, ctx: CallContext
) -> Flow[Any]:
    updates: dict[str, Any] = {}
    for name, index, item in request.image_inputs():
        if item.url is None:
            continue
        where = name if index is None else f"{name}.{index}"
        response = yield from download(item.url, ctx)
        if response.status >= 400:
            raise InvalidRequestError(
                f"{where}: downloading {_shown(item.url)} failed with HTTP {response.status}", field=where
            )
        if not response.content:
            raise InvalidRequestError(f"{where}: {_shown(item.url)} is empty", field=where)
        mime = _sniffed(response.content) or response.content_type or "application/octet-stream"
        upload = FileUpload(filename=filename_from_url(item.url, mime), content=response.content, content_type=mime)
        fetched = ImageInput(file=upload)
        if index is None:
            updates[name] = fetched
        else:
            updates.setdefault(name, list(getattr(request, name)))[index] = fetched
    result: Any = yield from function(request.model_copy(update=updates), ctx)
    return result


def download(url: str, ctx: CallContext) -> Flow[HttpResponse]:
    """GET `url` without the provider's credentials; the response as it came (any status)."""
    response = yield HttpRequest(
        "GET", url, headers={"accept": "*/*"}, secret_params=SIGNED_URL_PARAMS, provider_headers=False
    )
    assert response is not None, "the driver sends an HttpResponse back for every HttpRequest"
    return response


def download_outputs(task: Task, ctx: CallContext) -> Flow[Task]:
    """`task` with every URL-only output's bytes fetched into its ``b64_json``."""
    result = task.result
    if result is None:
        return task
    images: list[TaskOutput] = []
    for output in result.images:
        fetched = yield from _fetched(output, ctx)
        images.append(fetched)
    video = (yield from _fetched(result.video, ctx)) if result.video is not None else None
    return task.model_copy(update={"result": result.model_copy(update={"images": images, "video": video})})


def _fetched(output: TaskOutput, ctx: CallContext) -> Flow[TaskOutput]:
    if output.b64_json is not None or output.url is None:
        return output
    response = yield from download(output.url, ctx)
    if response.status >= 400:
        expired = " (signed result URLs expire: download sooner)" if response.status in (401, 403, 404, 410) else ""
        raise api_error(response, ctx, f"downloading the result {_shown(output.url)} failed{expired}")
    mime = output.mime_type or _sniffed(response.content) or response.content_type or None
    encoded = base64.b64encode(response.content).decode("ascii")
    return output.model_copy(update={"b64_json": encoded, "mime_type": mime})


def _sniffed(content: bytes) -> str | None:
    found = sniff(content)
    return found[0] if found else None


def _shown(url: str) -> str:
    """`url` without its query string (which may hold a signature), for messages."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
