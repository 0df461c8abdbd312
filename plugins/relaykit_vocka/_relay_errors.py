"""The relays' error envelope, and the OpenAI flows relayed with it (re-exported by ``relay``).

Errors: relays answer ``{"error": {"message": "<text> (request id: <id>)", "type":
"one_api_error" | "new_api_error" | "api_error" | "upstream_error", "code": ...}}``. `relay_error`
classes them by code and message (the ``type`` differs per fork and says nothing), then falls back
to ``relaykit_openai._common.error_from`` (status table and OpenAI hints):

- quota exhausted (``该令牌额度已用尽``, ``用户额度不足``, ``insufficient_user_quota``,
  ``quota_not_enough``, ``pre_consume_token_quota_failed``) -> `QuotaExceededError`;
- no available channel (``当前分组 X 下对于模型 Y 无可用渠道``, ``get_channel_failed``) ->
  `OverloadedError`: the relay knows the model but no upstream serves it to this key right now;
  it is retryable and another deployment may serve it (the message wins over new-api's
  ``model_not_found`` code, which it sends with this message);
- model not found (``model_not_found`` without that message, ``模型不存在``) -> `NotFoundError`;
- group saturated (``上游负载已饱和``) -> `RateLimitError`; upstream unreachable (``请求上游地址失败``)
  -> `ServerError`;
- invalid / missing / expired / disabled token -> `AuthenticationError`; a token restricted to
  other models, a banned user, an IP allow-list -> `PermissionDeniedError`;
- ``upstream_error`` / ``bad_response_status_code`` with the upstream status in ``param`` -> the
  kind of that status;
- ``api_not_implemented`` (or any 501) -> `UnsupportedCapabilityError` naming the capability: the
  relay advertises the route but does not implement it (EZLink's image variations).

The ``(request id: <id>)`` suffix is stripped from the message and kept as ``request_id`` when the
answer has no request-id header. Errors inside a stream or a 200 body keep the OpenAI mapping.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Generator, Mapping
from typing import Any

from relaykit import (
    APIStatusError,
    AuthenticationError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    ResponseFormatError,
    ServerError,
    UnsupportedCapabilityError,
)
from relaykit.plugin import (
    CallContext,
    Capability,
    HttpRequest,
    HttpResponse,
    Operation,
    error_class_for,
    excerpt,
    parse_rate_limit,
    parse_retry_after,
    redact,
)
from relaykit_openai._common import error_from

__all__ = ["relay_error", "relay_flow", "strip_request_id"]

_CAPABILITY_OF: dict[Operation, Capability] = {
    Operation.CHAT: Capability.CHAT,
    Operation.COMPLETION: Capability.COMPLETIONS,
    Operation.EMBEDDING: Capability.EMBEDDINGS,
    Operation.IMAGE_GENERATE: Capability.IMAGE_GENERATE,
    Operation.IMAGE_EDIT: Capability.IMAGE_EDIT,
    Operation.IMAGE_VARIATION: Capability.IMAGE_VARIATION,
    Operation.SPEECH: Capability.SPEECH,
    Operation.TRANSCRIPTION: Capability.TRANSCRIPTION,
    Operation.TRANSLATION: Capability.TRANSLATION,
    Operation.MODERATION: Capability.MODERATION,
    Operation.MODEL_LIST: Capability.MODELS,
    Operation.MODEL_RETRIEVE: Capability.MODELS,
    Operation.MIDJOURNEY: Capability.MIDJOURNEY,
}

_QUOTA_CODES = {"insufficient_user_quota", "quota_not_enough", "insufficient_quota", "pre_consume_token_quota_failed"}
_QUOTA_TEXT = ("额度已用尽", "额度不足", "余额不足", "quota exhausted", "insufficient quota")
_NO_CHANNEL_CODES = {"get_channel_failed", "no_available_channel"}
_NO_CHANNEL_TEXT = ("无可用渠道", "no available channel")
_NOT_FOUND_TEXT = ("模型不存在", "model not found")
_SATURATED_TEXT = ("负载已饱和",)
_UPSTREAM_TEXT = ("请求上游地址失败",)
_AUTH_TEXT = ("无效的令牌", "未提供令牌", "令牌验证失败", "令牌已过期", "令牌状态不可用")
_PERMISSION_TEXT = ("无权使用模型", "已被封禁", "指定网段", "允许访问的列表")
_REQUEST_ID = re.compile(r"\s*[(（]request id: ?([^)）]+)[)）]\s*$", re.IGNORECASE)


def strip_request_id(message: str) -> tuple[str, str | None]:
    """`message` without one-api's ``(request id: <id>)`` suffix, and that id."""
    match = _REQUEST_ID.search(message)
    if match is None:
        return message, None
    return message[: match.start()], match.group(1).strip()


