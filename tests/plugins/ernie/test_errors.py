"""ERNIE error answers into the core error tree: v1 codes inside HTTP 200s, v2 envelopes and flat bodies."""

from __future__ import annotations

from typing import Any

import pytest

import relaykit
from relaykit.plugin import run_to_completion
from relaykit_ernie._chat import chat
from relaykit_ernie._errors import ERROR_CODES, error_from, json_object
from relaykit_ernie._qianfan import chat as qianfan_chat

from ._helpers import chat_request, error_body, json_response, make_context, qianfan_context, token_response


def _raise(body: Any, status: int = 200, **headers: str) -> relaykit.APIError:
    with pytest.raises(relaykit.APIError) as caught:
        json_object(json_response(body, status, **headers), make_context())
    return caught.value


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (1, relaykit.ServerError),
        (2, relaykit.OverloadedError),
        (3, relaykit.NotFoundError),
        (4, relaykit.RateLimitError),
        (6, relaykit.PermissionDeniedError),
        (13, relaykit.AuthenticationError),
        (14, relaykit.AuthenticationError),
        (15, relaykit.ServerError),
        (17, relaykit.QuotaExceededError),
        (18, relaykit.RateLimitError),
        (19, relaykit.QuotaExceededError),
        (100, relaykit.AuthenticationError),
        (110, relaykit.AuthenticationError),
        (111, relaykit.AuthenticationError),
        (336000, relaykit.ServerError),
        (336001, relaykit.BadRequestError),
        (336002, relaykit.BadRequestError),
        (336003, relaykit.BadRequestError),
        (336004, relaykit.PermissionDeniedError),
        (336005, relaykit.NotFoundError),
        (336006, relaykit.BadRequestError),
        (336100, relaykit.OverloadedError),
        (336104, relaykit.BadRequestError),
        (336501, relaykit.RateLimitError),
        (336502, relaykit.RateLimitError),
    ],
)
def test_error_codes_in_a_200_map_to_their_kind(code: int, kind: type[relaykit.APIError]) -> None:
    """Each code of the reference's table becomes its error class; the status stays 200."""
    error = _raise(error_body(code, "message"))
    assert type(error) is kind
    assert error.status == 200
    assert error.code == str(code)
    assert error.provider == "ernie"


def test_table_covers_every_code_of_the_reference() -> None:
    """The module's table is the reference's (A5)."""
    documented = {1, 2, 3, 4, 6, 13, 14, 15, 17, 18, 19, 100, 110, 111}
    documented |= {336000, 336001, 336002, 336003, 336004, 336005, 336006, 336100, 336101, 336104, 336105}
    assert documented | {336501, 336502} == set(ERROR_CODES)


def test_rate_limit_is_retryable_and_quota_is_not() -> None:
    """QPS limits may be retried; an exhausted daily quota may not."""
    assert _raise(error_body(18)).retryable
    assert not _raise(error_body(17)).retryable


def test_message_and_request_id_come_from_the_body() -> None:
    """error_msg is the message; the body's id is the request id when no header carries one."""
    error = _raise(error_body(336003, "message content can not be empty"))
    assert error.message == "message content can not be empty"
    assert error.request_id == "as-err0000001"
    assert _raise(error_body(18), **{"x-baidu-request-id": "hdr-1"}).request_id == "hdr-1"


def test_rate_limit_headers_are_parsed() -> None:
    """Baidu's X-Ratelimit-* headers reach error.rate_limit."""
    error = _raise(error_body(336501), **{"x-ratelimit-remaining-requests": "0", "x-ratelimit-limit-requests": "300"})
    assert error.rate_limit == {"remaining_requests": 0, "limit_requests": 300}


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("the max length of current question is 2000", relaykit.ContextLengthError),
        ("prompt tokens too long", relaykit.ContextLengthError),
        ("输入内容过长", relaykit.ContextLengthError),
        ("the content is unsafe", relaykit.ContentPolicyError),
        ("输入内容包含敏感信息", relaykit.ContentPolicyError),
        ("the length of messages must be an odd number", relaykit.BadRequestError),
    ],
)
def test_parameter_errors_are_refined_by_their_message(message: str, kind: type[relaykit.APIError]) -> None:
    """Length and safety problems reported as parameter errors get the precise kind."""
    assert type(_raise(error_body(336003, message))) is kind


def test_unknown_code_in_a_200_is_a_bad_request_and_in_an_error_status_follows_it() -> None:
    """Codes outside the table: BadRequestError in a 200, the status's kind otherwise."""
    assert type(_raise(error_body(336999, "new"))) is relaykit.BadRequestError
    assert type(_raise(error_body(999, "new"), status=503)) is relaykit.OverloadedError


