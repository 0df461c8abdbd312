"""The one-api / new-api error envelopes of the relays, mapped onto the core error tree."""

from __future__ import annotations

import json
from typing import Any

import pytest

import relaykit
from relaykit.plugin import CallContext, HttpResponse, Operation, run_to_completion
from relaykit_vocka._flows import chat, image_variation
from relaykit_vocka.relay import RelaySettings, relay_error, strip_request_id


def _ctx() -> CallContext:
    settings = RelaySettings(base_url="https://relay.test/v1", api_key="sk-relaysecret123456")
    return CallContext(provider="vocka", kind="vocka", model="gpt-4o", settings=settings)


def _answer(status: int, error: dict[str, Any], headers: dict[str, str] | None = None) -> HttpResponse:
    body = json.dumps({"error": error}, ensure_ascii=False).encode()
    return HttpResponse(status=status, headers={"content-type": "application/json", **(headers or {})}, content=body)


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        (
            403,
            {"message": "该令牌额度已用尽 (request id: 2024abc)", "type": "one_api_error"},
            relaykit.QuotaExceededError,
        ),
        (
            403,
            {"message": "用户额度不足", "type": "new_api_error", "code": "insufficient_user_quota"},
            relaykit.QuotaExceededError,
        ),
        (
            503,
            {"message": "当前分组 default 下对于模型 gpt-5 无可用渠道", "type": "one_api_error"},
            relaykit.OverloadedError,
        ),
        (
            503,
            {"message": "当前分组 vip 下对于模型 x 无可用渠道", "type": "new_api_error", "code": "model_not_found"},
            relaykit.OverloadedError,
        ),
        (
            503,
            {"message": "get channel failed", "type": "new_api_error", "code": "get_channel_failed"},
            relaykit.OverloadedError,
        ),
        (
            400,
            {"message": "model gpt-9 does not exist", "type": "api_error", "code": "model_not_found"},
            relaykit.NotFoundError,
        ),
        (429, {"message": "当前分组上游负载已饱和，请稍后再试", "type": "new_api_error"}, relaykit.RateLimitError),
        (500, {"message": "请求上游地址失败", "type": "one_api_error"}, relaykit.ServerError),
        (401, {"message": "无效的令牌", "type": "one_api_error"}, relaykit.AuthenticationError),
        (403, {"message": "该令牌无权使用模型：gpt-4", "type": "one_api_error"}, relaykit.PermissionDeniedError),
        (
            500,
            {"message": "bad response", "type": "upstream_error", "code": "bad_response_status_code", "param": "429"},
            relaykit.RateLimitError,
        ),
        (
            400,
            {"message": "This model's maximum context length is 4097 tokens", "code": "context_length_exceeded"},
            relaykit.ContextLengthError,
        ),
        (
            404,
            {"message": "Invalid URL (POST /v1/xyz)", "type": "invalid_request_error", "code": ""},
            relaykit.NotFoundError,
        ),
    ],
)
def test_one_api_envelopes_map_to_their_kind(status: int, error: dict[str, Any], expected: type[Exception]) -> None:
    """Each documented relay error lands on its relaykit kind, whatever the fork's `type`."""
    exc = relay_error(_answer(status, error), _ctx())
    assert type(exc) is expected


def test_request_id_suffix_is_stripped_and_kept() -> None:
    """The `(request id: ...)` suffix leaves the message and becomes the request id."""
    exc = relay_error(_answer(403, {"message": "该令牌额度已用尽 (request id: 20240101abc)"}), _ctx())
    assert isinstance(exc, relaykit.QuotaExceededError)
    assert "request id" not in str(exc.args[0])
    assert exc.request_id == "20240101abc"
    assert strip_request_id("plain") == ("plain", None)


def test_not_implemented_route_is_an_unsupported_capability() -> None:
    """A 501 `api_not_implemented` (EZLink's image variations) names the capability."""
    response = _answer(501, {"message": "API not implemented", "type": "one_api_error", "code": "api_not_implemented"})
    exc = relay_error(response, _ctx(), Operation.IMAGE_VARIATION)
    assert isinstance(exc, relaykit.UnsupportedCapabilityError)
    assert exc.capability == "images.variation"


def test_relayed_flow_raises_the_relay_error() -> None:
    """A relayed OpenAI flow raises the relay mapping, not the status table's guess."""
    request = relaykit.ChatRequest(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(relaykit.QuotaExceededError):
        run_to_completion(chat(request, _ctx()), [_answer(403, {"message": "该令牌额度已用尽"})])


def test_relayed_flow_passes_successful_answers_through() -> None:
    """A 200 answer reaches the OpenAI parser unchanged."""
    request = relaykit.ChatRequest(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    payload = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "hello"}, "finish_reason": "stop"}],
    }
    answer = HttpResponse(
        status=200, headers={"content-type": "application/json"}, content=json.dumps(payload).encode()
    )
    assert run_to_completion(chat(request, _ctx()), [answer]).text == "hello"


def test_secrets_never_reach_the_error() -> None:
    """The key in a relay's message is redacted."""
    exc = relay_error(_answer(401, {"message": "无效的令牌 sk-relaysecret123456"}), _ctx())
    assert "relaysecret" not in str(exc)
    assert image_variation.__name__ == "variation"
