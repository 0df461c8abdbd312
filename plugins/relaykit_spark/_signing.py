"""The signed WebSocket URL: HMAC-SHA256 over host, date and request line, keyed with the APISecret.

Reference: ``shared/dialects/spark.md`` section A2 (iFlytek's "鉴权认证" rules, shared by its Web
APIs). Three lines are signed, joined by ``\\n`` with no trailing newline::

    host: spark-api.xf-yun.com
    date: Fri, 23 Apr 2021 02:35:47 GMT
    GET /v3.5/chat HTTP/1.1

The base64 HMAC-SHA256 of that text (keyed with the APISecret) goes into
``api_key="<APIKey>", algorithm="hmac-sha256", headers="host date request-line", signature="..."``,
whose base64 is the ``authorization`` query parameter, sent beside ``date`` and ``host``. The
server refuses a date more than 300 s off its clock (HTTP 403).

The date is the only impure input. `clock` is read once per call, through this module, so tests
replace it (``monkeypatch.setattr(relaykit_spark._signing, "clock", lambda: 1619145347.0)``) and
the flow itself stays a pure function of its inputs and that clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from email.utils import formatdate
from urllib.parse import urlsplit

__all__ = [
    "SECRET_PARAMS",
    "authorization",
    "clock",
    "current_date",
    "http_date",
    "signature",
    "signature_origin",
    "signed_params",
]

SECRET_PARAMS = frozenset({"authorization", "date", "host"})
"""The signed query parameters: masked in logs, never put in an error."""

clock: Callable[[], float] = time.time
"""Seconds since the epoch; the date the URL is signed with. Tests replace it."""


def http_date(timestamp: float) -> str:
    """`timestamp` in RFC 1123 form, GMT: ``Fri, 23 Apr 2021 02:35:47 GMT``."""
    return formatdate(timestamp, usegmt=True)


def current_date() -> str:
    """The signing date: `clock` now, in RFC 1123 form."""
    return http_date(clock())


def signature_origin(host: str, date: str, request_line: str) -> str:
    """The signed text: the ``host``, ``date`` and request-line lines (see the module docstring)."""
    return f"host: {host}\ndate: {date}\n{request_line}"


def signature(api_secret: str, host: str, date: str, request_line: str) -> str:
    """The base64 HMAC-SHA256 of the signed text, keyed with `api_secret` (44 characters)."""
    origin = signature_origin(host, date, request_line).encode("utf-8")
    digest = hmac.new(api_secret.encode("utf-8"), origin, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def authorization(api_key: str, signature_value: str) -> str:
    """The ``authorization`` query parameter for `api_key` and a computed signature."""
    origin = (
        f'api_key="{api_key}", algorithm="hmac-sha256", headers="host date request-line", signature="{signature_value}"'
    )
    return base64.b64encode(origin.encode("utf-8")).decode("ascii")


def signed_params(url: str, api_key: str, api_secret: str, date: str) -> dict[str, str]:
    """The query parameters that sign a WebSocket upgrade to `url` (``GET <path> HTTP/1.1``)."""
    parts = urlsplit(url)
    host = parts.netloc
    request_line = f"GET {parts.path or '/'} HTTP/1.1"
    value = signature(api_secret, host, date, request_line)
    return {"authorization": authorization(api_key, value), "date": date, "host": host}
