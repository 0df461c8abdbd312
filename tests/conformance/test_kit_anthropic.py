"""The conformance kit over the Anthropic plugin, on the Claude emulator."""

from __future__ import annotations

from relaykit.plugin import Capability
from relaykit.testing.kit import Conformance, Target
from relaykit_anthropic import ANTHROPIC
from relaykit_anthropic.emulator import AnthropicEmulator

# relaykit's status table (docs/errors.md) makes every 503 an OverloadedError; the Anthropic plugin
# lets Claude's error type decide instead, and the emulator's 503 says "api_error" (ServerError).
_503 = "Anthropic's error type wins over the status: a 503 api_error is a ServerError, not OverloadedError"


class TestAnthropicConformance(Conformance):
    """The `anthropic` kind: Messages chat, and legacy Text Completions with a Claude 2 model."""

    target = Target(
        provider=ANTHROPIC,
        model="claude-sonnet-4-5",
        emulator=AnthropicEmulator,
        models={Capability.COMPLETIONS: "claude-2.1"},
        expected_failures={"test_error_status_maps_to_its_kind[503]": _503},
    )
