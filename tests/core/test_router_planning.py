"""The router's planning: ordering, cooldown, capability-aware selection, per-deployment options.

Also conversation portability across vendors and the requests continuation mode sends.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import anyio
import httpx2
import pytest
import stamina
import structlog

import relaykit
from relaykit._routing._config import Deployment, Route
from relaykit._routing._cooldown import CooldownRegistry, cooldowns
from relaykit._routing._plan import continued, order
from relaykit._types._base import validate_request
from relaykit._types._chat import ChatCompletion, ChatRequest
from relaykit._types._completions import Completion, CompletionRequest
from relaykit.plugin import Capability
from relaykit_openai import OPENAI

from ..router_support import (
    MESSAGES,
    PNG,
    WEATHER,
    Fleet,
    ask,
    chat,
    close,
    default_providers,
    default_registry,
    error,
    make_client,
    route,
)


@pytest.fixture(autouse=True)
def _router_testing() -> Iterator[None]:
    """No sleeping between retries (real attempt counts), and a fresh process-wide cooldown registry."""
    cooldowns().clear()
    with stamina.set_testing(True, attempts=1000, cap=True):
        yield
    cooldowns().clear()


# -- ordering ------------------------------------------------------------------------------------------


def test_priority_tiers_come_first_then_listing_order() -> None:
    """Lower priority first; within a tier, the order written."""
    fleet = Fleet()
    fleet.script("a", error(401))
    fleet.script("b", error(401))
    smart = route({"model": "c/m", "priority": 1}, "a/m", "b/m")
    answer = ask(make_client(fleet, smart))
    assert fleet.order == ["a", "b", "c"]
    assert answer.route.failed == ["a/m", "b/m"]


def test_weighted_order_is_random_by_weight_within_a_tier() -> None:
    """`weighted` draws the order by weight (Efraimidis-Spirakis); higher tiers still come last."""
    deployments = (
        Deployment("a/m", weight=1, index=0),
        Deployment("b/m", weight=3, index=1),
        Deployment("c/m", weight=100, priority=1, index=2),
    )
    smart = Route("smart", deployments, "weighted")
    rng = random.Random(20240601)  # noqa: S311 - a seeded draw, not cryptography
    firsts = Counter(order(smart, CooldownRegistry(), rng.random)[0].model for _ in range(4000))
    assert set(firsts) == {"a/m", "b/m"}
    assert 0.72 < firsts["b/m"] / 4000 < 0.78
    assert all(order(smart, CooldownRegistry(), rng.random)[-1].model == "c/m" for _ in range(100))


def test_weighted_routing_through_the_client_follows_the_weights() -> None:
    """Through the client (seeded), the first pick follows the weights and ordered routes never vary."""
    random.seed(7)
    fleet = Fleet()
    client = make_client(
        fleet, route({"model": "a/m", "weight": 1}, {"model": "b/m", "weight": 4}, strategy="weighted")
    )
    for _ in range(300):
        ask(client)
    counts = Counter(fleet.order)
    assert counts["a"] + counts["b"] == 300
    assert 0.7 < counts["b"] / 300 < 0.9


# -- cooldown ----------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_cooldown_is_shared_by_sync_and_async_clients_and_probed_after_it_expires() -> None:
    """A deployment cooled down by a sync client is tried last by an async one, and first again later."""
    fleet = Fleet()
    policy = {"cooldown_failures": 1, "cooldown": 0.3}
    sync_client = make_client(fleet, route("a/m", "b/m", **policy))
    async_client = make_client(fleet, route("a/m", "b/m", **policy), aio=True)
    fleet.script("a", error(401))
    assert (await chat(sync_client)).route.deployment == "b/m"
    assert (await chat(async_client)).route.deployment == "b/m"
    assert fleet.order == ["a", "b", "b"]  # the async client passed over the cooled deployment
    await anyio.sleep(0.35)
    assert (await chat(async_client)).route.deployment == "a/m"  # probed again, and healthy
    assert (await chat(sync_client)).route.deployment == "a/m"
    assert fleet.order == ["a", "b", "b", "a", "a"]
    await close(async_client)


def test_cooldown_needs_consecutive_failures_and_a_success_clears_them() -> None:
    """cooldown_failures consecutive failed requests cool a deployment down; a success in between resets."""
    fleet = Fleet()
    client = make_client(fleet, route("a/m", "b/m", cooldown_failures=2, cooldown=30))
    fleet.script("a", error(401), "ok", error(401), error(401))
    for _ in range(5):
        ask(client)
    assert fleet.order == ["a", "b", "a", "a", "b", "a", "b", "b"]


def test_a_failed_probe_cools_the_deployment_down_again_at_once() -> None:
    """After a cooldown, one more failure cools the deployment down again (no new failure count)."""
    fleet = Fleet()
    client = make_client(fleet, route("a/m", "b/m", cooldown_failures=2, cooldown=0.2))
    fleet.script("a", error(401), times=3)
    ask(client)
    ask(client)  # second failure: cooled down
    ask(client)  # passed over
    time.sleep(0.25)
    ask(client)  # probed: fails
    ask(client)  # passed over again
    assert fleet.order == ["a", "b", "a", "b", "b", "a", "b", "b"]


def test_a_cooled_deployment_is_still_tried_when_the_others_fail() -> None:
    """Cooled-down deployments go last, not away: they serve when every other one fails."""
    fleet = Fleet()
    client = make_client(fleet, route("a/m", "b/m", cooldown_failures=1, cooldown=30))
    fleet.script("a", error(401))
    ask(client)
    fleet.script("b", error(401))
    assert ask(client).route == relaykit.RouteInfo(route="smart", deployment="a/m", attempts=2, failed=["b/m"])
    assert fleet.order == ["a", "b", "b", "a"]


def test_the_cooldown_registry_counts_per_key_with_its_clock() -> None:
    """The registry: threshold, deadline, success clearing, re-cooling after a failed probe."""
    now = [100.0]
    registry_ = CooldownRegistry(clock=lambda: now[0])
    assert not registry_.failed("k", threshold=2, cooldown=10)
    assert registry_.failed("k", threshold=2, cooldown=10)
    assert registry_.is_cooling("k")
    assert not registry_.is_cooling("other")
    now[0] = 110.5
    assert not registry_.is_cooling("k")
    assert registry_.failed("k", threshold=2, cooldown=10)
    registry_.succeeded("k")
    assert not registry_.failed("k", threshold=2, cooldown=10)
    assert not registry_.failed("x", threshold=1, cooldown=0)  # cooldown 0 turns cooling off


# -- capability-aware planning ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"tools": [WEATHER]},
        {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": PNG}}]}]},
        {"response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}}},
    ],
    ids=["tools", "vision", "json_schema"],
)
def test_deployments_that_cannot_serve_the_request_are_skipped_before_any_call(params: dict[str, Any]) -> None:
    """A legacy Claude model (no tools, images or JSON schema) is skipped without a request."""
    fleet = Fleet()
    client = make_client(fleet, route("anthropic/claude-2.1", "a/gpt-4o"))
    answer = ask(client, **params)
    assert fleet.order == ["a"]
    assert answer.route == relaykit.RouteInfo(route="smart", deployment="a/gpt-4o", attempts=1, failed=[])


def test_streaming_capability_is_checked_too() -> None:
    """A provider kind without chat.stream is skipped for a streamed request only."""
    plain = replace(OPENAI, name="plain", capabilities=OPENAI.capabilities - {Capability.CHAT_STREAM})
    config = default_providers(p={"kind": "plain", "api_key": "sk-test", "base_url": "https://p.test/v1"})
    fleet = Fleet()
    client = make_client(fleet, route("p/m"), providers=config, registry=default_registry(plain))
    assert ask(client).route.deployment == "p/m"
    with pytest.raises(relaykit.NoDeploymentError) as caught:
        ask(client, stream=True)
    assert "chat.stream" in caught.value.reasons["p/m"]
    assert fleet.order == ["p"]


def test_embedding_dimensions_skip_models_that_cannot_shorten_vectors() -> None:
    """`dimensions` skips text-embedding-ada-002; without it the first deployment serves."""
    fleet = Fleet()
    client = make_client(
        fleet, route("anthropic/claude-sonnet-4-5", "a/text-embedding-ada-002", "b/text-embedding-3-small")
    )
    result = client.embeddings.create(model="smart", input="hi", dimensions=2, encoding_format="float")
    assert result.route == relaykit.RouteInfo(route="smart", deployment="b/text-embedding-3-small", attempts=1)
    result = client.embeddings.create(model="smart", input="hi", encoding_format="float")
    assert result.route is not None
    assert result.route.deployment == "a/text-embedding-ada-002"
    assert fleet.order == ["b", "a"]


def test_no_deployment_error_gives_a_reason_per_deployment_and_sends_nothing() -> None:
    """When none can serve: NoDeploymentError with each deployment's reason (capability, key, params)."""
    fleet = Fleet()
    config = default_providers(nokey={"kind": "openai", "base_url": "https://nokey.test/v1"})
    smart = route(
        "anthropic/claude-2.1",
        "nokey/gpt-4o",
        {"model": "a/gpt-4o", "params": {"temperature": "hot"}},
        "b/text-embedding-3-small",
    )
    client = make_client(fleet, smart, providers=config, environ={})
    with pytest.raises(relaykit.NoDeploymentError) as caught:
        client.chat.completions.create(model="smart", messages=MESSAGES, tools=[WEATHER])
    reasons = caught.value.reasons
    assert list(reasons) == ["anthropic/claude-2.1", "nokey/gpt-4o", "a/gpt-4o", "b/text-embedding-3-small"]
    assert "chat.tools" in reasons["anthropic/claude-2.1"]
    assert "OPENAI_API_KEY" in reasons["nokey/gpt-4o"]
    assert "temperature" in reasons["a/gpt-4o"]
    assert "chat" in reasons["b/text-embedding-3-small"]
    assert caught.value.route == "smart"
    assert isinstance(caught.value, relaykit.UnsupportedCapabilityError)
    assert "anthropic/claude-2.1: " in str(caught.value)
    assert fleet.calls == []


