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


def test_the_fast_entry_point_scan_finds_what_importlib_metadata_finds() -> None:
    """Names, values and distributions of the relaykit group, read without importlib.metadata, match it."""
    from importlib.metadata import entry_points

    from relaykit._entry_points import find_entry_points

    ours = sorted((ep.name, ep.value, ep.dist.name) for ep in find_entry_points("relaykit"))
    theirs = sorted((ep.name, ep.value, ep.dist.name) for ep in entry_points(group="relaykit"))
    assert ours == theirs
    assert len(ours) >= 10


def test_entry_points_of_a_zipped_path_come_from_importlib_metadata(tmp_path: Any, monkeypatch: Any) -> None:
    """A zip file on sys.path sends discovery to importlib.metadata, which can read it."""
    import sys
    import zipfile

    from relaykit._entry_points import find_entry_points

    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("zipped_plugin-1.0.dist-info/METADATA", "Name: zipped-plugin\nVersion: 1.0\n\n")
        zipped.writestr("zipped_plugin-1.0.dist-info/entry_points.txt", "[relaykit]\nzipped = zipped_plugin:plugin\n")
    monkeypatch.setattr(sys, "path", [*sys.path, str(archive)])
    found = {(ep.name, ep.dist.name) for ep in find_entry_points("relaykit")}
    assert ("zipped", "zipped-plugin") in found
    assert ("openai", "relaykit") in found


def test_a_found_entry_point_loads_its_attribute(tmp_path: Any, monkeypatch: Any) -> None:
    """``module:attribute.path`` (an extras suffix ignored) imports the module and walks the attribute."""
    import sys

    from relaykit._entry_points import find_entry_points

    (tmp_path / "scanned_plugin.py").write_text("class Holder:\n    plugin = 'the plugin'\n")
    info = tmp_path / "scanned_plugin-2.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: Scanned.Plugin\nVersion: 2.0\n\nbody\n")
    (info / "entry_points.txt").write_text(
        "# comment\n[other]\nx = y:z\n\n[relaykit]\nscanned = scanned_plugin:Holder.plugin [extra]\n"
    )
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    [found] = [ep for ep in find_entry_points("relaykit") if ep.name == "scanned"]
    assert (found.dist.name, found.load()) == ("Scanned.Plugin", "the plugin")


def test_registering_every_plugin_builds_no_pydantic_validator() -> None:
    """Cold start: plugins register without building a model's validator (that waits for first use)."""
    import subprocess
    import sys

    code = (
        "import sys, relaykit; relaykit.providers(); "
        "print('pydantic.plugin._loader' in sys.modules, 'relaykit_midjourney._submit' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert done.stdout.split() == ["False", "False"]


def test_registering_every_plugin_leaves_flow_error_and_logging_modules_unimported() -> None:
    """Cold start: a plugin's `__init__` takes its spec types from `relaykit.plugin` (loaded lazily), so
    the modules its flows use later (effects, errors, status table, logging, relay errors) wait."""
    import subprocess
    import sys

    waiting = [
        "relaykit._flow",
        "relaykit._errors",
        "relaykit._status",
        "relaykit._log",
        "relaykit._events",
        "relaykit_openai._common",
        "relaykit_vocka._relay_errors",
    ]
    code = f"import sys, relaykit; relaykit.providers(); print([m for m in {waiting!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert done.stdout.strip() == "[]"


def test_lazily_exported_names_resolve_and_unknown_ones_raise() -> None:
    """`relaykit.plugin`, `relaykit.hookspecs` and `relaykit_vocka.relay` serve every public name."""
    import relaykit.hookspecs
    import relaykit.plugin
    import relaykit_vocka.relay

    for module in (relaykit.plugin, relaykit.hookspecs, relaykit_vocka.relay):
        for name in module.__all__:
            assert getattr(module, name) is not None, (module.__name__, name)
        with pytest.raises(AttributeError, match="no_such_name"):
            module.no_such_name  # noqa: B018
