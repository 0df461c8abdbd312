"""Settings of the two Spark kinds, with the credentials named as iFlytek's console names them.

- ``spark`` (WebSocket): **APPID** (`app_id`, from ``SPARK_APP_ID``), **APIKey** (the common
  `api_key`, from ``SPARK_API_KEY``) and **APISecret** (`api_secret`, from ``SPARK_API_SECRET``).
  The APPID goes into every request frame; the APIKey and APISecret only sign the URL.
- ``spark-http`` (OpenAI-style HTTP): **APIPassword** (`api_password`, from
  ``SPARK_API_PASSWORD``), sent as a bearer token. It is the common `api_key` under its vendor
  name: either spelling works, and `api_password_env` is `api_key_env` likewise.

Every credential is a `SecretStr` (never in a repr, log or error). `ProviderSettings` forbids
unknown keys, so the variables named by `app_id_env` and `api_secret_env` are read here, when the
settings are validated (from ``os.environ``; a client's ``environ=`` mapping reaches `api_key` only).
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import Field, SecretStr, model_validator

from relaykit.plugin import ProviderSettings

from ._domains import SparkEndpoint

__all__ = ["SparkHTTPSettings", "SparkSettings"]


class SparkSettings(ProviderSettings):
    """Settings of the ``spark`` kind (the WebSocket API), on top of the common ones."""

    app_id: SecretStr | None = None
    """The console's APPID, sent as ``header.app_id``."""
    app_id_env: str | None = "SPARK_APP_ID"
    """The environment variable the APPID is read from when `app_id` is not set."""
    api_secret: SecretStr | None = None
    """The console's APISecret: the HMAC key that signs the URL (never sent)."""
    api_secret_env: str | None = "SPARK_API_SECRET"  # noqa: S105 - the name of a variable, not a secret
    """The environment variable the APISecret is read from when `api_secret` is not set."""
    models: dict[str, SparkEndpoint] = Field(default_factory=dict)
    """Model versions added to (or overriding) the built-in URL/domain table, by model name."""

    @model_validator(mode="before")
    @classmethod
    def _read_environment(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for field, env_field, default in (
            ("app_id", "app_id_env", "SPARK_APP_ID"),
            ("api_secret", "api_secret_env", "SPARK_API_SECRET"),
        ):
            name = data.get(env_field, default)
            if data.get(field) is None and isinstance(name, str) and name and (value := os.environ.get(name)):
                data[field] = value
        return data


class SparkHTTPSettings(ProviderSettings):
    """Settings of the ``spark-http`` kind (the OpenAI-style HTTP API): the common ones.

    ``api_password`` / ``api_password_env`` are accepted as the vendor's names for ``api_key`` /
    ``api_key_env``.
    """

    @model_validator(mode="before")
    @classmethod
    def _vendor_names(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        env = data.pop("api_password_env", None)
        password = data.pop("api_password", None)
        if env is not None:
            data["api_key_env"] = env
            if password is None and isinstance(env, str) and (value := os.environ.get(env)):
                data["api_key"] = value
        if password is not None:
            data["api_key"] = password
        return data
