"""Test-wide settings: asyncio for anyio tests, a clean plugin registry, no stray environment."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator

import pytest
import structlog

import relaykit._backend
from relaykit._backend import ASYNC_BACKENDS

from .async_backends import builds_default_async_client

# The conformance kit (tests/conformance) and pytester (the kit's own tests) are opt-in plugins.
pytest_plugins = ["pytester", "relaykit.testing.kit"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--async-backend",
        choices=("both", *ASYNC_BACKENDS),
        default="both",
        help="the HTTP backend(s) of relaykit.AsyncClient tests: both (default, aiohttp when installed), httpx2, aiohttp",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests that build a default-backend AsyncClient run once per async HTTP backend."""
    chosen = metafunc.config.getoption("--async-backend")
    backends = [name for name in ASYNC_BACKENDS if chosen in ("both", name)]
    if chosen == "both" and importlib.util.find_spec("aiohttp") is None:
        backends = ["httpx2"]
    if len(backends) > 1 and builds_default_async_client(metafunc):
        metafunc.parametrize("async_http_backend", backends, indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The aiohttp run of a test's sync-client variant (a "sync" parameter) repeats its httpx2 run: drop it."""
    repeats = [item for item in items if _sync_variant_on_aiohttp(item)]
    if repeats:
        config.hook.pytest_deselected(items=repeats)
        items[:] = [item for item in items if not _sync_variant_on_aiohttp(item)]


def _sync_variant_on_aiohttp(item: pytest.Item) -> bool:
    params = getattr(getattr(item, "callspec", None), "params", {})
    return params.get("async_http_backend") == "aiohttp" and "sync" in params.values()


@pytest.fixture(autouse=True)
def async_http_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The default backend of the AsyncClients this test builds (see tests/async_backends.py)."""
    chosen = request.config.getoption("--async-backend")
    backend: str = getattr(request, "param", "httpx2" if chosen == "both" else chosen)
    monkeypatch.setattr(relaykit._backend, "default_async_backend", backend)
    return backend


RECORDING = bool(os.environ.get("RELAYKIT_RECORD"))
"""Re-recording cassettes (RELAYKIT_RECORD set): the vendor keys stay visible to the cassette tests."""
VENDOR_KEYS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "STABILITY_API_KEY", "BFL_API_KEY")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never see the developer's configuration, nor their keys unless cassettes are being recorded."""
    for name in ("RELAYKIT_CONFIG", "RELAYKIT_PLUGINS", *(() if RECORDING else VENDOR_KEYS)):
        monkeypatch.delenv(name, raising=False)
    yield
    structlog.reset_defaults()  # capture_logs() leaves structlog marked as configured
