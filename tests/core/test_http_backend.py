"""Choosing the async HTTP backend: the keyword, the configuration key, and their errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

import relaykit
from relaykit._transport import AsyncTransport

aiohttp_transport = pytest.importorskip("relaykit._transport_aiohttp")

PROVIDERS = {"openai": {"api_key": "sk-test"}}


def test_the_keyword_picks_aiohttp() -> None:
    """`AsyncClient(http_backend="aiohttp")` runs on the aiohttp transport."""
    client = relaykit.AsyncClient(providers=PROVIDERS, http_backend="aiohttp")
    assert isinstance(client._transport, aiohttp_transport.AiohttpTransport)


def test_the_configuration_key_picks_aiohttp_and_the_keyword_wins(tmp_path: Path) -> None:
    """``async_http_backend`` in relaykit.toml decides unless the keyword says otherwise."""
    path = tmp_path / "relaykit.toml"
    path.write_text('async_http_backend = "aiohttp"\n\n[providers.openai]\napi_key_env = "X"\n')
    assert isinstance(relaykit.AsyncClient(path)._transport, aiohttp_transport.AiohttpTransport)
    assert isinstance(relaykit.AsyncClient(path, http_backend="httpx2")._transport, AsyncTransport)
    merged = relaykit.AsyncClient.from_config(path, providers={"openai": {"timeout": 5}})
    assert isinstance(merged._transport, aiohttp_transport.AiohttpTransport)


def test_without_keyword_or_key_the_process_default_decides(async_http_backend: str, tmp_path: Path) -> None:
    """No keyword, no key: the process default (httpx2 unless the test suite switches it); `Client` ignores the key."""
    expected = aiohttp_transport.AiohttpTransport if async_http_backend == "aiohttp" else AsyncTransport
    assert isinstance(relaykit.AsyncClient(providers=PROVIDERS)._transport, expected)
    path = tmp_path / "relaykit.toml"
    path.write_text('async_http_backend = "aiohttp"\n')
    relaykit.Client(path).close()


def test_an_unknown_backend_is_a_configuration_error_naming_the_key(tmp_path: Path) -> None:
    """A misspelt backend names the keyword, or the file and the key."""
    with pytest.raises(relaykit.ConfigurationError, match="http_backend") as caught:
        relaykit.AsyncClient(providers=PROVIDERS, http_backend="curl")  # type: ignore[arg-type]
    assert caught.value.key == "http_backend"
    path = tmp_path / "relaykit.toml"
    path.write_text('async_http_backend = "requests"\n')
    with pytest.raises(relaykit.ConfigurationError, match="async_http_backend") as caught:
        relaykit.AsyncClient(path)
    assert (caught.value.key, caught.value.path) == ("async_http_backend", str(path))


def test_an_httpx2_client_contradicting_aiohttp_is_refused() -> None:
    """`http_client` is an httpx2 client: asking for aiohttp with it is a configuration error."""
    with pytest.raises(relaykit.ConfigurationError, match="http_client"):
        relaykit.AsyncClient(providers=PROVIDERS, http_client=httpx2.AsyncClient(), http_backend="aiohttp")


def test_a_given_httpx2_client_keeps_httpx2_whatever_the_file_says(tmp_path: Path) -> None:
    """An `http_client` decides the backend over the configuration key."""
    path = tmp_path / "relaykit.toml"
    path.write_text('async_http_backend = "aiohttp"\n')
    client = relaykit.AsyncClient(path, http_client=httpx2.AsyncClient())
    assert isinstance(client._transport, AsyncTransport)


def test_aiohttp_missing_says_which_key_and_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without aiohttp installed, choosing it raises ConfigurationError naming the key and the extra."""
    monkeypatch.setitem(sys.modules, "aiohttp", None)
    with pytest.raises(relaykit.ConfigurationError, match=r"install relaykit\[aiohttp\]") as caught:
        relaykit.AsyncClient(providers=PROVIDERS, http_backend="aiohttp")
    assert caught.value.key == "http_backend"
    path = tmp_path / "relaykit.toml"
    path.write_text('async_http_backend = "aiohttp"\n')
    with pytest.raises(relaykit.ConfigurationError, match=r"install relaykit\[aiohttp\]") as caught:
        relaykit.AsyncClient(path)
    assert (caught.value.key, caught.value.path) == ("async_http_backend", str(path))


def test_aiohttp_is_imported_only_when_chosen() -> None:
    """A default AsyncClient does not import aiohttp (nor does `import relaykit` import either client)."""
    code = (
        "import sys, relaykit; assert 'httpx2' not in sys.modules; relaykit.AsyncClient(providers={'openai': {'api_key': 'k'}});"
        "print('aiohttp' in sys.modules, 'httpx2' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    out = done.stdout.split()
    assert out == ["False", "True"]
