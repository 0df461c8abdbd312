"""The conformance kit over the Stability plugin, on its emulator.

The task checks (kit 1.1) run a creative upscale as a Task; the chat-family checks skip, saying why.
"""

from __future__ import annotations

from relaykit.testing.kit import Conformance, Target
from relaykit_stability import STABILITY
from relaykit_stability.emulator import StabilityEmulator

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


class TestStabilityConformance(Conformance):
    """The `stability` kind: image generation, edits, upscales, control and video (as media operations)."""

    target = Target(
        provider=STABILITY,
        model="sd3.5-large",
        emulator=StabilityEmulator,
        settings=lambda emulator: {"poll_interval": 0.02},
        kit_version="1.1",
        task=lambda client, provider: client.media.upscale(
            mode="creative", model=f"{provider}/stable-image", image=PNG, prompt="a castle"
        ),
    )
