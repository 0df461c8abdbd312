"""How the emulated gateway checks a signed WebSocket URL and an HTTP API bearer password.

The checks run in the gateway's order (``shared/dialects/spark.md`` section A2, whose refusal
bodies these are): the ``authorization`` parameter must be there (401 ``Unauthorized``) and parse
(401 ``HMAC signature cannot be verified``); the ``date`` must be within `max_skew` seconds of the
emulator's clock (403, "a valid date ... is required"); the APIKey must be known (401 "... fail to
retrieve credential"); and the signature, recomputed from the ``host`` and ``date`` parameters and
``GET <path> HTTP/1.1``, must match (401 ``HMAC signature does not match``). The ``host``
parameter must also name the host the request was sent to.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from collections.abc import Callable
from email.utils import parsedate_to_datetime

from relaykit.testing import RecordedRequest, Reply
from relaykit_spark._signing import signature

__all__ = ["check_password", "check_signature"]

_PARAM = re.compile(r'(\w+)="([^"]*)"')
_SKEW_MESSAGE = "HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication"


def check_signature(
    request: RecordedRequest, *, api_key: str, api_secret: str, clock: Callable[[], float], max_skew: float
) -> Reply | None:
    """None when `request`'s URL is signed right for `api_key`/`api_secret`; else the refusal."""
    authorization = _param(request, "authorization")
    if authorization is None:
        return _refusal(401, "Unauthorized")
    fields = _fields(authorization)
    if fields is None or fields.get("algorithm") != "hmac-sha256" or not fields.get("signature"):
        return _refusal(401, "HMAC signature cannot be verified")
    date = _param(request, "date") or ""
    try:
        signed_at = parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError):
        return _refusal(403, _SKEW_MESSAGE)
    if abs(clock() - signed_at) > max_skew:
        return _refusal(403, _SKEW_MESSAGE)
    if (fields.get("api_key") or fields.get("username")) != api_key:  # one-api signs `hmac username=`
        return _refusal(401, "HMAC signature cannot be verified: fail to retrieve credential")
    host = _param(request, "host") or ""
    expected = signature(api_secret, host, date, f"GET {request.path} HTTP/1.1")
    if host != request.header("host") or not hmac.compare_digest(expected, fields["signature"]):
        return _refusal(401, "HMAC signature does not match")
    return None


def check_password(request: RecordedRequest, api_password: str) -> Reply | None:
    """None when `request` carries ``Authorization: Bearer <api_password>``; else the HTTP API's 401."""
    scheme, _, value = (request.header("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), api_password):
        return None
    error = {"message": "invalid user", "type": "api_error", "param": None, "code": None}
    return Reply.json({"error": error}, status=401)


def _param(request: RecordedRequest, name: str) -> str | None:
    values = request.query.get(name)
    return values[0] if values else None


def _fields(authorization: str) -> dict[str, str] | None:
    try:
        text = base64.b64decode(authorization, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    fields = dict(_PARAM.findall(text))
    return fields if "api_key" in fields or "username" in fields else None


def _refusal(status: int, message: str) -> Reply:
    return Reply.json({"message": message}, status=status)
