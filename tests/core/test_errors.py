"""The error tree, redaction and the status/header helpers."""

from __future__ import annotations

import email.utils

import pytest

import relaykit
from relaykit.plugin import (
    HttpResponse,
    api_error,
    error_class_for,
    parse_duration,
    parse_rate_limit,
    parse_retry_after,
)

from ..helpers import make_context


def test_every_api_error_kind_derives_from_relaykit_error() -> None:
    """Catching RelaykitError catches every error relaykit raises."""
    for name in (
        "RateLimitError",
        "QuotaExceededError",
        "ContextLengthError",
        "StreamInterruptedError",
        "ResponseFormatError",
        "ConfigurationError",
        "InvalidRequestError",
        "PluginError",
    ):
        assert issubclass(getattr(relaykit, name), relaykit.RelaykitError)


def test_invalid_request_error_is_also_a_value_error() -> None:
    """Callers catching ValueError for bad input still catch relaykit's."""
    assert issubclass(relaykit.InvalidRequestError, ValueError)


@pytest.mark.parametrize(
    ("status", "hints", "expected"),
    [
        (400, (), relaykit.BadRequestError),
        (401, (), relaykit.AuthenticationError),
        (403, (), relaykit.PermissionDeniedError),
        (404, (), relaykit.NotFoundError),
        (422, (), relaykit.BadRequestError),
        (429, (), relaykit.RateLimitError),
        (429, ("insufficient_quota",), relaykit.QuotaExceededError),
        (400, ("context_length_exceeded",), relaykit.ContextLengthError),
        (400, ("content_policy_violation",), relaykit.ContentPolicyError),
        (500, (), relaykit.ServerError),
        (502, (), relaykit.ServerError),
        (503, (), relaykit.OverloadedError),
        (529, (), relaykit.OverloadedError),
        (503, ("server_error",), relaykit.OverloadedError),
        (200, ("rate_limit_error",), relaykit.RateLimitError),
        (None, ("invalid_api_key",), relaykit.AuthenticationError),
        (None, (), relaykit.BadRequestError),
    ],
)
def test_status_and_vendor_hints_choose_the_error_class(
    status: int | None, hints: tuple[str, ...], expected: type
) -> None:
    """The status decides, strong vendor codes refine it, weak ones decide only for in-band errors."""
    assert error_class_for(status, *hints) is expected


def test_retryable_flags_follow_the_kind() -> None:
    """Rate limits, overload, server and connection errors are retryable; quota and auth are not."""
    assert relaykit.RateLimitError.retryable
    assert relaykit.OverloadedError.retryable
    assert relaykit.ServerError.retryable
    assert relaykit.APIConnectionError.retryable
    assert not relaykit.QuotaExceededError.retryable
    assert not relaykit.AuthenticationError.retryable


def test_retry_after_prefers_milliseconds_then_seconds() -> None:
    """retry-after-ms wins over retry-after, as the OpenAI SDK reads them."""
    assert parse_retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert parse_retry_after({"retry-after": "2"}) == 2.0
    assert parse_retry_after({}) is None
    assert parse_retry_after({"retry-after": "soon"}) is None


def test_retry_after_accepts_an_http_date() -> None:
    """An HTTP-date Retry-After becomes seconds from now."""
    header = email.utils.formatdate(1_000_030, usegmt=True)
    assert parse_retry_after({"retry-after": header}, now=1_000_000) == pytest.approx(30.0)


@pytest.mark.parametrize(
    ("text", "seconds"), [("12ms", 0.012), ("1s", 1.0), ("6m0s", 360.0), ("1h2m3.5s", 3723.5), ("7", 7.0)]
)
def test_rate_limit_reset_durations_parse(text: str, seconds: float) -> None:
    """OpenAI's Go-style reset durations become seconds."""
    assert parse_duration(text) == pytest.approx(seconds)


def test_rate_limit_headers_are_collected() -> None:
    """x-ratelimit-* headers become ints and seconds."""
    info = parse_rate_limit({"x-ratelimit-remaining-requests": "4999", "x-ratelimit-reset-tokens": "2ms", "other": "x"})
    assert info == {"remaining_requests": 4999, "reset_tokens": 0.002}


def test_api_error_fills_every_common_field_and_redacts_the_key() -> None:
    """An error carries provider, model, status, request id, retry-after and a redacted excerpt."""
    ctx = make_context()
    key = ctx.api_key
    assert key is not None
    response = HttpResponse(
        status=429,
        headers={"retry-after": "3", "x-request-id": "req_9", "x-ratelimit-remaining-tokens": "0"},
        content=f'{{"error": {{"message": "slow down, key {key}"}}}}'.encode(),
    )
    error = api_error(response, ctx, f"slow down, key {key}", code="rate_limit_exceeded")
    assert isinstance(error, relaykit.RateLimitError)
    assert (error.provider, error.model, error.status, error.request_id) == ("openai", "gpt-4o-mini", 429, "req_9")
    assert error.retry_after == 3.0
    assert error.rate_limit == {"remaining_tokens": 0}
    for text in (str(error), repr(error), error.body_excerpt or "", error.message):
        assert key not in text


def test_malformed_answer_names_what_is_wrong_with_a_redacted_excerpt() -> None:
    """A body a plugin cannot read: a ResponseFormatError with provider, model, status, request id."""
    ctx = make_context()
    key = ctx.api_key
    assert key is not None
    response = HttpResponse(status=200, headers={"x-request-id": "req_7"}, content=f'{{"echo": "{key}"}}'.encode())
    error = relaykit.plugin.malformed_answer(response, ctx, "no choices list")
    assert isinstance(error, relaykit.ResponseFormatError)
    assert str(error.message) == "openai answered in an unexpected shape: no choices list"
    assert (error.provider, error.model, error.status, error.request_id) == ("openai", "gpt-4o-mini", 200, "req_7")
    assert key not in (error.body_excerpt or "")
    assert relaykit.plugin.malformed_answer(response, ctx, "x", request_id="body-id").request_id == "body-id"


def test_redaction_masks_credential_shapes_in_free_text() -> None:
    """Bearer tokens, sk- keys and key=value secrets are masked in excerpts."""
    text = relaykit.plugin.redact(
        "Authorization: Bearer abcdef123456 key sk-proj-abcdefghijklmnop access_token=24.abc123def"
    )
    assert "abcdef123456" not in text
    assert "abcdefghijklmnop" not in text
    assert "24.abc123def" not in text