def test_an_operation_a_provider_lacks_skips_it() -> None:
    """Anthropic has no embeddings endpoint: an embeddings route skips it."""
    fleet = Fleet()
    client = make_client(fleet, route("anthropic/claude-sonnet-4-5"))
    with pytest.raises(relaykit.NoDeploymentError, match="does not implement embedding"):
        client.embeddings.create(model="smart", input="hi")


# -- per-deployment params and provider_options ------------------------------------------------------


def test_deployment_params_and_provider_options_apply_to_that_deployment_only() -> None:
    """A deployment's params override request fields and its provider_options merge into the caller's."""
    fleet = Fleet()
    fleet.script("a", error(500))
    smart = route(
        {"model": "a/gpt-4o", "params": {"max_tokens": 5, "temperature": 0.25}, "provider_options": {"seed": 7}},
        "b/gpt-4o-mini",
        retries=0,
    )
    client = make_client(fleet, smart)
    ask(client, temperature=0.9, provider_options={"a": {"user": "u1"}, "b": {"user": "u2"}, "openai": {"top_p": 0.5}})
    first, second = fleet.calls
    assert first[1]["max_completion_tokens"] == 5
    assert (first[1]["temperature"], first[1]["seed"], first[1]["user"], first[1]["top_p"]) == (0.25, 7, "u1", 0.5)
    assert (second[1]["temperature"], second[1]["user"], second[1]["top_p"]) == (0.9, "u2", 0.5)
    assert "seed" not in second[1]
    assert "max_completion_tokens" not in second[1]


