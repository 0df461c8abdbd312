"""iFlytek Spark (讯飞星火): the signed WebSocket API and the OpenAI-style HTTP API.

Two provider kinds, because the two APIs differ in credentials, host, protocol and features:

- ``spark``: the WebSocket API (``wss://spark-api.xf-yun.com/<version path>``), V1.5 / Lite
  through 4.0 Ultra. The URL is signed with the APIKey and APISecret (``_signing``), one JSON
  request frame carries the APPID and the conversation (``_request``), and the answer frames are
  streamed as chunks or collected into one completion (``_frames``). Errors arrive as
  ``header.code`` in a frame, or as a refused upgrade (``_errors``).
- ``spark-http``: the HTTP API (``https://spark-api-open.xf-yun.com/v1/chat/completions``), bearer
  APIPassword, spoken through the OpenAI dialect's public modules plus Spark's quirks (``_http``).

Switching between them is a configuration change (``kind = "spark"`` or ``"spark-http"``); the
normalized request, answer, tool calls and errors are the same. Reference:
``shared/dialects/spark.md``; decisions in ``docs/providers/spark.md``.
"""

from __future__ import annotations

from collections.abc import Callable

from relaykit.hookspecs import hookimpl
from relaykit.plugin import Capability, Operation, ProviderSpec

from ._domains import ENDPOINTS, SparkEndpoint, canonical
from ._settings import SparkHTTPSettings, SparkSettings

__all__ = ["SPARK", "SPARK_HTTP", "SparkEndpoint", "SparkHTTPSettings", "SparkSettings", "register_providers"]

_BASE = frozenset({Capability.CHAT, Capability.CHAT_STREAM})
_HTTP_TOOLS = frozenset({"generalv3.5", "max-32k", "4.0Ultra"})  # "only 4.0 Ultra and Max", the HTTP doc says


def _websocket_capabilities(model: str) -> frozenset[Capability] | None:
    """Function calling only on the versions that do it; names outside the table are not narrowed."""
    domain = canonical(model)
    if domain is None:
        return None
    return _BASE | {Capability.TOOLS} if ENDPOINTS[domain].functions else _BASE


def _http_capabilities(model: str) -> frozenset[Capability] | None:
    domain = canonical(model)
    if domain is None:
        return None
    extra = {Capability.TOOLS, Capability.JSON_OBJECT} if domain in _HTTP_TOOLS else {Capability.JSON_OBJECT}
    return _BASE | extra


SPARK = ProviderSpec(
    name="spark",
    description="iFlytek Spark over its signed WebSocket API (Lite, Pro, Max, 4.0 Ultra...): chat",
    capabilities=_BASE | {Capability.TOOLS},
    operations={Operation.CHAT: "relaykit_spark._chat:chat"},
    settings_model=SparkSettings,
    default_base_url="wss://spark-api.xf-yun.com",
    default_api_key_env="SPARK_API_KEY",
    model_capabilities=_websocket_capabilities,
    emulator="relaykit_spark.emulator:SparkEmulator",
)

SPARK_HTTP = ProviderSpec(
    name="spark-http",
    description="iFlytek Spark over its OpenAI-style HTTP API (APIPassword): chat",
    capabilities=_BASE | {Capability.TOOLS, Capability.JSON_OBJECT},
    operations={Operation.CHAT: "relaykit_spark._http:chat"},
    settings_model=SparkHTTPSettings,
    default_base_url="https://spark-api-open.xf-yun.com/v1",
    default_api_key_env="SPARK_API_PASSWORD",
    model_capabilities=_http_capabilities,
    emulator="relaykit_spark.emulator:SparkEmulator",
)


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    register(SPARK)
    register(SPARK_HTTP)
