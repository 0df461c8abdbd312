"""The conformance kit over the Stability plugin, on its emulator.

Kit 1.0 has no checks of relaykit's media operations yet (they are newer than it), so what runs
here is the spec checks and the refusal of what Stability does not offer; the rest skips, saying why.
"""

from __future__ import annotations

from relaykit.testing.kit import Conformance, Target
from relaykit_stability import STABILITY
from relaykit_stability.emulator import StabilityEmulator


class TestStabilityConformance(Conformance):
    """The `stability` kind: image generation, edits, upscales, control and video (as media operations)."""

    target = Target(provider=STABILITY, model="sd3.5-large", emulator=StabilityEmulator)
