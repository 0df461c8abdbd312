"""The v1 token flow, driven by hand: exchange, cache with margin, refresh once on 110/111, secrecy."""

from __future__ import annotations

import pytest

import relaykit
from relaykit.plugin import SharedState
from relaykit_ernie._auth import REFRESH_MARGIN, token_ttl
from relaykit_ernie._chat import chat

from ._helpers import (
    API_KEY,
    SECRET_KEY,
    TOKEN,
    FlowDriver,
    answer,
    chat_request,
    error_body,
    json_response,
    make_context,
    token_response,
)

NEW_TOKEN = "24.0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e.2592000.1710070000.282335-45678901"


class Clock:
    """A settable monotonic clock for SharedState."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _secrets_absent(error: BaseException, *values: str) -> None:
    shown = " ".join([str(error), repr(error), getattr(error, "body_excerpt", None) or "", *map(str, error.args)])
    for value in values:
        assert value not in shown


def test_first_call_exchanges_the_keys_for_a_token() -> None:
    """The flow's first request is the OAuth exchange; the chat request then carries the token."""
    driver = FlowDriver(chat(chat_request(), make_context()))
    exchange = driver.start()
    assert exchange.method == "POST"
    assert exchange.url == "https://aip.baidubce.com/oauth/2.0/token"
    assert exchange.params == {"grant_type": "client_credentials", "client_id": API_KEY, "client_secret": SECRET_KEY}
    assert exchange.secret_params == frozenset({"client_id", "client_secret"})
    call = driver.send(token_response())
    assert call.url == "https://aip.baidubce.com/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/completions_pro"
    assert call.params == {"access_token": TOKEN}
    assert call.secret_params == frozenset({"access_token"})
    assert TOKEN not in call.url
    driver.send(json_response(answer()))
    assert driver.result.text == "北京是中国的首都。"


def test_second_call_reuses_the_cached_token() -> None:
    """A token in the shared state is used without a new exchange."""
    state = SharedState()
    first = FlowDriver(chat(chat_request(), make_context(state=state)))
    first.start()
    first.send(token_response())
    first.send(json_response(answer()))
    second = FlowDriver(chat(chat_request(), make_context(state=state)))
    call = second.start()
    assert call.params == {"access_token": TOKEN}


def test_tokens_are_cached_per_credentials_and_base_url() -> None:
    """Another key pair or another server never gets this token."""
    state = SharedState()
    first = FlowDriver(chat(chat_request(), make_context(state=state)))
    first.start()
    first.send(token_response())
    other_key = FlowDriver(chat(chat_request(), make_context(state=state, api_key="ak-other-000000")))
    assert other_key.start().url.endswith("/oauth/2.0/token")
    other_host = FlowDriver(chat(chat_request(), make_context(state=state, base_url="http://127.0.0.1:9")))
    assert other_host.start().url.endswith("/oauth/2.0/token")


def test_token_is_used_until_the_refresh_margin() -> None:
    """A 30-day token is refreshed one hour before it expires; short tokens at nine tenths of their life."""
    assert token_ttl(2_592_000) == 2_592_000 - REFRESH_MARGIN
    assert token_ttl(60) == 54
    clock = Clock()
    state = SharedState(clock=clock)
    first = FlowDriver(chat(chat_request(), make_context(state=state)))
    first.start()
    first.send(token_response(expires_in=100_000))
    clock.now += 100_000 - REFRESH_MARGIN - 1
    assert FlowDriver(chat(chat_request(), make_context(state=state))).start().params == {"access_token": TOKEN}
    clock.now += 2
    assert FlowDriver(chat(chat_request(), make_context(state=state))).start().url.endswith("/oauth/2.0/token")


