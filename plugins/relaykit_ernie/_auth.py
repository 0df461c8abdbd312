"""Qianfan v1 authentication: the OAuth client-credentials exchange, as steps of a flow.

Reference: ``shared/dialects/ernie.md`` section A1.1 and gotcha 11. The application's API Key
and Secret Key are traded for an ``access_token`` at ``POST {base_url}/oauth/2.0/token
?grant_type=client_credentials&client_id=<API Key>&client_secret=<Secret Key>``; every call then
carries it as the ``access_token`` query parameter. The token is valid for ``expires_in`` seconds
(30 days).

- The token is cached in ``ctx.state`` (process-wide, so the sync and the async clients share it)
  under a hash of the kind, the base URL and both keys. A token is only good at the server that
  issued it, hence the base URL in the key.
- It is kept until `REFRESH_MARGIN` seconds (one hour, as one-api and new-api refresh) before it
  expires, or until nine tenths of its lifetime for tokens issued for less than ten hours.
- When a call answers error 110 (token invalid) or 111 (token expired), the cached token is
  dropped, a new one fetched and the call sent once more; the caller never notices. A second
  110/111 raises `AuthenticationError`.
- The keys and the token travel as query parameters marked secret: logs show ``***``, and errors
  never hold them. A refused exchange is an `AuthenticationError` saying which key was wrong
  (``unknown client id``: the API Key; ``Client authentication failed``: the Secret Key).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from relaykit import ConfigurationError
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse, api_error, log_event, state_key

from ._errors import TOKEN_ERROR_CODES, error_from, malformed, scrubbed

__all__ = [
    "REFRESH_MARGIN",
    "TOKEN_PARAM",
    "TOKEN_PATH",
    "access_token",
    "forget_token",
    "send_with_token",
    "token_ttl",
]

TOKEN_PATH = "/oauth/2.0/token"  # noqa: S105 - a URL path, not a secret
TOKEN_PARAM = "access_token"  # noqa: S105 - a parameter name, not a secret
REFRESH_MARGIN = 3600.0
"""Seconds before expiry at which a cached token is no longer used."""
DEFAULT_LIFETIME = 2_592_000.0
"""The documented lifetime (30 days), assumed when a token answer has no ``expires_in``."""

_CREDENTIAL_PARAMS = frozenset({"client_id", "client_secret"})
_REJECTED_CLIENT = {
    "unknown client id": "ERNIE rejected the API Key (unknown client id)",
    "client authentication failed": "ERNIE rejected the Secret Key (client authentication failed)",
}
_AUTH_ERRORS = {"invalid_client", "unauthorized_client", "invalid_grant"}

RequestFactory = Callable[[str], HttpRequest]
"""Builds the request to send with a given access token."""


def send_with_token(ctx: CallContext, build: RequestFactory) -> Flow[tuple[HttpResponse, str]]:
    """Send ``build(token)`` with a cached or freshly fetched token, refreshing once on 110/111.

    Returns the final response (not checked further) and the token it was sent with. The first
    110/111 answer is never returned: the token is replaced and the request sent again.
    """
    token = yield from access_token(ctx)
    response = yield build(token)
    assert response is not None, "the driver sends an HttpResponse back for every HttpRequest"
    code = _token_error(response)
    if code is None:
        return response, token
    forget_token(ctx, token)
    log_event("relaykit.token.rejected", provider=ctx.provider, model=ctx.model, code=code, action="refresh")
    token = yield from access_token(ctx)
    response = yield build(token)
    assert response is not None
    if _token_error(response) is not None:
        forget_token(ctx, token)
        raise scrubbed(error_from(response, ctx), token)
    return response, token


def access_token(ctx: CallContext) -> Flow[str]:
    """The cached access token, or a new one from the token endpoint (then cached)."""
    key = _cache_key(ctx)
    cached = ctx.state.get(key)
    if isinstance(cached, str):
        return cached
    api_key, secret_key = _credentials(ctx)
    response = yield HttpRequest(
        "POST",
        ctx.url(TOKEN_PATH),
        headers={"content-type": "application/json", "accept": "application/json"},
        params={"grant_type": "client_credentials", "client_id": api_key, "client_secret": secret_key},
        secret_params=_CREDENTIAL_PARAMS,
    )
    assert response is not None, "the driver sends an HttpResponse back for every HttpRequest"
    token, lifetime = _parse_token(response, ctx)
    ctx.state.set(key, token, ttl=token_ttl(lifetime))
    log_event("relaykit.token.fetched", provider=ctx.provider, model=ctx.model, expires_in=lifetime)
    return token


def forget_token(ctx: CallContext, token: str) -> None:
    """Drop `token` from the cache (unless another call has already replaced it)."""
    key = _cache_key(ctx)
    if ctx.state.get(key) == token:
        ctx.state.delete(key)


def token_ttl(lifetime: float) -> float:
    """How long a token valid for `lifetime` seconds is used: see `REFRESH_MARGIN`."""
    return max(lifetime - min(REFRESH_MARGIN, lifetime / 10), 0.0)


def _credentials(ctx: CallContext) -> tuple[str, str]:
    secret = getattr(ctx.settings, "secret_key", None)
    if ctx.api_key is None or secret is None:
        env = getattr(ctx.settings, "secret_key_env", None) or "an environment variable"
        raise ConfigurationError(
            f"provider {ctx.provider!r} has no Secret Key (ERNIE v1 needs the API Key and the Secret Key): "
            f"set {env}, or set providers.{ctx.provider}.secret_key_env",
            key=f"providers.{ctx.provider}.secret_key_env",
        )
    return ctx.api_key, secret.get_secret_value()


def _cache_key(ctx: CallContext) -> str:
    secret = getattr(ctx.settings, "secret_key", None)
    secret_value = secret.get_secret_value() if secret is not None else ""
    return state_key(ctx.kind, ctx.settings.base_url.rstrip("/"), ctx.api_key or "", secret_value)


def _parse_token(response: HttpResponse, ctx: CallContext) -> tuple[str, float]:
    try:
        payload: Any = json.loads(response.content)
    except ValueError as exc:
        if response.status >= 400:
            raise api_error(response, ctx, f"the token endpoint answered HTTP {response.status}") from exc
        raise malformed(response, ctx, "the token answer is not JSON") from exc
    if not isinstance(payload, dict):
        raise malformed(response, ctx, "the token answer is not a JSON object")
    token = payload.get("access_token")
    if isinstance(token, str) and token and response.status < 400:
        return token, _lifetime(payload.get("expires_in"))
    error = payload.get("error")
    if isinstance(error, str) and error:
        description = str(payload.get("error_description") or error)
        message = _REJECTED_CLIENT.get(description.lower(), f"the token exchange failed: {description}")
        status = 401 if error in _AUTH_ERRORS else max(response.status, 400)
        raise api_error(response, ctx, message, code=error, status=status)
    if response.status >= 400 or payload.get("error_code") is not None:
        raise error_from(response, ctx, payload)
    raise malformed(response, ctx, "the token answer has no access_token")


def _lifetime(value: Any) -> float:
    try:
        lifetime = float(value)
    except (TypeError, ValueError):
        return DEFAULT_LIFETIME
    return lifetime if lifetime > 0 else DEFAULT_LIFETIME


def _token_error(response: HttpResponse) -> int | None:
    """110 or 111 when the answer says the token is invalid or expired (never for an open stream)."""
    if response.streaming or not response.content.lstrip().startswith(b"{"):
        return None
    try:
        payload = json.loads(response.content)
    except ValueError:
        return None
    code = payload.get("error_code") if isinstance(payload, dict) else None
    return code if isinstance(code, int) and code in TOKEN_ERROR_CODES else None
