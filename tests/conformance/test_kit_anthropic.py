"""The conformance kit over the Anthropic plugin, on the Claude emulator."""

from __future__ import annotations

from relaykit.plugin import Capability
from relaykit.testing.kit import Conformance, Target
from relaykit_anthropic import ANTHROPIC
from relaykit_anthropic.emulator import AnthropicEmulator


class TestAnthropicConformance(Conformance):
    """The `anthropic` kind: Messages chat, and legacy Text Completions with a Claude 2 model."""

    target = Target(
        provider=ANTHROPIC,
        model="claude-sonnet-4-5",
        emulator=AnthropicEmulator,
        models={Capability.COMPLETIONS: "claude-2.1"},
    )
