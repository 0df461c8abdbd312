"""The conformance kit over the Midjourney plugin, on its emulator.

Kit 1.0 has no checks of Midjourney's own operations or of tasks yet, so what runs here is the spec
checks and the refusal of what the proxy does not offer (chat, embeddings...); the rest skips,
saying why. The plugin's own behaviour is tested in tests/plugins/midjourney.
"""

from __future__ import annotations

from relaykit.testing.kit import Conformance, Target
from relaykit_midjourney import MIDJOURNEY
from relaykit_midjourney.emulator import MidjourneyEmulator


class TestMidjourneyConformance(Conformance):
    """The `midjourney` kind: the midjourney-proxy task API."""

    target = Target(provider=MIDJOURNEY, model="midjourney", emulator=MidjourneyEmulator)
