"""Test-wide settings: asyncio for anyio tests, a clean plugin registry, no stray environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import structlog


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never see the developer's keys or configuration."""
    for name in ("RELAYKIT_CONFIG", "RELAYKIT_PLUGINS", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    yield
    structlog.reset_defaults()  # capture_logs() leaves structlog marked as configured
