"""Spark's error codes, handshake refusals and HTTP error bodies, each to its kind in the core tree."""

from __future__ import annotations

import json
from typing import Any

import pytest

import relaykit
from relaykit.plugin import HttpResponse
from relaykit_spark._errors import SPARK_CODES, handshake_error, http_error, spark_error

from ._helpers import API_SECRET, http_context, ws_context

IN_BAND = HttpResponse(status=101, headers={})


@pytest.mark.parametrize(
    ("code", "message", "kind"),
    [
        (10003, "ClientMsgError:(23:02:32.721) invalid model domain", relaykit.NotFoundError),
        (10003, "ClientMsgError: malformed message", relaykit.BadRequestError),
        (10004, "schema error", relaykit.BadRequestError),
        (10005, "invalid param model:spark-lite", relaykit.NotFoundError),
        (10005, "invalid param temperature", relaykit.BadRequestError),
        (10006, "concurrency error", relaykit.RateLimitError),
        (10007, "traffic limited", relaykit.RateLimitError),
        (10008, "service capacity insufficient", relaykit.OverloadedError),
        (10010, "Engine Busy", relaykit.OverloadedError),
        (10012, "EngineInternalError:The system is busy", relaykit.ServerError),
        (10013, "input failed moderation", relaykit.ContentPolicyError),
        (10014, "output failed moderation", relaykit.ContentPolicyError),
        (10019, "tendency toward violating content", relaykit.ContentPolicyError),
        (10015, "appid blacklisted", relaykit.PermissionDeniedError),
        (10016, "appid authorization error", relaykit.PermissionDeniedError),
        (10110, "service busy", relaykit.OverloadedError),
        (10163, "engine parameter schema check failed", relaykit.BadRequestError),
        (10907, "token count over the limit", relaykit.ContextLengthError),
        (11200, "AppIdNoAuthError", relaykit.PermissionDeniedError),
        (11200, "AppIdNoAuthError: tokens.total limit", relaykit.QuotaExceededError),
        (11201, "daily limit", relaykit.QuotaExceededError),
        (11202, "per-second limit", relaykit.RateLimitError),
        (11203, "concurrency limit", relaykit.RateLimitError),
        (10222, "engine network error", relaykit.ServerError),
        (19999, "something new", relaykit.ServerError),
    ],
)
def test_each_code_maps_to_its_error_kind(code: int, message: str, kind: type[relaykit.APIStatusError]) -> None:
    """The code table decides the class (refined by the message for 11200 and 10003/10005)."""
    error = spark_error(IN_BAND, ws_context(), code, message, sid="cht1")
    assert type(error) is kind
    assert (error.code, error.request_id, error.provider) == (str(code), "cht1", "spark")


@pytest.mark.parametrize(("code", "retryable"), [(11202, True), (11203, True), (11201, False), (10013, False)])
def test_rate_limits_retry_and_quota_and_moderation_do_not(code: int, retryable: bool) -> None:
    """11202/11203 are retryable with backoff; the daily limit and moderation are not."""
    assert spark_error(IN_BAND, ws_context(), code, "x").retryable is retryable


def test_every_documented_code_is_in_the_table() -> None:
    """The reference's code table is covered."""
    documented = {10000, 10001, 10002, 10003, 10004, 10005, 10006, 10007, 10008, 10009, 10010, 10011, 10012}
    documented |= {10013, 10014, 10015, 10016, 10017, 10019, 10021, 10022, 10110, 10163, 10222, 10907}
    documented |= {11200, 11201, 11202, 11203}
    assert documented <= set(SPARK_CODES)


def refusal(status: int, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(status=status, headers={"content-type": "application/json"}, content=json.dumps(body).encode())


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (401, "Unauthorized"),
        (401, "HMAC signature cannot be verified"),
        (401, "HMAC signature cannot be verified: fail to retrieve credential"),
        (401, "HMAC signature does not match"),
        (
            403,
            "HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication",
        ),
    ],
)
def test_handshake_refusals_are_authentication_errors(status: int, message: str) -> None:
    """Every signature refusal, and the 403 for a stale date, is AuthenticationError with the body's message."""
    error = handshake_error(refusal(status, {"message": message}), ws_context())
    assert type(error) is relaykit.AuthenticationError
    assert error.status == status
    assert message in str(error)


def test_other_handshake_refusals_map_by_status() -> None:
    """A 429 or 503 at the upgrade keeps its usual kind."""
    assert type(handshake_error(refusal(429, {"message": "busy"}), ws_context())) is relaykit.RateLimitError
    assert type(handshake_error(refusal(503, {"message": "down"}), ws_context())) is relaykit.OverloadedError


def test_a_handshake_answered_200_is_a_response_format_error() -> None:
    """A proxy that answers the upgrade with a page is not mistaken for a session."""
    answer = HttpResponse(status=200, headers={"content-type": "text/html"}, content=b"<html>hello</html>")
    assert type(handshake_error(answer, ws_context())) is relaykit.ResponseFormatError


def test_handshake_errors_never_carry_the_secret() -> None:
    """A body echoing the APISecret is redacted in the message and the excerpt."""
    error = handshake_error(refusal(401, {"message": f"bad secret {API_SECRET}"}), ws_context())
    assert API_SECRET not in str(error)
    assert API_SECRET not in (error.body_excerpt or "")


@pytest.mark.parametrize(
    ("status", "body", "kind", "sid"),
    [
        (
            500,
            {
                "error": {
                    "message": "AppIdNoAuthError (sid: cha000ae93b@dx1a057a81ad19a4b812)",
                    "type": "api_error",
                    "param": None,
                    "code": "11200",
                }
            },
            relaykit.PermissionDeniedError,
            "cha000ae93b@dx1a057a81ad19a4b812",
        ),
        (
            400,
            {
                "error": {
                    "message": "invalid param model:spark-lite (sid: cha000b6468@dx19e50e7c59ab894812)",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "10005",
                }
            },
            relaykit.NotFoundError,
            "cha000b6468@dx19e50e7c59ab894812",
        ),
        (
            200,
            {"code": 10013, "message": "input failed moderation", "sid": "cha1"},
            relaykit.ContentPolicyError,
            "cha1",
        ),
        (
            200,
            {
                "code": 10012,
                "msg": "EngineInternalError:The system is busy, please try again later.",
                "Sid": "cht000ba7f9@x",
                "timeStamp": "11:35:51.86",
            },
            relaykit.ServerError,
            "cht000ba7f9@x",
        ),
        (500, {"error": {"code": 10012, "message": "EngineInternalError"}}, relaykit.ServerError, None),
    ],
)
def test_http_errors_are_classed_by_spark_code_not_status(
    status: int, body: dict[str, Any], kind: type[relaykit.APIStatusError], sid: str | None
) -> None:
    """String or int codes, flat or nested, message or msg, sid or Sid: the code decides."""
    error = http_error(refusal(status, body), http_context())
    assert type(error) is kind
    assert error.status == status
    if sid is not None:
        assert error.request_id == sid


def test_an_http_error_without_a_spark_code_maps_like_openai() -> None:
    """The documented 401 {"error": {"message": "invalid user", "code": null}} is AuthenticationError."""
    body = {"error": {"message": "invalid user", "type": "api_error", "param": None, "code": None}}
    error = http_error(refusal(401, body), http_context())
    assert type(error) is relaykit.AuthenticationError
    assert "invalid user" in str(error)
