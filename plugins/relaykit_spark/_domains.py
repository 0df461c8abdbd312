"""Spark model versions: the WebSocket URL path and ``domain`` of each, and the names they go by.

Reference: ``shared/dialects/spark.md`` section A1 (iFlytek's Web API doc, 2024-2026) and gotchas 1,
2 and 7. The URL path and the ``parameter.chat.domain`` of a request must match (``/v3.5/chat`` and
``generalv3.5``), or the server answers 10003 "invalid model domain". Each version is known by its
domain (which is also the HTTP API's model name), its product name (``spark-max``), its historic
name (``spark-v3.5``, as the aigc2d relay lists them) and one-api's channel name
(``SparkDesk-v3.5``, which numbers by URL version: ``SparkDesk-v1.1`` is V1.5). Lite's domain was
``general`` until late 2024; that name is still accepted and sent as ``lite``.

Configuration may add versions or override these (the ``models`` setting of the ``spark`` kind).
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ENDPOINTS", "HTTP_MODELS", "SparkEndpoint", "canonical", "endpoint_url", "http_model", "resolve"]


class SparkEndpoint(BaseModel):
    """One Spark model version on the WebSocket API.

    Args:
        url: the path on ``base_url`` (``/v3.5/chat``), or an absolute ``ws://``/``wss://`` URL for
            a version served on another host (the sci-tech literature model).
        domain: the ``parameter.chat.domain`` this URL expects.
        max_tokens: the largest ``max_tokens`` the version takes (a larger request is clamped);
            None leaves it unchecked.
        system: whether the version honours a ``system`` message; when False, the system text is
            folded into the first user turn.
        functions: whether the version does function calling (``payload.functions``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    url: str = Field(min_length=1)
    domain: str = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)
    system: bool = True
    functions: bool = False


def _endpoint(url: str, domain: str, max_tokens: int | None, *, system: bool, functions: bool) -> SparkEndpoint:
    # The built-in table is literals checked by a test; validating it at import would build the
    # model's validator on every cold start.
    return SparkEndpoint.model_construct(
        url=url, domain=domain, max_tokens=max_tokens, system=system, functions=functions
    )


# Keyed by domain. max_tokens and system support as the current doc states them (Lite and Pro-128K
# take 4096 tokens; only Max and Ultra honour system); function calling as the doc states it plus
# Pro (V3.0), which launched it and which one-api sends functions to.
ENDPOINTS: Mapping[str, SparkEndpoint] = {
    "lite": _endpoint("/v1.1/chat", "lite", 4096, system=False, functions=False),
    "generalv2": _endpoint("/v2.1/chat", "generalv2", 8192, system=False, functions=False),
    "generalv3": _endpoint("/v3.1/chat", "generalv3", 8192, system=False, functions=True),
    "pro-128k": _endpoint("/chat/pro-128k", "pro-128k", 4096, system=False, functions=False),
    "generalv3.5": _endpoint("/v3.5/chat", "generalv3.5", 8192, system=True, functions=True),
    "max-32k": _endpoint("/chat/max-32k", "max-32k", 8192, system=True, functions=True),
    "4.0Ultra": _endpoint("/v4.0/chat", "4.0Ultra", 8192, system=True, functions=True),
    "kjwx": _endpoint(
        "wss://spark-openapi-n.cn-huabei-1.xf-yun.com/v1.1/chat_kjwx", "kjwx", None, system=False, functions=False
    ),
}

# Other names of each version (matched case-insensitively), by the domain they stand for.
_ALIASES: Mapping[str, str] = {
    "general": "lite",
    "spark-lite": "lite",
    "spark-v1.5": "lite",
    "sparkdesk-v1.1": "lite",
    "spark-v2.0": "generalv2",
    "sparkdesk-v2.1": "generalv2",
    "spark-pro": "generalv3",
    "spark-v3.0": "generalv3",
    "sparkdesk-v3.1": "generalv3",
    "spark-pro-128k": "pro-128k",
    "spark-max": "generalv3.5",
    "spark-v3.5": "generalv3.5",
    "sparkdesk-v3.5": "generalv3.5",
    "spark-max-32k": "max-32k",
    "spark-4.0-ultra": "4.0Ultra",
    "spark-ultra": "4.0Ultra",
    "spark-v4.0": "4.0Ultra",
    "sparkdesk-v4.0": "4.0Ultra",
}
_BY_LOWER = {name.lower(): name for name in ENDPOINTS}

HTTP_MODELS = frozenset({"lite", "generalv3", "pro-128k", "generalv3.5", "max-32k", "4.0Ultra"})
"""The model names the HTTP API documents (its ``model`` is the WebSocket ``domain``)."""


def canonical(model: str) -> str | None:
    """The domain a built-in name stands for, or None for a name this table does not know."""
    lowered = model.lower()
    return _BY_LOWER.get(lowered) or _ALIASES.get(lowered)


def resolve(model: str, overrides: Mapping[str, SparkEndpoint]) -> SparkEndpoint:
    """The WebSocket endpoint of `model`: from `overrides` (configuration) first, then the table.

    Raises `InvalidRequestError` (``field="model"``) for a name neither knows.
    """
    if model in overrides:
        return overrides[model]
    for name, endpoint in overrides.items():
        if name.lower() == model.lower():
            return endpoint
    domain = canonical(model)
    if domain is None:
        known = ", ".join(sorted({*ENDPOINTS, *overrides}))
        from relaykit import InvalidRequestError  # imported when a model is unknown, not at registration

        raise InvalidRequestError(
            f"unknown Spark model {model!r}: use a domain ({known}), a name such as spark-max or spark-v3.5, "
            "or add it to the provider's `models` setting",
            field="model",
        )
    return overrides.get(domain, ENDPOINTS[domain])


def endpoint_url(base_url: str, endpoint: SparkEndpoint) -> str:
    """The WebSocket URL of `endpoint` (its path on `base_url`, or its own absolute URL)."""
    if endpoint.url.startswith(("ws://", "wss://", "http://", "https://")):
        return endpoint.url
    return base_url.rstrip("/") + "/" + endpoint.url.lstrip("/")


def http_model(model: str) -> str:
    """The HTTP API's model name for `model`: a known name's domain, anything else unchanged."""
    return canonical(model) or model
