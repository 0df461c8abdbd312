"""`AIGC2DEmulator`: AIGC2D's chat endpoint behind one-api envelopes (``shared/dialects/relays.md`` §1.3).

Serves ``POST /v1/chat/completions`` (JSON and SSE, functions) for the seed's models through the
composed OpenAI emulator; the key is any string (AIGC2D keys look like ``AIGC2D-...``).
"""

from __future__ import annotations

from typing import Any

from relaykit_aigc2d import MODELS
from relaykit_vocka.emulator import RelayEmulator

__all__ = ["AIGC2DEmulator"]


class AIGC2DEmulator(RelayEmulator):
    """AIGC2D under ``/v1``: chat completions for the seed's model enum."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("models", tuple(MODELS))
        super().__init__(**kwargs)
