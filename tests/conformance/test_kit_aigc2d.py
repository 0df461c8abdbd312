"""The conformance kit over the AIGC2D relay plugin, on its emulator (chat only)."""

from __future__ import annotations

from relaykit.testing.kit import Conformance, Target
from relaykit_aigc2d import AIGC2D
from relaykit_aigc2d.emulator import AIGC2DEmulator


class TestAIGC2DConformance(Conformance):
    """The `aigc2d` kind: chat with functions and streaming (gpt-3.5-turbo-1106 has JSON mode)."""

    target = Target(provider=AIGC2D, model="gpt-3.5-turbo-1106", emulator=AIGC2DEmulator)
