"""EZLink's file upload: ``POST /v1/files`` (multipart ``file`` + ``purpose``).

Reference: ``shared/dialects/relays.md`` §1.2 and §3. Not OpenAI's Files API: the upload is kept in
object storage and the answer gives its URL (``file.store_url``), to pass as an image input of
Midjourney, Flux or video calls; there is no retrieval or deletion by id. Success::

    {"message": "File uploaded successfully", "success": true,
     "file": {"id": 17, "bytes": 123456, "store_url": "https://...", "purpose": "vision",
              "file_name": "cat.png", "creat_time": 1731000000, ...}}

Failure: ``{"success": false, "message": "..."}`` with 400 or 500, or the one-api envelope.
"""

from __future__ import annotations

from typing import Any

from relaykit import FileObject, FileUploadRequest
from relaykit.plugin import CallContext, FilePart, Flow, HttpRequest, HttpResponse, Operation, api_error
from relaykit_openai._common import headers, json_body, malformed, parse_model
from relaykit_vocka._relay_errors import relay_error

__all__ = ["file_upload"]

_KNOWN = {"id", "bytes", "store_url", "purpose", "file_name", "creat_time"}


def file_upload(request: FileUploadRequest, ctx: CallContext) -> Flow[FileObject]:
    """Upload the file; the answer's storage URL becomes `FileObject.url`."""
    upload = request.file
    response = yield HttpRequest(
        "POST",
        ctx.url("/files"),
        headers=headers(ctx, json_body=False),
        data={"purpose": request.purpose, **{k: str(v) for k, v in ctx.options.items()}},
        files=[FilePart("file", upload.filename, upload.content, upload.content_type)],
    )
    assert response is not None
    if response.status >= 400:
        raise _failure(response, ctx)
    payload = json_body(response, ctx)
    if payload.get("success") is False:
        raise _failure(response, ctx, payload)
    stored = payload.get("file")
    if not isinstance(stored, dict) or stored.get("id") is None:
        raise malformed(response, ctx, "no file object in the answer")
    data: dict[str, Any] = {
        "id": str(stored["id"]),
        "filename": stored.get("file_name"),
        "bytes": stored.get("bytes"),
        "purpose": stored.get("purpose"),
        "url": stored.get("store_url"),
        "created_at": stored.get("creat_time"),
        "provider": ctx.provider,
        "vendor_data": {k: v for k, v in stored.items() if k not in _KNOWN},
    }
    return parse_model(FileObject, data, response, ctx)


def _failure(response: HttpResponse, ctx: CallContext, payload: Any = None) -> Exception:
    if payload is None:
        try:
            payload = response.json()
        except ValueError:
            payload = None
    if isinstance(payload, dict) and payload.get("success") is False:
        status = max(response.status, 400)
        return api_error(response, ctx, str(payload.get("message") or "the upload failed"), status=status)
    return relay_error(response, ctx, Operation.FILE_UPLOAD)