@pytest.mark.parametrize("code", [110, 111])
def test_invalid_or_expired_token_is_refreshed_once_without_the_caller_noticing(code: int) -> None:
    """110/111 drops the token, fetches a new one and resends the same request."""
    state = SharedState()
    driver = FlowDriver(chat(chat_request(), make_context(state=state)))
    driver.start()
    first_call = driver.send(token_response())
    exchange = driver.send(json_response(error_body(code, "Access token expired")))
    assert exchange.url.endswith("/oauth/2.0/token")
    second_call = driver.send(token_response(NEW_TOKEN))
    assert second_call.params == {"access_token": NEW_TOKEN}
    assert second_call.json == first_call.json
    driver.send(json_response(answer("刷新后成功。")))
    assert driver.result.text == "刷新后成功。"
    reuse = FlowDriver(chat(chat_request(), make_context(state=state)))
    assert reuse.start().params == {"access_token": NEW_TOKEN}


def test_second_token_error_raises_authentication_error_without_secrets() -> None:
    """A fresh token rejected again is an AuthenticationError; no key, secret or token in it."""
    driver = FlowDriver(chat(chat_request(), make_context()))
    driver.start()
    driver.send(token_response())
    driver.send(json_response(error_body(110, f"Access token invalid: {TOKEN}")))
    driver.send(token_response(NEW_TOKEN))
    with pytest.raises(relaykit.AuthenticationError) as caught:
        driver.send(json_response(error_body(110, f"Access token invalid: {NEW_TOKEN}")))
    assert caught.value.code == "110"
    assert caught.value.status == 200
    _secrets_absent(caught.value, NEW_TOKEN, API_KEY, SECRET_KEY)


def test_other_errors_never_show_the_token() -> None:
    """An error body that echoes the token (or the keys) is masked."""
    driver = FlowDriver(chat(chat_request(), make_context()))
    driver.start()
    driver.send(token_response())
    with pytest.raises(relaykit.BadRequestError) as caught:
        driver.send(json_response(error_body(336003, f"bad request with {TOKEN} and {SECRET_KEY}")))
    _secrets_absent(caught.value, TOKEN, SECRET_KEY)


@pytest.mark.parametrize(
    ("description", "which"),
    [("unknown client id", "API Key"), ("Client authentication failed", "Secret Key")],
)
def test_refused_exchange_says_which_key_is_wrong(description: str, which: str) -> None:
    """invalid_client answers are AuthenticationErrors naming the wrong key, without the keys."""
    driver = FlowDriver(chat(chat_request(), make_context()))
    driver.start()
    with pytest.raises(relaykit.AuthenticationError) as caught:
        driver.send(json_response({"error": "invalid_client", "error_description": description}, status=401))
    assert which in str(caught.value)
    assert caught.value.code == "invalid_client"
    _secrets_absent(caught.value, API_KEY, SECRET_KEY)


def test_exchange_answered_with_an_html_page_is_a_server_error() -> None:
    """A gateway page instead of JSON: the status decides."""
    driver = FlowDriver(chat(chat_request(), make_context()))
    driver.start()
    page = json_response(b"<html><body>502 Bad Gateway</body></html>", status=502)
    with pytest.raises(relaykit.ServerError):
        driver.send(page)


def test_exchange_without_a_token_is_a_response_format_error() -> None:
    """A 200 without access_token cannot be used."""
    driver = FlowDriver(chat(chat_request(), make_context()))
    driver.start()
    with pytest.raises(relaykit.ResponseFormatError):
        driver.send(json_response({"expires_in": 100, "refresh_token": "25.abcdef0123456789"}))


def test_missing_secret_key_is_a_configuration_error_before_anything_is_sent() -> None:
    """Without the Secret Key the flow stops at its first step, naming the variable."""
    context = make_context(secret_key=None, secret_key_env="NO_SUCH_ERNIE_SECRET_VARIABLE")
    with pytest.raises(relaykit.ConfigurationError) as caught:
        FlowDriver(chat(chat_request(), context)).start()
    assert "NO_SUCH_ERNIE_SECRET_VARIABLE" in str(caught.value)
