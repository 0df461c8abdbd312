"""URL signing: HMAC-SHA256 over host, date and request line, checked against the reference's vectors."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

import relaykit_spark._signing as signing
from relaykit.plugin import WebSocketRequest
from relaykit_spark._chat import chat

from ._helpers import API_KEY, API_SECRET, PUBLISHED_DATE, PUBLISHED_TIME, chat_request, user, ws_context

# iFlytek's own documented example (a POST HTTP API signed the same way).
PUBLISHED_SIGNATURE = "1jwQbIAKmQE7JwIH0IDxiC1pejrlN+VpHXDWOFVy5NM="
PUBLISHED_AUTHORIZATION = (
    "YXBpX2tleT0iYXBpa2V5WFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFgiLCBhbGdvcml0aG09ImhtYWMtc2hhMjU2IiwgaGVhZGVycz0iaG9zdCBk"
    "YXRlIHJlcXVlc3QtbGluZSIsIHNpZ25hdHVyZT0iMWp3UWJJQUttUUU3SndJSDBJRHhpQzFwZWpybE4rVnBIWERXT0ZWeTVOTT0i"
)
# The reference's WebSocket vector (computed with the same steps, for GET /v3.5/chat).
V35_SIGNATURE = "fnaNS2DJG1mPgl9UtqMalccmPvW12yFSqWKCI6J2+hs="
V35_URL = (
    "wss://spark-api.xf-yun.com/v3.5/chat?authorization=YXBpX2tleT0iYXBpa2V5WFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFgiLCBh"
    "bGdvcml0aG09ImhtYWMtc2hhMjU2IiwgaGVhZGVycz0iaG9zdCBkYXRlIHJlcXVlc3QtbGluZSIsIHNpZ25hdHVyZT0iZm5hTlMyREpHMW1QZ2w5"
    "VXRxTWFsY2NtUHZXMTJ5RlNxV0tDSTZKMitocz0i&date=Fri%2C+23+Apr+2021+02%3A35%3A47+GMT&host=spark-api.xf-yun.com"
)


def test_published_vector_signature_and_authorization_match_exactly() -> None:
    """iFlytek's documented example: the signature and the authorization parameter, byte for byte."""
    value = signing.signature(API_SECRET, "api.xf-yun.com", PUBLISHED_DATE, "POST /v1/private/s782b4996 HTTP/1.1")
    assert value == PUBLISHED_SIGNATURE
    assert signing.authorization(API_KEY, value) == PUBLISHED_AUTHORIZATION


def test_signature_origin_is_three_lines_without_a_trailing_newline() -> None:
    """host, date and the request line, joined by \\n, one space after each colon."""
    origin = signing.signature_origin("spark-api.xf-yun.com", PUBLISHED_DATE, "GET /v3.5/chat HTTP/1.1")
    assert origin == "host: spark-api.xf-yun.com\ndate: Fri, 23 Apr 2021 02:35:47 GMT\nGET /v3.5/chat HTTP/1.1"


def test_websocket_vector_gives_the_reference_url() -> None:
    """The signed v3.5 URL, encoded form-style, equals the reference's URL exactly."""
    url = "wss://spark-api.xf-yun.com/v3.5/chat"
    params = signing.signed_params(url, API_KEY, API_SECRET, PUBLISHED_DATE)
    assert signing.signature(API_SECRET, "spark-api.xf-yun.com", PUBLISHED_DATE, "GET /v3.5/chat HTTP/1.1") == (
        V35_SIGNATURE
    )
    assert f"{url}?{urlencode(params)}" == V35_URL


def test_signature_is_44_base64_characters() -> None:
    """A SHA-256 digest in standard base64 is 44 characters ending in '='."""
    value = signing.signature("secret", "h", PUBLISHED_DATE, "GET / HTTP/1.1")
    assert len(value) == 44
    assert value.endswith("=")


def test_http_date_is_rfc_1123_in_gmt() -> None:
    """The date is RFC 1123, GMT, whatever the local time zone."""
    assert signing.http_date(PUBLISHED_TIME) == PUBLISHED_DATE


def test_host_keeps_the_port_and_the_request_line_the_path() -> None:
    """An emulator URL signs host:port and GET <path>."""
    params = signing.signed_params("ws://127.0.0.1:8765/chat/max-32k", API_KEY, API_SECRET, PUBLISHED_DATE)
    assert params["host"] == "127.0.0.1:8765"
    expected = signing.signature(API_SECRET, "127.0.0.1:8765", PUBLISHED_DATE, "GET /chat/max-32k HTTP/1.1")
    assert signing.authorization(API_KEY, expected) == params["authorization"]


def test_the_flow_signs_with_the_module_clock_and_marks_the_parameters_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """The flow's WebSocketRequest carries the reference URL's parameters; all three are secret."""
    monkeypatch.setattr(signing, "clock", lambda: PUBLISHED_TIME)
    flow = chat(chat_request(user("你好")), ws_context("spark-max"))
    effect = next(flow)
    assert isinstance(effect, WebSocketRequest)
    assert f"{effect.url}?{urlencode(dict(effect.params or {}))}" == V35_URL
    assert effect.secret_params == frozenset({"authorization", "date", "host"})
    assert json.loads(effect.messages[0])["parameter"]["chat"]["domain"] == "generalv3.5"
    assert dict(effect.params or {})["authorization"] not in repr(effect)
