"""BFL's error answers to relaykit's errors: FastAPI's detail, BFL's guide envelope, EZLink's OpenAI-like one."""

from __future__ import annotations

from typing import Any

import pytest

import relaykit
from relaykit import MediaGenerateRequest
from relaykit.plugin import HttpResponse
from relaykit_flux._common import error_from
from relaykit_flux._submit import generate

from ._helpers import KEY, context, drive, json_answer, request

_VALIDATION = {"detail": [{"loc": ["body", "width"], "msg": "Input should be a multiple of 32", "type": "value_error"}]}
_GUIDE_400 = {
    "error": "validation_error",
    "message": "Invalid request parameters",
    "details": {"width": "Must be a multiple of 16", "prompt": "Cannot be empty"},
}
CASES: list[tuple[int, Any, dict[str, str], type[relaykit.APIStatusError], str | None, str]] = [
    (401, {"detail": "Invalid API key"}, {}, relaykit.AuthenticationError, None, "Invalid API key"),
    (403, {"detail": "Not authenticated"}, {}, relaykit.AuthenticationError, None, "Not authenticated"),
    (402, {"detail": "Insufficient credits"}, {}, relaykit.QuotaExceededError, None, "Insufficient credits"),
    (
        402,
        {"error": "insufficient_credits", "message": "Your account does not have enough credits"},
        {},
        relaykit.QuotaExceededError,
        "insufficient_credits",
        "Your account does not have enough credits",
    ),
    (422, _VALIDATION, {}, relaykit.BadRequestError, None, "width: Input should be a multiple of 32"),
    (
        400,
        _GUIDE_400,
        {},
        relaykit.BadRequestError,
        "validation_error",
        "Invalid request parameters (width: Must be a multiple of 16; prompt: Cannot be empty)",
    ),
    (
        429,
        {"detail": "Too many active tasks"},
        {"retry-after": "7"},
        relaykit.RateLimitError,
        None,
        "Too many active tasks",
    ),
    (500, "Internal Server Error", {"content-type": "text/plain"}, relaykit.ServerError, None, "Internal Server Error"),
    (503, {"detail": "Service Unavailable"}, {}, relaykit.OverloadedError, None, "Service Unavailable"),
    (
        500,
        {"error": {"message": "upstream error", "type": "api_error", "param": "", "code": "do_request_failed"}},
        {},
        relaykit.ServerError,
        "do_request_failed",
        "upstream error",
    ),
]


def _response(status: int, body: Any, headers: dict[str, str]) -> HttpResponse:
    if isinstance(body, str):
        return HttpResponse(status, headers, body.encode())
    return json_answer(body, status=status, headers=headers)


@pytest.mark.parametrize("case", CASES, ids=[f"{case[0]}-{case[3].__name__}" for case in CASES])
def test_error_answers_map_to_their_kind(case: tuple[Any, ...]) -> None:
    """The class follows BFL's meaning of the status; the message and code come from whichever envelope."""
    status, body, headers, error, code, message = case
    mapped = error_from(_response(status, body, headers), context())
    assert type(mapped) is error
    assert (mapped.status, mapped.code, mapped.message, mapped.provider) == (status, code, message, "flux")


def test_a_429_body_retry_after_is_honoured_when_no_header_says() -> None:
    """BFL's guide puts retry_after in the body; it becomes error.retry_after."""
    limited = json_answer(
        {"error": "rate_limit_exceeded", "message": "Too many concurrent requests", "retry_after": 5}, status=429
    )
    mapped = error_from(limited, context())
    assert (type(mapped), mapped.retry_after, mapped.code) == (relaykit.RateLimitError, 5.0, "rate_limit_exceeded")


def test_a_submit_error_is_raised_from_the_flow() -> None:
    """A 402 on submit raises QuotaExceededError: the router moves on rather than retrying."""
    req = request(MediaGenerateRequest, prompt="a fox")
    with pytest.raises(relaykit.QuotaExceededError) as caught:
        drive(generate(req, context()), [json_answer({"detail": "Insufficient credits"}, status=402)])
    assert not caught.value.retryable


def test_the_key_never_appears_in_an_error() -> None:
    """A body that echoes the key is redacted in the message and the excerpt."""
    mapped = error_from(json_answer({"detail": f"Invalid API key {KEY}"}, status=401), context())
    assert KEY not in str(mapped)
    assert KEY not in (mapped.body_excerpt or "")
    assert KEY not in repr(context())
