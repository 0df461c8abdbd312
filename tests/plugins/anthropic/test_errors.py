"""Anthropic error envelopes -> relaykit's error tree, with Retry-After, rate limits and request ids."""

from __future__ import annotations

from typing import Any

import pytest

import relaykit
from relaykit.plugin import HttpResponse, run_to_completion
from relaykit_anthropic._chat import chat
from relaykit_anthropic._errors import error_from, rate_limit

from ._helpers import KEY, chat_request, json_response, make_context


def _envelope(error_type: str, message: str, request_id: str | None = "req_011err") -> dict[str, Any]:
    body: dict[str, Any] = {"type": "error", "error": {"type": error_type, "message": message}}
    if request_id:
        body["request_id"] = request_id
    return body


@pytest.mark.parametrize(
    ("status", "error_type", "error_class"),
    [
        (400, "invalid_request_error", relaykit.BadRequestError),
        (401, "authentication_error", relaykit.AuthenticationError),
        (403, "permission_error", relaykit.PermissionDeniedError),
        (404, "not_found_error", relaykit.NotFoundError),
        (413, "request_too_large", relaykit.BadRequestError),
        (429, "rate_limit_error", relaykit.RateLimitError),
        (500, "api_error", relaykit.ServerError),
        (529, "overloaded_error", relaykit.OverloadedError),
        (504, "timeout_error", relaykit.ServerError),
        (402, "billing_error", relaykit.QuotaExceededError),
    ],
)
def test_every_documented_error_type_maps_to_its_class(
    status: int, error_type: str, error_class: type[relaykit.APIStatusError]
) -> None:
    """Each error type of the reference becomes the right relaykit error, keeping type and message."""
    error = error_from(json_response(status, _envelope(error_type, "boom")), make_context())
    assert type(error) is error_class
    assert (error.status, error.code, error.message) == (status, error_type, "boom")
    assert (error.provider, error.model) == ("anthropic", "claude-sonnet-4-5")


def test_529_is_overloaded_and_retryable_whatever_the_body() -> None:
    """Any 529 is OverloadedError (generic clients mistake it for an unknown status)."""
    error = error_from(HttpResponse(529, {"content-type": "text/plain"}, b"Overloaded"), make_context())
    assert isinstance(error, relaykit.OverloadedError)
    assert error.retryable


def test_error_type_wins_over_a_gateway_status() -> None:
    """A gateway answering 500 with overloaded_error is still OverloadedError."""
    error = error_from(json_response(500, _envelope("overloaded_error", "Overloaded")), make_context())
    assert isinstance(error, relaykit.OverloadedError)


def test_prompt_too_long_is_a_context_length_error() -> None:
    """A 400 saying the prompt is too long is ContextLengthError (the router moves on)."""
    message = "prompt is too long: 208310 tokens > 200000 maximum"
    error = error_from(json_response(400, _envelope("invalid_request_error", message)), make_context())
    assert isinstance(error, relaykit.ContextLengthError)
    other = "input length and `max_tokens` exceed context limit: 197491 + 8192 > 200000"
    assert isinstance(
        error_from(json_response(400, _envelope("invalid_request_error", other)), make_context()),
        relaykit.ContextLengthError,
    )


def test_content_filtering_block_is_a_content_policy_error() -> None:
    """A 400 saying the output was blocked by content filtering is ContentPolicyError."""
    body = _envelope("invalid_request_error", "Output blocked by content filtering policy")
    assert isinstance(error_from(json_response(400, body), make_context()), relaykit.ContentPolicyError)


def test_retry_after_and_rate_limit_headers_are_read() -> None:
    """retry-after is honoured; anthropic-ratelimit-* headers become rate_limit with resets in seconds."""
    headers = {
        "retry-after": "12",
        "date": "Tue, 17 Feb 2026 23:44:10 GMT",
        "anthropic-ratelimit-requests-limit": "50",
        "anthropic-ratelimit-requests-remaining": "0",
        "anthropic-ratelimit-requests-reset": "2026-02-17T23:44:22Z",
        "anthropic-ratelimit-input-tokens-remaining": "1999000",
        "request-id": "req_011hdr",
    }
    error = error_from(json_response(429, _envelope("rate_limit_error", "Rate limited"), **headers), make_context())
    assert isinstance(error, relaykit.RateLimitError)
    assert error.retry_after == 12.0
    assert error.request_id == "req_011hdr"
    assert error.rate_limit == {
        "limit_requests": 50,
        "remaining_requests": 0,
        "reset_requests": 12.0,
        "remaining_input_tokens": 1999000,
    }


def test_rate_limit_resets_without_a_date_use_the_given_clock() -> None:
    """A reset timestamp is measured from `now` when the answer has no date header."""
    info = rate_limit({"anthropic-ratelimit-tokens-reset": "2026-01-01T00:01:00Z"}, now=1767225600.0)
    assert info == {"reset_tokens": 60.0}


def test_request_id_falls_back_to_the_body_and_x_should_retry_is_honoured() -> None:
    """Without a request-id header the body's request_id is used; x-should-retry: false wins."""
    response = json_response(500, _envelope("api_error", "Internal error"), **{"x-should-retry": "false"})
    error = error_from(response, make_context())
    assert error.request_id == "req_011err"
    assert isinstance(error, relaykit.ServerError)
    assert error.retryable is False


def test_cloudflare_413_without_an_envelope_is_a_bad_request() -> None:
    """An HTML 413 from Cloudflare still becomes BadRequestError saying the request was too large."""
    page = HttpResponse(413, {"content-type": "text/html"}, b"<html>413 Request Entity Too Large</html>")
    error = error_from(page, make_context())
    assert isinstance(error, relaykit.BadRequestError)
    assert "too large" in error.message
    assert error.body_excerpt == "<html>413 Request Entity Too Large</html>"


def test_secrets_never_reach_the_error() -> None:
    """A body echoing the key is redacted in the message and the excerpt."""
    body = _envelope("authentication_error", f"invalid x-api-key {KEY}")
    error = error_from(json_response(401, body), make_context())
    assert KEY not in str(error)
    assert KEY not in (error.body_excerpt or "")
    assert KEY not in repr(error)


def test_flow_raises_the_mapped_error_for_a_failed_answer() -> None:
    """The chat flow raises NotFoundError for an unknown model, with Claude's message."""
    body = _envelope("not_found_error", "model: claude-does-not-exist")
    with pytest.raises(relaykit.NotFoundError, match="claude-does-not-exist"):
        run_to_completion(chat(chat_request(), make_context()), [json_response(404, body)])