def test_deployment_provider_options_win_over_the_callers() -> None:
    """On a clash the deployment's own option wins."""
    fleet = Fleet()
    client = make_client(fleet, route({"model": "a/m", "provider_options": {"user": "deployment"}}))
    ask(client, provider_options={"a": {"user": "caller"}})
    assert fleet.calls[0][1]["user"] == "deployment"


def test_each_deployment_gets_its_own_vendor_model_id() -> None:
    """The request sent to each deployment names that deployment's model."""
    fleet = Fleet()
    fleet.script("a", error(401))
    client = make_client(fleet, route("a/gpt-4o", "anthropic/claude-sonnet-4-5"))
    answer = ask(client)
    assert [body["model"] for _, body in fleet.calls] == ["gpt-4o", "claude-sonnet-4-5"]
    assert answer.text == "from anthropic"


def test_a_conversation_moved_to_another_vendor_drops_signed_thinking_with_a_notice() -> None:
    """Claude's signed thinking in the history does not fail the fallback to OpenAI: dropped, and logged."""
    fleet = Fleet()
    fleet.script(
        "anthropic",
        lambda: httpx2.Response(
            529, json={"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
        ),
    )
    thinking = {"type": "reasoning", "text": "Let me think.", "signature": "sig-abc", "provider": "anthropic"}
    history = [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!", "reasoning": [thinking]},
        {"role": "user", "content": "And now?"},
    ]
    client = make_client(fleet, route("anthropic/claude-sonnet-4-5", "a/gpt-4o", retries=0))
    with structlog.testing.capture_logs() as logs:
        answer = ask(client, messages=history)
    assert answer.route.deployment == "a/gpt-4o"
    sent = fleet.bodies("a")[0]["messages"]
    assert sent[1] == {"role": "assistant", "content": "Hello!"}
    assert "sig-abc" not in json.dumps(sent)
    (notice,) = (e for e in logs if e["event"] == "relaykit.reasoning.dropped")
    assert (notice["provider"], notice["blocks"], notice["from_providers"]) == ("a", 1, ["anthropic"])


# -- continuation requests ---------------------------------------------------------------------------


def test_a_continued_chat_request_ends_with_the_partial_text_as_an_assistant_message() -> None:
    """Continuation appends the partial text as an assistant prefill to the request as planned."""
    request = validate_request(ChatRequest, {"model": "a/m", "messages": MESSAGES, "temperature": 0.5})
    partial = ChatCompletion.model_validate(
        {
            "id": "x",
            "created": 0,
            "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Once upon"}}],
        }
    )
    again = continued(request, partial)
    assert [m.model_dump(exclude_none=True) for m in again.messages][-1] == {
        "role": "assistant",
        "content": "Once upon",
    }
    assert (len(again.messages), again.temperature) == (2, 0.5)


def test_a_continued_completion_request_appends_the_text_to_the_prompt() -> None:
    """Legacy completions continue by extending the prompt."""
    request = validate_request(CompletionRequest, {"model": "a/m", "prompt": "Say:"})
    partial = Completion.model_validate(
        {"id": "x", "created": 0, "model": "m", "choices": [{"index": 0, "text": " hello", "finish_reason": None}]}
    )
    assert continued(request, partial).prompt == "Say: hello"


def test_a_partial_tool_call_cannot_be_continued() -> None:
    """A partial answer holding a tool call is refused: InvalidRequestError."""
    request = validate_request(ChatRequest, {"model": "a/m", "messages": MESSAGES})
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a"'}}
    partial = ChatCompletion.model_validate(
        {
            "id": "x",
            "created": 0,
            "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", "tool_calls": [call]}}],
        }
    )
    with pytest.raises(relaykit.InvalidRequestError, match="tool call"):
        continued(request, partial)
