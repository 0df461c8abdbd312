"""relaykit's conformance kit over the installed plugin: found through its entry point, run on its emulator."""

from __future__ import annotations

import relaykit
from relaykit.testing.kit import Conformance, Target
from relaykit_deepseek.emulator import DeepSeekEmulator


def test_the_installed_plugin_is_discovered_through_its_entry_point() -> None:
    """relaykit finds the deepseek kind among the installed plugins, from this distribution."""
    spec = relaykit.providers()["deepseek"]
    assert spec.distribution == "relaykit-deepseek"
    assert spec.default_base_url == "https://api.deepseek.com"


class TestDeepSeekConformance(Conformance):
    """Every check the deepseek kind's capabilities call for (the kind is looked up by name: discovery)."""

    target = Target(provider="deepseek", model="deepseek-chat", emulator=DeepSeekEmulator, kit_version="1.0")


class TestDeepSeekReasonerConformance(Conformance):
    """The reasoning model: chat and streams only (no tools, no JSON output), answers with reasoning."""

    target = Target(provider="deepseek", model="deepseek-reasoner", emulator=DeepSeekEmulator, kit_version="1.0")
