"""Baidu ERNIE (文心) on Qianfan, both generations of its API, as two provider kinds.

- ``ernie``: Qianfan v1 ("wenxinworkshop", ``https://aip.baidubce.com``). The application's API Key
  (``ERNIE_API_KEY``) and Secret Key (``ERNIE_SECRET_KEY``) are traded for an access token that is
  cached and refreshed by the flow itself (``_auth``); each model has its own endpoint (``_models``);
  ``system`` is a field, messages alternate strictly, errors arrive inside HTTP 200 answers.
- ``qianfan``: Qianfan v2 (``https://qianfan.baidubce.com/v2``), OpenAI-compatible, with a bearer
  API key (``QIANFAN_API_KEY``); built on ``relaykit_openai``'s dialect (``_qianfan``).

Two kinds rather than one with a switch, because the generations differ in everything a kind
fixes: credentials (a key pair and a token exchange, or one bearer key), host, default
environment variables, model naming. The same normalized chat moves between them by configuration
only: the model names of both are accepted by both (``ernie-4.0-8k``, ``ERNIE-Bot-4``...), so a
provider section can switch ``kind`` while the model string ``ernie/ernie-4.0-8k`` stays::

    [providers.ernie]
    kind = "qianfan"          # was: the ernie kind (v1), with ERNIE_API_KEY / ERNIE_SECRET_KEY
    api_key_env = "QIANFAN_API_KEY"

Reference: ``shared/dialects/ernie.md``. Each kind ships an emulator (``relaykit_ernie.emulator``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator

from relaykit.hookspecs import hookimpl
from relaykit.plugin import Capability, Operation, ProviderSettings, ProviderSpec

from ._models import ernie_model_capabilities, qianfan_model_capabilities

__all__ = ["ERNIE", "QIANFAN", "ErnieSettings", "QianfanSettings", "register_providers"]

DEFAULT_SECRET_KEY_ENV = "ERNIE_SECRET_KEY"  # noqa: S105 - the name of a variable, not a secret


class ErnieSettings(ProviderSettings):
    """Settings of the ``ernie`` kind (Qianfan v1), on top of the common ones.

    ``api_key`` / ``api_key_env`` hold the application's API Key (``ERNIE_API_KEY`` by default).
    """

    secret_key: SecretStr | None = None
    """The application's Secret Key (keyword configuration only; prefer `secret_key_env`)."""
    secret_key_env: str | None = DEFAULT_SECRET_KEY_ENV
    """The environment variable holding the Secret Key, read when `secret_key` is not given."""
    endpoints: dict[str, str] = Field(default_factory=dict)
    """Model name -> endpoint, added to (and overriding) the built-in table: the segment after
    ``.../wenxinworkshop/chat/`` (or ``/embeddings/``), or a path from ``base_url`` starting with
    ``/``. For self-deployed services and models newer than relaykit."""

    @model_validator(mode="before")
    @classmethod
    def _secret_key_from_environment(cls, data: Any, info: ValidationInfo) -> Any:
        """Read the Secret Key from `secret_key_env` (validation context ``environ``, else os.environ)."""
        if not isinstance(data, dict) or data.get("secret_key") is not None:
            return data
        name = data.get("secret_key_env", DEFAULT_SECRET_KEY_ENV)
        context = info.context if isinstance(info.context, dict) else {}
        environ = context.get("environ", os.environ)
        value = environ.get(name) if isinstance(name, str) and name else None
        return {**data, "secret_key": value} if value else data

    @field_validator("endpoints")
    @classmethod
    def _lower_case_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name, endpoint in value.items():
            if not endpoint.strip("/ "):
                raise ValueError(f"endpoints.{name}: an endpoint may not be empty")
        return {name.lower(): endpoint.strip() for name, endpoint in value.items()}


class QianfanSettings(ProviderSettings):
    """Settings of the ``qianfan`` kind (Qianfan v2), on top of the common ones.

    ``api_key`` / ``api_key_env`` hold the bearer API Key (``QIANFAN_API_KEY`` by default).
    """

    app_id: str | None = None
    """A Qianfan application id (``app-...``), sent as the ``appid`` header when set."""
    max_tokens_field: str = Field(default="max_completion_tokens", pattern="^(max_tokens|max_completion_tokens)$")
    """Which name carries the output-token limit (v2 documents ``max_completion_tokens``)."""
    developer_role: str = Field(default="system", pattern="^(developer|system)$")
    """How ``developer`` messages are sent (v2 knows ``system``)."""


_V1_OPS = {
    Operation.CHAT: "relaykit_ernie._chat:chat",
    Operation.EMBEDDING: "relaykit_ernie._embeddings:embedding",
}
_V2_OPS = {
    Operation.CHAT: "relaykit_ernie._qianfan:chat",
    Operation.EMBEDDING: "relaykit_ernie._qianfan:embedding",
}

ERNIE = ProviderSpec(
    name="ernie",
    description="Baidu ERNIE on Qianfan v1 (wenxinworkshop): API Key + Secret Key, chat and embeddings",
    capabilities=frozenset(
        {Capability.CHAT, Capability.CHAT_STREAM, Capability.TOOLS, Capability.JSON_OBJECT, Capability.EMBEDDINGS}
    ),
    operations=_V1_OPS,
    settings_model=ErnieSettings,
    default_base_url="https://aip.baidubce.com",
    default_api_key_env="ERNIE_API_KEY",
    model_capabilities=ernie_model_capabilities,
    emulator="relaykit_ernie.emulator:ErnieEmulator",
)

QIANFAN = ProviderSpec(
    name="qianfan",
    description="Baidu ERNIE and hosted models on Qianfan v2 (OpenAI-compatible, bearer API key): chat, embeddings",
    capabilities=frozenset(
        {
            Capability.CHAT,
            Capability.CHAT_STREAM,
            Capability.TOOLS,
            Capability.VISION,
            Capability.JSON_OBJECT,
            Capability.JSON_SCHEMA,
            Capability.EMBEDDINGS,
        }
    ),
    operations=_V2_OPS,
    settings_model=QianfanSettings,
    default_base_url="https://qianfan.baidubce.com/v2",
    default_api_key_env="QIANFAN_API_KEY",
    model_capabilities=qianfan_model_capabilities,
    emulator="relaykit_ernie.emulator:QianfanEmulator",
)


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    register(ERNIE)
    register(QIANFAN)
