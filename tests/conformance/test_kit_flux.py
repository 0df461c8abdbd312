"""The conformance kit over the Flux plugin, on its emulator.

The task checks (kit 1.1) run a FLUX generation as a Task; the chat-family checks skip, saying why.
"""

from __future__ import annotations

from relaykit.testing.kit import Conformance, Target
from relaykit_flux import FLUX
from relaykit_flux.emulator import FluxEmulator


class TestFluxConformance(Conformance):
    """The `flux` kind: FLUX image generation and Fill / Expand edits, all as tasks."""

    target = Target(
        provider=FLUX,
        model="flux-pro-1.1",
        emulator=FluxEmulator,
        settings=lambda emulator: {"poll_interval": 0.02},
        kit_version="1.1",
        task=lambda client, provider: client.media.generate(model=f"{provider}/flux-pro-1.1", prompt="a lighthouse"),
    )
