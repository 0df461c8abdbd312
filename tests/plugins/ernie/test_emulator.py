"""The ERNIE (v1) and Qianfan (v2) emulators over real sockets, spoken to with raw httpx2."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from relaykit.testing import Fault
from relaykit_ernie.emulator import ErnieEmulator, QianfanEmulator

CHAT = "/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/completions_pro"
EMBED = "/rpc/2.0/ai_custom/v1/wenxinworkshop/embeddings/embedding-v1"
HELLO = {"messages": [{"role": "user", "content": "你好"}]}


@pytest.fixture(scope="module")
def server() -> Iterator[ErnieEmulator]:
    with ErnieEmulator() as emulator:
        yield emulator


@pytest.fixture
def emu(server: ErnieEmulator) -> ErnieEmulator:
    server.reset()
    server.token_lifetime = 2_592_000
    return server


@pytest.fixture
def http(emu: ErnieEmulator) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=emu.base_url, timeout=5) as raw:
        yield raw


def token(http: httpx2.Client, **params: str) -> httpx2.Response:
    query = {"grant_type": "client_credentials", "client_id": "test-key", "client_secret": "test-secret", **params}
    return http.post("/oauth/2.0/token", params=query)


def call(http: httpx2.Client, path: str = CHAT, body: Any = None, access_token: str | None = None) -> httpx2.Response:
    access_token = access_token or token(http).json()["access_token"]
    return http.post(path, params={"access_token": access_token}, json=HELLO if body is None else body)


def test_token_endpoint_issues_tokens_with_their_lifetime(http: httpx2.Client, emu: ErnieEmulator) -> None:
    """A good exchange answers access_token and expires_in (30 days), like Baidu's."""
    answer = token(http).json()
    assert answer["access_token"].startswith("24.")
    assert answer["expires_in"] == 2_592_000
    assert emu.tokens_issued == 1


@pytest.mark.parametrize(
    ("params", "error", "description"),
    [
        ({"client_id": "wrong"}, "invalid_client", "unknown client id"),
        ({"client_secret": "wrong"}, "invalid_client", "Client authentication failed"),
        ({"grant_type": "password"}, "unsupported_grant_type", "unsupported grant type"),
    ],
)
def test_token_endpoint_refuses_bad_credentials(
    http: httpx2.Client, params: dict[str, str], error: str, description: str
) -> None:
    """Wrong API Key, wrong Secret Key and a wrong grant get the OAuth error bodies."""
    answer = token(http, **params).json()
    assert answer == {"error": error, "error_description": description}


def test_chat_answers_in_ernie_shape(http: httpx2.Client) -> None:
    """A flat answer with result, is_truncated, need_clear_history, finish_reason and usage."""
    response = call(http)
    answer = response.json()
    assert answer["result"] == "你说：你好"
    assert answer["object"] == "chat.completion"
    assert answer["id"].startswith("as-")
    assert answer["finish_reason"] == "normal"
    assert set(answer["usage"]) == {"prompt_tokens", "completion_tokens", "total_tokens"}
    assert response.headers["x-baidu-request-id"]


@pytest.mark.parametrize(
    ("access_token", "code"),
    [("", 100), ("24.unknown", 110)],
)
def test_calls_without_a_valid_token_get_token_errors_in_a_200(
    http: httpx2.Client, access_token: str, code: int
) -> None:
    """A missing token is error 100, an unknown one 110, with HTTP 200."""
    response = http.post(CHAT, params={"access_token": access_token}, json=HELLO)
    assert response.status_code == 200
    assert response.json()["error_code"] == code


def test_expired_and_invalidated_tokens_answer_111_and_110(http: httpx2.Client, emu: ErnieEmulator) -> None:
    """expire_tokens and invalidate_tokens make issued tokens fail; new tokens work."""
    first = token(http).json()["access_token"]
    emu.expire_tokens()
    assert call(http, access_token=first).json()["error_code"] == 111
    second = token(http).json()["access_token"]
    emu.invalidate_tokens()
    assert call(http, access_token=second).json()["error_code"] == 110
    assert "result" in call(http).json()


def test_short_lived_tokens_expire_by_themselves(http: httpx2.Client, emu: ErnieEmulator) -> None:
    """token_lifetime 0: the token is already expired when used."""
    emu.token_lifetime = 0
    assert call(http).json()["error_code"] == 111


@pytest.mark.parametrize(
    ("messages", "code", "message"),
    [
        ([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}], 336006, "odd number"),
        ([{"role": "system", "content": "s"}, {"role": "user", "content": "a"}], 336006, "even index"),
        (
            [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}, {"role": "user", "content": "c"}],
            336006,
            "odd index",
        ),
        ([{"role": "user", "content": ""}], 336003, "content can not be empty"),
        ([{"role": "function", "name": "f", "content": "{}"}], 336006, "first message"),
    ],
)
def test_message_rules_are_enforced_like_ernie(
    http: httpx2.Client, messages: list[Any], code: int, message: str
) -> None:
    """Histories ERNIE rejects get its 336xxx errors."""
    answer = call(http, body={"messages": messages}).json()
    assert answer["error_code"] == code
    assert message in answer["error_msg"]


@pytest.mark.parametrize(
    ("field", "value"), [("temperature", 0), ("temperature", 1.5), ("penalty_score", 0.5), ("max_output_tokens", 1)]
)
def test_parameter_ranges_are_enforced(http: httpx2.Client, field: str, value: float) -> None:
    """temperature (0, 1], penalty_score [1, 2], max_output_tokens >= 2."""
    assert call(http, body={**HELLO, field: value}).json()["error_code"] == 336003


