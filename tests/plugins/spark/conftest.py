"""Spark tests never see the developer's Spark credentials (unless cassettes are being re-recorded)."""

from __future__ import annotations

import os

import pytest

SPARK_ENV = ("SPARK_APP_ID", "SPARK_API_KEY", "SPARK_API_SECRET", "SPARK_API_PASSWORD")


@pytest.fixture(autouse=True)
def _no_spark_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SPARK_* variables of the environment stay out of every test."""
    if os.environ.get("RELAYKIT_RECORD"):
        return
    for name in SPARK_ENV:
        monkeypatch.delenv(name, raising=False)
