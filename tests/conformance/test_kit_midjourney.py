"""The conformance kit over the Midjourney plugin, on its emulator.

The task checks (kit 1.1) run an imagine as a Task; the chat-family checks skip, saying why. The plugin's own behaviour is tested in tests/plugins/midjourney.
"""

from __future__ import annotations

from relaykit.testing.kit import Conformance, Target
from relaykit_midjourney import MIDJOURNEY
from relaykit_midjourney.emulator import MidjourneyEmulator


class TestMidjourneyConformance(Conformance):
    """The `midjourney` kind: the midjourney-proxy task API."""

    target = Target(
        provider=MIDJOURNEY,
        model="midjourney",
        emulator=MidjourneyEmulator,
        settings=lambda emulator: {"poll_interval": 0.02},
        kit_version="1.1",
        task=lambda client, provider: client.midjourney.imagine(model=f"{provider}/midjourney", prompt="a paper boat"),
    )
