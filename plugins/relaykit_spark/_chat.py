"""Chat over the WebSocket API: one signed upgrade, one request frame, the answer frames.

Reference: ``shared/dialects/spark.md`` part A. The flow resolves the model to its URL and domain
(``_domains``), signs the URL (``_signing``; the date is read from `relaykit_spark._signing.clock`),
builds the frame (``_request``), and yields one `WebSocketRequest` for a fresh connection (one
question per connection: reusing one before the answer is complete gives 10007). A refused upgrade
is mapped (``_errors.handshake_error``); an accepted one is read by `SparkFrameDecoder`, streamed
(`Streaming`) or collected whole (`Collect`), since the API has no unstreamed mode. The signed
query parameters are `WebSocketRequest.secret_params`: masked in logs, never in an error.
"""

from __future__ import annotations

import json

from relaykit import ChatCompletion, ChatCompletionChunk, ChatRequest, ConfigurationError
from relaykit.plugin import CallContext, Collect, Flow, Streaming, WebSocketRequest

from . import _signing
from ._domains import endpoint_url, resolve
from ._errors import handshake_error
from ._frames import SparkFrameDecoder
from ._request import build_frame
from ._settings import SparkSettings

__all__ = ["chat"]


def chat(
    request: ChatRequest, ctx: CallContext
) -> Flow[Streaming[ChatCompletionChunk] | Collect[ChatCompletionChunk, ChatCompletion]]:
    """The chat flow: sign, send the frame, then stream or collect the answer frames."""
    settings = ctx.settings
    models = settings.models if isinstance(settings, SparkSettings) else {}
    endpoint = resolve(ctx.model, models)
    app_id, api_key, api_secret = _credentials(ctx)
    frame = build_frame(request, ctx, endpoint, app_id)
    url = endpoint_url(settings.base_url, endpoint)
    signed_at = _signing.clock()
    params = _signing.signed_params(url, api_key, api_secret, _signing.http_date(signed_at))
    response = yield WebSocketRequest(
        url,
        params=params,
        messages=[json.dumps(frame, ensure_ascii=False)],
        secret_params=_signing.SECRET_PARAMS,
    )
    assert response is not None, "the driver answers every WebSocketRequest"
    if response.status != 101:
        raise handshake_error(response, ctx)
    decoder = SparkFrameDecoder(
        ctx,
        model=endpoint.domain,
        created=int(signed_at),
        legacy_functions=bool(request.functions),
        include_usage=request.include_usage,
        handshake=response,
        stop=request.stop_list,
    )
    if request.stream:
        return Streaming(decoder)
    return Collect(decoder, decoder.assemble)


def _credentials(ctx: CallContext) -> tuple[str, str, str]:
    """APPID, APIKey and APISecret, or `ConfigurationError` naming what is missing (nothing is sent)."""
    settings = ctx.settings
    app_id = getattr(settings, "app_id", None)
    api_secret = getattr(settings, "api_secret", None)
    missing = [
        (label, env_field, getattr(settings, env_field, None))
        for label, env_field, value in (
            ("APPID", "app_id_env", app_id),
            ("APIKey", "api_key_env", settings.api_key),
            ("APISecret", "api_secret_env", api_secret),
        )
        if value is None
    ]
    if missing:
        label, env_field, env = missing[0]
        where = f"set {env}, or " if env else ""
        raise ConfigurationError(
            f"provider {ctx.provider!r} has no {label}: {where}set providers.{ctx.provider}.{env_field}",
            key=f"providers.{ctx.provider}.{env_field}",
        )
    assert app_id is not None
    assert settings.api_key is not None
    assert api_secret is not None
    return app_id.get_secret_value(), settings.api_key.get_secret_value(), api_secret.get_secret_value()
