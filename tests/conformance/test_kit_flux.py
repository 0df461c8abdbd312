"""The conformance kit over the Flux plugin, on its emulator.

Kit 1.0 has no checks of relaykit's media operations or tasks yet (they are newer than it), so what
runs here is the spec checks and the refusal of what BFL does not offer; the rest skips, saying why.
"""

from __future__ import annotations

from relaykit.testing.kit import Conformance, Target
from relaykit_flux import FLUX
from relaykit_flux.emulator import FluxEmulator


class TestFluxConformance(Conformance):
    """The `flux` kind: FLUX image generation and Fill / Expand edits, all as tasks."""

    target = Target(provider=FLUX, model="flux-pro-1.1", emulator=FluxEmulator)
