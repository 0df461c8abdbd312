"""Plugin discovery: entry points, RELAYKIT_PLUGINS, duplicate provider names."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest

import relaykit
from relaykit._plugins import get_registry, load_registry, reset_registry
from relaykit.hookspecs import hookimpl
from relaykit.plugin import Capability, Operation, ProviderSpec


@dataclass
class FakeEntryPoint:
    """Quacks like importlib.metadata.EntryPoint for load_registry."""

    name: str
    plugin: Any
    distribution: str
    value: str = "fake:plugin"

    @property
    def dist(self) -> Any:
        return SimpleNamespace(name=self.distribution)

    def load(self) -> Any:
        if isinstance(self.plugin, Exception):
            raise self.plugin
        return self.plugin


def _plugin(*names: str) -> Any:
    class Plugin:
        @hookimpl
        def register_providers(self, register: Any) -> None:
            for name in names:
                register(
                    ProviderSpec(
                        name=name,
                        description="test",
                        capabilities=frozenset({Capability.CHAT}),
                        operations={Operation.CHAT: "tests.nowhere:chat"},
                        default_base_url="http://127.0.0.1:1",
                    )
                )

    return Plugin()


def test_first_party_plugins_register_through_entry_points() -> None:
    """The openai plugin is found through the relaykit entry-point group, attributed to its distribution."""
    registry = relaykit.providers()
    assert {"openai", "openai-compatible"} <= set(registry)
    assert registry["openai"].distribution == "relaykit"


def test_two_providers_with_one_name_fail_naming_both_distributions() -> None:
    """A duplicate provider name is a loud PluginError that names both distributions."""
    eps = [FakeEntryPoint("one", _plugin("acme"), "acme-one"), FakeEntryPoint("two", _plugin("acme"), "acme-two")]
    with pytest.raises(relaykit.PluginError) as caught:
        load_registry(eps)
    assert "acme-one" in str(caught.value)
    assert "acme-two" in str(caught.value)


def test_relaykit_plugins_restricts_what_loads() -> None:
    """Only the entry points RELAYKIT_PLUGINS names are loaded."""
    eps = [FakeEntryPoint("one", _plugin("a"), "d1"), FakeEntryPoint("two", _plugin("b"), "d2")]
    registry = load_registry(eps, only="two")
    assert list(registry) == ["b"]


def test_relaykit_plugins_environment_variable_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    """With RELAYKIT_PLUGINS set to nothing known, no provider loads."""
    monkeypatch.setenv("RELAYKIT_PLUGINS", "nonesuch")
    reset_registry()
    try:
        assert len(get_registry()) == 0
    finally:
        reset_registry()


def test_a_plugin_that_fails_to_import_names_itself() -> None:
    """An import error in a plugin becomes a PluginError naming the entry point and distribution."""
    eps = [FakeEntryPoint("broken", ImportError("no module named acme_sdk"), "acme-broken")]
    with pytest.raises(relaykit.PluginError, match=r"broken.*acme-broken"):
        load_registry(eps)


def test_registering_something_else_than_a_spec_is_refused() -> None:
    """register() accepts ProviderSpec only."""

    class Bad:
        @hookimpl
        def register_providers(self, register: Any) -> None:
            register({"name": "x"})

    with pytest.raises(relaykit.PluginError, match="not a ProviderSpec"):
        load_registry([FakeEntryPoint("bad", Bad(), "bad-dist")])


def test_flows_are_imported_only_when_first_used() -> None:
    """A spec names its flows as strings; load() imports the module on demand."""
    spec = relaykit.providers()["openai"]
    flow = spec.load(Operation.CHAT)
    assert flow.__module__ == "relaykit_openai._chat"


def test_a_registry_of_specs_serves_a_client_without_installing_the_plugin() -> None:
    """ProviderRegistry.of lets a plugin author test an uninstalled provider through the public client."""
    from relaykit.plugin import ProviderRegistry

    spec = relaykit.providers()["openai-compatible"]
    registry = ProviderRegistry.of(spec)
    client = relaykit.Client(
        providers={"local": {"kind": "openai-compatible", "base_url": "http://127.0.0.1:9/v1"}}, registry=registry
    )
    assert client.resolver.registry["openai-compatible"].distribution == "local"
    assert list(registry) == ["openai-compatible"]
    client.close()