def test_known_code_wins_over_the_http_status() -> None:
    """A QPS error sent with HTTP 500 is still a rate limit."""
    assert type(_raise(error_body(18), status=500)) is relaykit.RateLimitError


def test_html_error_page_is_mapped_by_status() -> None:
    """An upstream HTML page with an error status is that status's error (one-api #623)."""
    assert type(_raise(b"<html>502 Bad Gateway</html>", status=502)) is relaykit.ServerError


def test_html_page_in_a_200_is_a_response_format_error() -> None:
    """A 200 that is not JSON cannot be read."""
    error = _raise(b"<html>maintenance</html>")
    assert type(error) is relaykit.ResponseFormatError
    assert error.body_excerpt == "<html>maintenance</html>"


def test_error_code_zero_is_not_an_error() -> None:
    """Some gateways add error_code 0 to successful answers."""
    assert json_object(json_response({"error_code": 0, "result": "好"}), make_context())["result"] == "好"


def test_error_from_without_payload_parses_the_body() -> None:
    """error_from reads the body itself when not given the payload."""
    assert isinstance(error_from(json_response(error_body(111)), make_context()), relaykit.AuthenticationError)


def test_chat_flow_raises_the_mapped_error() -> None:
    """An error answer to the chat request raises from the flow."""
    with pytest.raises(relaykit.QuotaExceededError):
        run_to_completion(
            chat(chat_request(), make_context()),
            [token_response(), json_response(error_body(17, "Open api daily request limit reached"))],
        )


def _qianfan_raise(body: Any, status: int = 200) -> relaykit.APIError:
    with pytest.raises(relaykit.APIError) as caught:
        run_to_completion(qianfan_chat(chat_request(), qianfan_context()), [json_response(body, status)])
    return caught.value


@pytest.mark.parametrize(
    ("status", "error", "kind"),
    [
        (
            400,
            {"code": "malformed_json", "message": "Invalid Argument", "type": "invalid_request_error"},
            relaykit.BadRequestError,
        ),
        (
            400,
            {"code": "tokens_too_long", "message": "Prompt tokens too long", "type": "invalid_request_error"},
            relaykit.ContextLengthError,
        ),
        (
            400,
            {
                "code": "characters_too_long",
                "message": "the max input characters is 20000",
                "type": "invalid_request_error",
            },
            relaykit.ContextLengthError,
        ),
        (
            400,
            {"code": "image_url_unsafe", "message": "unsafe image", "type": "unsafe_request"},
            relaykit.ContentPolicyError,
        ),
        (
            401,
            {"code": "no_parameter_permission", "message": "no permission", "type": "access_denied"},
            relaykit.PermissionDeniedError,
        ),
        (
            401,
            {"code": "invalid_model", "message": "no permission for the model", "type": "invalid_request_error"},
            relaykit.AuthenticationError,
        ),
        (
            429,
            {"code": "rpm_rate_limit_exceeded", "message": "Rate limit reached for RPM", "type": ""},
            relaykit.RateLimitError,
        ),
        (
            200,
            {"code": "tpm_rate_limit_exceeded", "message": "Rate limit reached for TPM", "type": ""},
            relaykit.RateLimitError,
        ),
        (500, {"code": "internal_error", "message": "boom", "type": "server_error"}, relaykit.ServerError),
    ],
)
def test_qianfan_error_envelopes_map_to_their_kind(
    status: int, error: dict[str, str], kind: type[relaykit.APIError]
) -> None:
    """v2's {"error": {...}, "id"} by code, type and status; the body id is the request id."""
    raised = _qianfan_raise({"error": error, "id": "as-t2z8xi6mm8"}, status)
    assert type(raised) is kind
    assert raised.request_id == "as-t2z8xi6mm8"
    assert raised.code == error["code"]


def test_qianfan_flat_rate_limit_body_in_a_200_is_a_rate_limit_error() -> None:
    """Baidu's rate-limit page shows {"code", "msg"} with HTTP 200."""
    raised = _qianfan_raise({"code": "rpm_rate_limit_exceeded", "msg": "Rate limit reached for RPM"})
    assert type(raised) is relaykit.RateLimitError
    assert raised.message == "Rate limit reached for RPM"
    assert raised.status == 200


def test_qianfan_errors_never_show_the_bearer_key() -> None:
    """The bce-v3 key echoed in a body is masked."""
    key = qianfan_context().api_key or ""
    raised = _qianfan_raise({"error": {"code": "x", "message": f"bad key {key}", "type": "t"}}, 401)
    assert key not in str(raised)
    assert key not in (raised.body_excerpt or "")
