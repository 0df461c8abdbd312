"""The conformance kit over the ERNIE plugin: the `ernie` (Qianfan v1) and `qianfan` (v2) kinds on their emulators."""

from __future__ import annotations

from relaykit.plugin import Capability
from relaykit.testing.kit import Conformance, Target
from relaykit_ernie import ERNIE, QIANFAN
from relaykit_ernie.emulator import ErnieEmulator, QianfanEmulator


class TestErnieConformance(Conformance):
    """Qianfan v1: API Key and Secret Key traded for an access token, errors inside HTTP 200 answers."""

    target = Target(
        provider=ERNIE,
        model="ernie-4.0-8k",
        emulator=ErnieEmulator,
        settings=lambda emulator: {"secret_key": emulator.secret_key},
        models={Capability.EMBEDDINGS: "embedding-v1"},
    )


class TestQianfanConformance(Conformance):
    """Qianfan v2: OpenAI-compatible, bearer API key."""

    target = Target(
        provider=QIANFAN, model="ernie-4.0-8k", emulator=QianfanEmulator, models={Capability.EMBEDDINGS: "embedding-v1"}
    )
