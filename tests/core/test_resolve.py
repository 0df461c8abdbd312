"""Model resolution: aliases, provider/model, default provider, capabilities, keys — before any send."""

from __future__ import annotations

import pytest

import relaykit
from relaykit._config import Config
from relaykit._resolve import Resolver
from relaykit._resources._chat import chat_needs
from relaykit._types._base import validate_request
from relaykit._types._chat import ChatRequest
from relaykit.plugin import Capability, Operation


def _resolver(**config: object) -> Resolver:
    return Resolver(Config.from_mapping(config), environ={"OPENAI_API_KEY": "sk-test-key-123456"})


def test_provider_slash_model_splits_on_the_first_slash() -> None:
    """Model ids may contain slashes themselves."""
    resolver = _resolver(providers={"router": {"kind": "openai-compatible", "base_url": "http://127.0.0.1:1/v1"}})
    assert resolver.split("router/meta-llama/Llama-3-8b") == ("router", "meta-llama/Llama-3-8b")


def test_alias_expands_to_its_target() -> None:
    """An alias resolves to provider and vendor model."""
    target = _resolver(aliases={"fast": "openai/gpt-4o-mini"}).target("fast", Operation.CHAT)
    assert (target.provider, target.model) == ("openai", "gpt-4o-mini")


def test_default_provider_serves_bare_model_names() -> None:
    """With default_provider, a bare model name is sent to it."""
    target = _resolver(default_provider="openai").target("gpt-4o", Operation.CHAT)
    assert (target.provider, target.model) == ("openai", "gpt-4o")


def test_unknown_provider_is_an_invalid_request_naming_model() -> None:
    """A model naming no known provider raises InvalidRequestError on field 'model'."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _resolver().target("nonesuch/x", Operation.CHAT)
    assert caught.value.field == "model"
    assert "openai" in str(caught.value)


def test_missing_capability_is_refused_before_sending() -> None:
    """A model that cannot serve a need raises UnsupportedCapabilityError naming it."""
    with pytest.raises(relaykit.UnsupportedCapabilityError, match=r"chat\.tools"):
        _resolver().target("openai/text-embedding-3-small", Operation.CHAT, {Capability.CHAT, Capability.TOOLS})


def test_missing_api_key_names_the_environment_variable() -> None:
    """No key: a ConfigurationError that says which variable to set."""
    resolver = Resolver(Config(), environ={})
    with pytest.raises(relaykit.ConfigurationError, match="OPENAI_API_KEY"):
        resolver.target("openai/gpt-4o", Operation.CHAT)


def test_compatible_provider_needs_no_key() -> None:
    """The openai-compatible kind calls anonymously when no key is configured."""
    resolver = Resolver(
        Config.from_mapping(
            {"providers": {"local": {"kind": "openai-compatible", "base_url": "http://127.0.0.1:1/v1"}}}
        ),
        environ={},
    )
    target = resolver.target("local/llama", Operation.CHAT)
    assert target.settings.api_key is None


def test_shared_state_expires_entries_and_hashes_keys() -> None:
    """Flow state forgets entries after their ttl, and keys built from secrets do not contain them."""
    from relaykit.plugin import SharedState, state_key

    now = [100.0]
    state = SharedState(clock=lambda: now[0])
    key = state_key("ernie", "api-key-123", "secret-456")
    assert "api-key-123" not in key
    assert "secret-456" not in key
    state.set(key, "token", ttl=10)
    assert state.get(key) == "token"
    now[0] = 110.0
    assert state.get(key) is None


def test_every_call_context_shares_the_process_state() -> None:
    """Sync and async clients' flows see one store unless a test gives its own."""
    target = _resolver().target("openai/gpt-4o", Operation.CHAT)
    assert target.context().state is target.context().state


def test_a_resolution_is_remembered_per_model_operation_and_needs() -> None:
    """Repeated calls get the same target; other needs or another operation are resolved apart."""
    resolver = _resolver()
    first = resolver.target("openai/gpt-4o", Operation.CHAT, frozenset({Capability.TOOLS}))
    assert resolver.target("openai/gpt-4o", Operation.CHAT, [Capability.TOOLS]) is first
    assert resolver.target("openai/gpt-4o", Operation.CHAT) is not first
    assert resolver.target("openai/text-embedding-3-small", Operation.EMBEDDING).model == "text-embedding-3-small"


def test_a_failed_resolution_is_not_remembered() -> None:
    """A refusal is raised again on the next call, not turned into a remembered answer."""
    resolver = _resolver()
    for _ in range(2):
        with pytest.raises(relaykit.UnsupportedCapabilityError):
            resolver.target("openai/gpt-4o", Operation.TASK_GET)


def test_the_remembered_resolutions_stay_bounded() -> None:
    """Model names that vary per call do not grow the memory without end."""
    resolver = _resolver()
    for index in range(600):
        resolver.target(f"openai/model-{index}", Operation.CHAT)
    assert len(resolver._targets) <= 256


def test_a_call_without_provider_options_reuses_one_read_only_context() -> None:
    """The context is made once per target; its empty options cannot be changed by a flow."""
    target = _resolver().target("openai/gpt-4o", Operation.CHAT)
    ctx = target.context()
    assert target.context({}) is ctx
    assert (ctx.provider, ctx.model, dict(ctx.options)) == ("openai", "gpt-4o", {})
    with pytest.raises(TypeError):
        ctx.options["service_tier"] = "flex"  # type: ignore[index]


def test_a_call_with_provider_options_gets_its_own_context() -> None:
    """Options are per request: each such call has a context of its own, the shared one untouched."""
    target = _resolver().target("openai/gpt-4o", Operation.CHAT)
    ctx = target.context({"service_tier": "flex"})
    assert ctx.options == {"service_tier": "flex"}
    assert ctx is not target.context({"service_tier": "flex"})
    assert dict(target.context().options) == {}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, {Capability.CHAT}),
        ({"stream": True}, {Capability.CHAT, Capability.CHAT_STREAM}),
        (
            {"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]},
            {Capability.CHAT, Capability.TOOLS},
        ),
        ({"response_format": {"type": "json_object"}}, {Capability.CHAT, Capability.JSON_OBJECT}),
        (
            {
                "stream": True,
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {"type": "text", "text": "what is this?"},
                            {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                        ],
                    }
                ],
            },
            {Capability.CHAT, Capability.CHAT_STREAM, Capability.VISION},
        ),
    ],
)
def test_a_chat_request_needs_what_its_fields_use(extra: dict[str, object], expected: set[Capability]) -> None:
    """Streaming, tools, images and response formats each add their capability; plain chat needs only chat."""
    params: dict[str, object] = {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "hi"}], **extra}
    needs = chat_needs(validate_request(ChatRequest, params))
    assert needs == frozenset(expected)


@pytest.mark.parametrize("stream", [False, True])
def test_plain_chat_requests_share_one_needs_set(stream: bool) -> None:
    """Text-only requests get the same frozenset each call (its hash, the resolver's key, is computed once)."""

    def needs() -> frozenset[Capability]:
        params = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": stream}
        return chat_needs(validate_request(ChatRequest, params))

    assert needs() is needs()
