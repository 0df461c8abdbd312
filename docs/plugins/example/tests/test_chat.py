"""DeepSeek's own rules: reasoning_content in answers and deltas, never sent back; 402; the reasoner's refusals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import relaykit
from relaykit.plugin import CallContext, HttpRequest, HttpResponse, run_to_completion
from relaykit.testing import Fault
from relaykit_deepseek import DeepSeekSettings
from relaykit_deepseek._chat import chat
from relaykit_deepseek.emulator import DeepSeekEmulator

REASONER = "deepseek/deepseek-reasoner"
HELLO = [{"role": "user", "content": "Hello there, DeepSeek"}]


@pytest.fixture(scope="module")
def server() -> Iterator[DeepSeekEmulator]:
    with DeepSeekEmulator() as emulator:
        yield emulator


@pytest.fixture
def client(server: DeepSeekEmulator) -> Iterator[relaykit.Client]:
    server.reset()
    with relaykit.Client(providers={"deepseek": {"api_key": "test-key", "base_url": server.base_url}}) as c:
        yield c


def _context(model: str = "deepseek-reasoner") -> CallContext:
    settings = DeepSeekSettings(base_url="https://api.deepseek.com", api_key="sk-deepseek-test-0123456789")
    return CallContext(provider="deepseek", kind="deepseek", model=model, settings=settings)


def test_reasoner_answers_carry_reasoning_content(client: relaykit.Client) -> None:
    """deepseek-reasoner's reasoning_content becomes message.reasoning_content, beside the answer."""
    answer = client.chat.completions.create(model=REASONER, messages=HELLO)
    assert answer.text == "You said: Hello there, DeepSeek"
    assert answer.choices[0].message.reasoning_content == "The user wrote 3 words. I will repeat them back."


def test_streamed_reasoning_deltas_assemble_before_the_answer(client: relaykit.Client) -> None:
    """Streamed reasoning arrives as reasoning_content deltas, and assembles into the final message."""
    stream = client.chat.completions.create(model=REASONER, messages=HELLO, stream=True)
    with stream:
        chunks = list(stream)
        final = stream.get_final_completion()
    reasoning = [
        c.choices[0].delta.reasoning_content for c in chunks if c.choices and c.choices[0].delta.reasoning_content
    ]
    assert "".join(reasoning) == "The user wrote 3 words. I will repeat them back."
    assert final.choices[0].message.reasoning_content == "".join(reasoning)
    assert final.text == "You said: Hello there, DeepSeek"


def test_reasoning_content_is_never_sent_back(client: relaykit.Client, server: DeepSeekEmulator) -> None:
    """An assistant turn's reasoning_content stays out of the next request (DeepSeek answers it with a 400)."""
    messages = [
        *HELLO,
        {"role": "assistant", "content": "You said: Hello there", "reasoning_content": "The user greets me."},
        {"role": "user", "content": "And now?"},
    ]
    client.chat.completions.create(model=REASONER, messages=messages)
    sent = server.last_request.json()["messages"]
    assert sent[1] == {"role": "assistant", "content": "You said: Hello there"}


def test_402_insufficient_balance_raises_quota_exceeded(client: relaykit.Client, server: DeepSeekEmulator) -> None:
    """DeepSeek's 402 means the balance is spent: QuotaExceededError, not retryable."""
    server.inject(Fault.status(402))
    with pytest.raises(relaykit.QuotaExceededError) as caught:
        client.chat.completions.create(model="deepseek/deepseek-chat", messages=HELLO)
    assert caught.value.status == 402
    assert caught.value.message == "Insufficient Balance"
    assert not caught.value.retryable


def test_reasoner_refuses_logprobs_before_sending() -> None:
    """logprobs on deepseek-reasoner is refused locally, naming the field; the flow yields nothing."""
    request = relaykit.ChatRequest.model_validate({"model": REASONER, "messages": HELLO, "logprobs": True})
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        next(chat(request, _context()))
    assert caught.value.field == "logprobs"


def test_tools_on_the_reasoner_are_refused_as_unsupported(client: relaykit.Client, server: DeepSeekEmulator) -> None:
    """deepseek-reasoner declares no tools, so a request with tools never leaves the client."""
    tool = {"type": "function", "function": {"name": "get_time"}}
    with pytest.raises(relaykit.UnsupportedCapabilityError):
        client.chat.completions.create(model=REASONER, messages=HELLO, tools=[tool])
    assert server.requests == []


def test_chat_flow_sends_max_tokens_and_system_roles() -> None:
    """The wire uses DeepSeek's names: max_tokens, and developer messages as system."""
    request = relaykit.ChatRequest.model_validate(
        {
            "model": "deepseek/deepseek-chat",
            "messages": [{"role": "developer", "content": "Be brief."}, *HELLO],
            "max_completion_tokens": 32,
        }
    )
    sent = next(chat(request, _context("deepseek-chat")))
    assert isinstance(sent, HttpRequest)
    assert sent.url == "https://api.deepseek.com/chat/completions"
    assert sent.json["max_tokens"] == 32
    assert sent.json["messages"][0]["role"] == "system"


def test_answer_without_reasoning_parses_as_plain_chat() -> None:
    """A deepseek-chat answer (no reasoning_content) is an ordinary ChatCompletion."""
    request = relaykit.ChatRequest.model_validate({"model": "deepseek/deepseek-chat", "messages": HELLO})
    body = (
        b'{"id": "c1", "object": "chat.completion", "created": 1, "model": "deepseek-chat", "choices": [{"index": 0,'
        b' "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}],'
        b' "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}'
    )
    answer = run_to_completion(chat(request, _context("deepseek-chat")), [HttpResponse(200, {}, body)])
    assert isinstance(answer, relaykit.ChatCompletion)
    assert (answer.text, answer.choices[0].message.reasoning_content) == ("Hi", None)
