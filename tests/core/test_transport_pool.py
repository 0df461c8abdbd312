"""relaykit's own httpx2 client: requests skip the client layer unless a proxy or a redirect needs it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from relaykit._driver import run_sync
from relaykit._transport import SyncTransport
from relaykit.plugin import Flow, HttpRequest
from relaykit.testing import Emulator, Reply

from ..helpers import make_context


class _Server(Emulator):
    def __init__(self) -> None:
        super().__init__(api_key=None)
        self.route("POST", "/echo", lambda request: Reply.json({"ok": True}))
        self.route("GET", "/echo", lambda request: Reply.json({"query": request.query}))
        self.route("POST", "/moved", lambda request: Reply(308, {"location": "/echo"}, b""))
        self.route("POST", "/cookie", lambda request: Reply(200, {"set-cookie": "sticky=1; Path=/"}, b"{}"))


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    with _Server() as emulator:
        yield emulator


def _one(request: HttpRequest) -> Flow[Any]:
    response = yield request
    assert response is not None
    return response


@pytest.fixture
def transport(monkeypatch: pytest.MonkeyPatch) -> Iterator[SyncTransport]:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "no_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    chosen = SyncTransport()
    yield chosen
    chosen.close()


def test_relaykits_own_client_sends_through_its_pool(transport: SyncTransport, server: _Server) -> None:
    """No proxy in the environment: the pooled fast path is on, and the answer is whole."""
    assert transport._pool is not None
    response = run_sync(_one(HttpRequest("POST", server.origin + "/echo", json={"a": 1})), make_context(), transport)
    assert (response.status, response.json(), response.url) == (200, {"ok": True}, server.origin + "/echo")
    sent = server.last_request
    assert (sent.body, sent.header("content-type")) == (b'{"a":1}', "application/json")
    assert sent.header("user-agent", "").startswith("relaykit/")
    assert "gzip" in sent.header("accept-encoding", "")


def test_query_parameters_reach_the_server(transport: SyncTransport, server: _Server) -> None:
    """`params` are merged into the URL on the fast path too."""
    request = HttpRequest("GET", server.origin + "/echo?keep=1", params={"q": "你好"})
    response = run_sync(_one(request), make_context(), transport)
    assert response.json()["query"] == {"q": ["你好"]}


def test_a_redirect_is_followed_through_the_full_client(transport: SyncTransport, server: _Server) -> None:
    """A 308 from the pool is sent again through the client, which follows it with the same body."""
    response = run_sync(_one(HttpRequest("POST", server.origin + "/moved", json={"b": 2})), make_context(), transport)
    assert (response.status, response.json()) == (200, {"ok": True})
    assert [(r.path, r.body) for r in server.requests[-3:]] == [
        ("/moved", b'{"b":2}'),
        ("/moved", b'{"b":2}'),
        ("/echo", b'{"b":2}'),
    ]


def test_relaykits_own_client_keeps_no_cookies(transport: SyncTransport, server: _Server) -> None:
    """A cookie a vendor sets is not sent back (documented: bring an http_client for a cookie jar)."""
    run_sync(_one(HttpRequest("POST", server.origin + "/cookie", json={})), make_context(), transport)
    run_sync(_one(HttpRequest("POST", server.origin + "/echo", json={})), make_context(), transport)
    assert server.last_request.header("cookie") is None


def test_a_proxy_in_the_environment_keeps_the_full_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """With HTTPS_PROXY (or NO_PROXY) set, every request goes through httpx2.Client, which honours it."""
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    transport = SyncTransport()
    try:
        assert transport._pool is None
    finally:
        transport.close()


def test_a_given_client_is_used_as_is(server: _Server) -> None:
    """An application's own httpx2.Client (its hooks, auth, cookies) sees every request."""
    seen: list[str] = []
    client = httpx2.Client(event_hooks={"request": [lambda request: seen.append(str(request.url))]})
    transport = SyncTransport(client)
    assert transport._pool is None
    run_sync(_one(HttpRequest("POST", server.origin + "/echo", json={})), make_context(), transport)
    transport.close()
    assert seen == [server.origin + "/echo"]