def relay_error(
    response: HttpResponse, ctx: CallContext, operation: Operation | None = None
) -> APIStatusError | UnsupportedCapabilityError:
    """The relaykit error for a relay's error answer (see the module docstring for the table)."""
    try:
        payload = response.json()
    except ResponseFormatError:
        payload = None
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return error_from(response, ctx, payload)
    raw_message = str(error.get("message") or error.get("type") or f"HTTP {response.status}")
    message, request_id = strip_request_id(raw_message)
    code = None if error.get("code") in ("", None) else str(error.get("code"))
    if response.status == 501 or code == "api_not_implemented":
        capability = _CAPABILITY_OF.get(operation) if operation is not None else None
        return UnsupportedCapabilityError(
            f"{ctx.provider} does not implement this endpoint: {message}",
            provider=ctx.provider,
            capability=capability.value if capability is not None else None,
        )
    cls = _classify(message, code, error, response.status)
    if cls is None:
        return error_from(response, ctx, {"error": {**error, "message": message}})
    secrets = ctx.secrets()
    return cls(
        redact(message, secrets),
        provider=ctx.provider,
        model=ctx.model,
        status=response.status,
        request_id=response.request_id or request_id,
        retry_after=parse_retry_after(response.headers),
        code=code,
        body_excerpt=excerpt(response.content, secrets),
        rate_limit=parse_rate_limit(response.headers),
    )


def _classify(message: str, code: str | None, error: Mapping[str, Any], status: int) -> type[APIStatusError] | None:
    text = message.lower()
    if code in _QUOTA_CODES or any(part in text for part in _QUOTA_TEXT):
        return QuotaExceededError
    if code in _NO_CHANNEL_CODES or any(part in text for part in _NO_CHANNEL_TEXT):
        return OverloadedError
    if code == "model_not_found" or any(part in text for part in _NOT_FOUND_TEXT):
        return NotFoundError
    if any(part in text for part in _SATURATED_TEXT):
        return RateLimitError
    if any(part in text for part in _UPSTREAM_TEXT):
        return ServerError
    if any(part in text for part in _AUTH_TEXT):
        return AuthenticationError
    if any(part in text for part in _PERMISSION_TEXT):
        return PermissionDeniedError
    if code == "bad_response_status_code" and str(error.get("param") or "").isdigit():
        return error_class_for(int(str(error["param"])))
    return None


def relay_flow(operation: Operation, inner: Callable[..., Generator[Any, Any, Any]]) -> Callable[..., Any]:
    """`inner` (an OpenAI flow) with every error status answered by `relay_error` instead."""

    @functools.wraps(inner)
    def flow(*args: Any) -> Generator[Any, Any, Any]:
        ctx: CallContext = args[-1]
        return (yield from _relayed(inner(*args), ctx, operation))

    return flow


def _relayed(flow: Generator[Any, Any, Any], ctx: CallContext, operation: Operation) -> Generator[Any, Any, Any]:
    reply: Any = None
    while True:
        try:
            effect = flow.send(reply)
        except StopIteration as stop:
            return stop.value
        reply = yield effect
        if isinstance(effect, HttpRequest) and isinstance(reply, HttpResponse) and reply.status >= 400:
            raise relay_error(reply, ctx, operation)
