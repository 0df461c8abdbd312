"""Test-wide settings: asyncio for anyio tests, a clean plugin registry, no stray environment."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import structlog


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


RECORDING = bool(os.environ.get("RELAYKIT_RECORD"))
"""Re-recording cassettes (RELAYKIT_RECORD set): the vendor keys stay visible to the cassette tests."""
VENDOR_KEYS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never see the developer's configuration, nor their keys unless cassettes are being recorded."""
    for name in ("RELAYKIT_CONFIG", "RELAYKIT_PLUGINS", *(() if RECORDING else VENDOR_KEYS)):
        monkeypatch.delenv(name, raising=False)
    yield
    structlog.reset_defaults()  # capture_logs() leaves structlog marked as configured
