"""The ernie and qianfan kinds through the public client: registration, settings, checks, logs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from structlog.testing import capture_logs

import relaykit
from relaykit_ernie import ERNIE, QIANFAN, ErnieSettings

from ._helpers import TOKEN, WEATHER_TOOL, answer, fresh_keys

USER = [{"role": "user", "content": "你好"}]


def _ernie_handler(requests: list[httpx2.Request]) -> Callable[[httpx2.Request], httpx2.Response]:
    def handle(request: httpx2.Request) -> httpx2.Response:
        requests.append(request)
        if request.url.path == "/oauth/2.0/token":
            return httpx2.Response(200, json={"access_token": TOKEN, "expires_in": 2592000})
        return httpx2.Response(200, json=answer("你好！"))

    return handle


def _client(providers: dict[str, Any], requests: list[httpx2.Request], **options: Any) -> relaykit.Client:
    transport = httpx2.MockTransport(_ernie_handler(requests))
    return relaykit.Client(providers=providers, http_client=httpx2.Client(transport=transport), **options)


def test_both_kinds_are_registered_with_their_defaults() -> None:
    """ernie (v1) and qianfan (v2) are separate kinds with their own hosts and key variables."""
    kinds = relaykit.providers()
    assert {"ernie", "qianfan"} <= set(kinds)
    assert ERNIE.default_base_url == "https://aip.baidubce.com"
    assert ERNIE.default_api_key_env == "ERNIE_API_KEY"
    assert QIANFAN.default_base_url == "https://qianfan.baidubce.com/v2"
    assert QIANFAN.default_api_key_env == "QIANFAN_API_KEY"
    assert ERNIE.emulator == "relaykit_ernie.emulator:ErnieEmulator"


def test_keys_come_from_the_documented_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """ERNIE_API_KEY and ERNIE_SECRET_KEY are read by default."""
    keys = fresh_keys()
    monkeypatch.setenv("ERNIE_API_KEY", keys["api_key"])
    monkeypatch.setenv("ERNIE_SECRET_KEY", keys["secret_key"])
    requests: list[httpx2.Request] = []
    with _client({"ernie": {}}, requests) as client:
        assert client.chat.completions.create(model="ernie/ernie-bot", messages=USER).text == "你好！"
    exchange = requests[0].url.params
    assert (exchange["client_id"], exchange["client_secret"]) == (keys["api_key"], keys["secret_key"])
    assert requests[1].url.path.endswith("/chat/completions")


def test_secret_key_env_names_another_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """secret_key_env points at any variable; a validation context's environ is used when given."""
    monkeypatch.setenv("MY_ERNIE_SECRET", "sk-from-my-variable")
    settings = ErnieSettings(base_url="x", api_key="ak", secret_key_env="MY_ERNIE_SECRET")
    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == "sk-from-my-variable"
    context = ErnieSettings.model_validate(
        {"base_url": "x", "secret_key_env": "OTHER"}, context={"environ": {"OTHER": "sk-context"}}
    )
    assert context.secret_key is not None
    assert context.secret_key.get_secret_value() == "sk-context"
    assert "sk-from-my-variable" not in repr(settings)


def test_missing_secret_key_is_a_configuration_error_and_nothing_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without ERNIE_SECRET_KEY the call fails naming the variable, before any request."""
    monkeypatch.delenv("ERNIE_SECRET_KEY", raising=False)
    requests: list[httpx2.Request] = []
    with (
        _client({"ernie": {"api_key": "ak-only"}}, requests) as client,
        pytest.raises(relaykit.ConfigurationError) as caught,
    ):
        client.chat.completions.create(model="ernie/ernie-bot", messages=USER)
    assert "ERNIE_SECRET_KEY" in str(caught.value)
    assert requests == []


def test_empty_endpoint_in_settings_is_a_configuration_error() -> None:
    """A bad endpoints entry fails when the client is built, naming the key."""
    with pytest.raises(relaykit.ConfigurationError) as caught:
        relaykit.Client(providers={"ernie": {"api_key": "a", "secret_key": "b", "endpoints": {"x": " "}}})
    assert "endpoints" in str(caught.value)


def test_configured_endpoints_route_custom_models() -> None:
    """A model from the endpoints setting goes to its endpoint."""
    requests: list[httpx2.Request] = []
    providers = {"ernie": {**fresh_keys(), "endpoints": {"My-Service": "abc123_svc"}}}
    with _client(providers, requests) as client:
        client.chat.completions.create(model="ernie/my-service", messages=USER)
    assert requests[-1].url.path == "/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/abc123_svc"


def test_capabilities_are_checked_before_sending() -> None:
    """Functions on ERNIE-Speed, images on ERNIE, chat on an embedding model: refused, nothing sent."""
    requests: list[httpx2.Request] = []
    image = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    with _client({"ernie": fresh_keys()}, requests) as client:
        with pytest.raises(relaykit.UnsupportedCapabilityError):
            client.chat.completions.create(model="ernie/ernie-speed-8k", messages=USER, tools=[WEATHER_TOOL])
        with pytest.raises(relaykit.UnsupportedCapabilityError):
            client.chat.completions.create(model="ernie/ernie-4.0-8k", messages=[{"role": "user", "content": [image]}])
        with pytest.raises(relaykit.UnsupportedCapabilityError):
            client.chat.completions.create(model="ernie/embedding-v1", messages=USER)
    assert requests == []


def test_logs_mask_the_keys_and_the_token() -> None:
    """relaykit.http.request events show the token exchange and the call, with every secret masked."""
    keys = fresh_keys()
    requests: list[httpx2.Request] = []
    with capture_logs() as logs, _client({"ernie": keys}, requests) as client:
        client.chat.completions.create(model="ernie/ernie-4.0-8k", messages=USER)
    http = [log for log in logs if log["event"] == "relaykit.http.request"]
    assert len(http) == 2
    assert "client_id=%2A%2A%2A" in http[0]["url"] or "client_id=***" in http[0]["url"]
    shown = json.dumps(logs, default=str)
    for secret in (TOKEN, keys["api_key"], keys["secret_key"]):
        assert secret not in shown
    assert any(log["event"] == "relaykit.token.fetched" for log in logs)


def test_qianfan_kind_uses_one_bearer_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """QIANFAN_API_KEY is read by default and sent verbatim as the bearer token."""
    monkeypatch.setenv("QIANFAN_API_KEY", "bce-v3/ALTAK-abc/def")
    seen: list[httpx2.Request] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        body = {
            "id": "as-1",
            "object": "chat.completion",
            "created": 1,
            "model": "ernie-3.5-8k",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "好"}, "finish_reason": "stop"}],
        }
        return httpx2.Response(200, json=body)

    client = relaykit.Client(
        providers={"qianfan": {}}, http_client=httpx2.Client(transport=httpx2.MockTransport(handle))
    )
    with client:
        assert client.chat.completions.create(model="qianfan/ernie-bot", messages=USER).text == "好"
    assert seen[0].headers["authorization"] == "Bearer bce-v3/ALTAK-abc/def"
    assert json.loads(seen[0].content)["model"] == "ernie-3.5-8k"