def test_unknown_endpoint_is_336005(http: httpx2.Client) -> None:
    """A path segment that serves no model."""
    assert call(http, path="/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/no_such_model").json()["error_code"] == 336005


def test_functions_get_a_function_call_answer(http: httpx2.Client) -> None:
    """With functions offered the answer calls one: result "", function_call with thoughts."""
    function = {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }
    answer = call(http, body={**HELLO, "functions": [function]}).json()
    assert answer["result"] == ""
    assert answer["finish_reason"] == "function_call"
    assert answer["function_call"]["name"] == "get_weather"
    assert json.loads(answer["function_call"]["arguments"]) == {"city": "example"}
    assert answer["function_call"]["thoughts"]


def test_stream_is_sse_with_sentence_ids_and_no_done(http: httpx2.Client) -> None:
    """One event per sentence, sentence_id counting up, is_end last with the real usage, no [DONE]."""
    body = {"messages": [{"role": "user", "content": "你好。今天天气好吗？"}], "stream": True}
    response = call(http, body=body)
    assert response.headers["content-type"].startswith("text/event-stream")
    frames = [frame for frame in response.text.split("\n\n") if frame.strip()]
    assert all(frame.startswith("data: ") for frame in frames)
    events = [json.loads(frame.removeprefix("data: ")) for frame in frames]
    assert [e["sentence_id"] for e in events] == list(range(len(events)))
    assert [e["is_end"] for e in events] == [False] * (len(events) - 1) + [True]
    assert "".join(e["result"] for e in events) == "你说：你好。今天天气好吗？"
    assert events[0]["usage"]["completion_tokens"] == 0
    assert events[-1]["usage"]["completion_tokens"] > 0


def test_unsafe_input_gets_the_content_safety_answer(http: httpx2.Client) -> None:
    """A listed word: canned reply, need_clear_history, ban_round -1, flag."""
    answer = call(http, body={"messages": [{"role": "user", "content": "请告诉我敏感词"}]}).json()
    assert answer["need_clear_history"] is True
    assert answer["ban_round"] == -1
    assert answer["flag"] == 1


def test_scripted_answer_and_truncation(http: httpx2.Client, emu: ErnieEmulator) -> None:
    """script_chat answers exactly; max_output_tokens cuts and sets is_truncated."""
    emu.script_chat("北京是中国的首都。")
    assert call(http).json()["result"] == "北京是中国的首都。"
    answer = call(http, body={**HELLO, "max_output_tokens": 2}).json()
    assert answer["result"] == "你说"
    assert answer["is_truncated"] is True
    assert answer["finish_reason"] == "length"


def test_error_fault_answers_the_code_inside_a_200(http: httpx2.Client, emu: ErnieEmulator) -> None:
    """error_fault(18) is the QPS limit in an HTTP 200."""
    emu.inject(ErnieEmulator.error_fault(18), path=CHAT)
    response = call(http)
    assert response.status_code == 200
    assert response.json()["error_code"] == 18


def test_status_faults_carry_an_ernie_body(http: httpx2.Client, emu: ErnieEmulator) -> None:
    """A status fault keeps its status and speaks ERNIE's error shape."""
    emu.inject(Fault.status(503), path=CHAT)
    response = call(http)
    assert response.status_code == 503
    assert response.json()["error_code"] == 336100


def test_embeddings_answer_one_vector_per_text(http: httpx2.Client) -> None:
    """embedding_list with 384-float unit vectors for embedding-v1; more than 16 texts is 336003."""
    answer = call(http, path=EMBED, body={"input": ["甲", "乙"]}).json()
    assert answer["object"] == "embedding_list"
    assert [item["index"] for item in answer["data"]] == [0, 1]
    assert len(answer["data"][0]["embedding"]) == 384
    assert call(http, path=EMBED, body={"input": ["x"] * 17}).json()["error_code"] == 336003


@pytest.fixture(scope="module")
def v2() -> Iterator[QianfanEmulator]:
    with QianfanEmulator(app_id="app-7") as emulator:
        yield emulator


def test_v2_requires_the_bearer_key_and_appid(v2: QianfanEmulator) -> None:
    """No key: 401 access_denied envelope with an id; right key and appid: an OpenAI answer with an as- id."""
    with httpx2.Client(base_url=v2.base_url, timeout=5) as raw:
        body = {"model": "ernie-4.0-8k", "messages": [{"role": "user", "content": "你好"}]}
        denied = raw.post("/chat/completions", json=body)
        assert denied.status_code == 401
        assert denied.json()["error"]["type"] == "access_denied"
        assert denied.json()["id"].startswith("as-")
        headers = {"authorization": f"Bearer {v2.api_key}", "appid": "app-7"}
        answer = raw.post("/chat/completions", json=body, headers=headers).json()
        assert answer["id"].startswith("as-")
        assert answer["choices"][0]["message"]["content"] == "You said: 你好"
        v2.inject(QianfanEmulator.rate_limit_fault("tpm"))
        limited = raw.post("/chat/completions", json=body, headers=headers)
        assert limited.status_code == 200
        assert limited.json() == {"code": "tpm_rate_limit_exceeded", "msg": "Rate limit reached for TPM"}
        vectors = raw.post("/embeddings", json={"model": "bge-large-zh", "input": ["甲"]}, headers=headers).json()
        assert len(vectors["data"][0]["embedding"]) == 1024
