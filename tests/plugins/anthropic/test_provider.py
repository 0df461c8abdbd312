"""The anthropic provider kind: registration, settings, per-model capabilities."""

from __future__ import annotations

import httpx2
import pytest

import relaykit
from relaykit.plugin import Capability

from ._helpers import USER, WEATHER_TOOL, Recorder


def test_anthropic_kind_is_registered_through_its_entry_point() -> None:
    """The plugin is found like any third-party one, with its defaults and emulator."""
    spec = relaykit.providers()["anthropic"]
    assert spec.distribution == "relaykit"
    assert spec.default_base_url == "https://api.anthropic.com"
    assert spec.default_api_key_env == "ANTHROPIC_API_KEY"
    assert spec.emulator == "relaykit_anthropic.emulator:AnthropicEmulator"


def test_settings_defaults_are_documented_values() -> None:
    """Version pinned to 2023-06-01, 4096 default max tokens, no thinking, auto JSON-schema mode."""
    settings = relaykit.providers()["anthropic"].settings_model(base_url="https://api.anthropic.com")
    assert settings.model_dump(include={"anthropic_version", "default_max_tokens", "thinking_budget"}) == {
        "anthropic_version": "2023-06-01",
        "default_max_tokens": 4096,
        "thinking_budget": None,
    }
    assert settings.model_dump()["legacy_models"] == ["claude-2", "claude-instant"]


@pytest.mark.parametrize(
    ("model", "tools", "completions"),
    [
        ("claude-sonnet-4-5", True, False),
        ("claude-3-5-haiku-latest", True, False),
        ("claude-2.1", False, True),
        ("claude-instant-1.2", False, True),
        ("gateway-alias", True, True),
    ],
)
def test_capabilities_narrow_per_model_family(model: str, tools: bool, completions: bool) -> None:
    """Legacy models lack tools/vision/JSON; Messages-only models lack /v1/complete; unknown names keep all."""
    capabilities = relaykit.providers()["anthropic"].capabilities_for(model)
    assert (Capability.TOOLS in capabilities, Capability.COMPLETIONS in capabilities) == (tools, completions)
    assert Capability.CHAT_STREAM in capabilities


def test_tools_on_a_legacy_model_fail_before_sending() -> None:
    """The router-facing capability check refuses tools for claude-2 without a request."""
    recorder = Recorder(lambda request: httpx2.Response(500))
    client = relaykit.Client(
        providers={"anthropic": {"api_key": "sk-ant-test-key"}},
        http_client=httpx2.Client(transport=httpx2.MockTransport(recorder)),
    )
    with client, pytest.raises(relaykit.UnsupportedCapabilityError):
        client.chat.completions.create(model="anthropic/claude-2.1", messages=USER, tools=[WEATHER_TOOL])
    assert recorder.requests == []


def test_missing_key_names_the_environment_variable() -> None:
    """Without a key the call fails before sending, naming ANTHROPIC_API_KEY."""
    client = relaykit.Client(providers={"anthropic": {}}, environ={})
    with client, pytest.raises(relaykit.ConfigurationError, match="ANTHROPIC_API_KEY"):
        client.chat.completions.create(model="anthropic/claude-sonnet-4-5", messages=USER)


def test_bad_setting_is_a_configuration_error_naming_the_key() -> None:
    """A thinking budget below Claude's minimum fails when the client is built."""
    with pytest.raises(relaykit.ConfigurationError, match=r"providers\.anthropic\.thinking_budget"):
        relaykit.Client(providers={"anthropic": {"api_key": "k", "thinking_budget": 100}})
