"""`EZLinkEmulator`: EZLink's OpenAI surface behind one-api envelopes (``shared/dialects/relays.md`` §1.2).

Every OpenAI route of seed 001 is served by the composed OpenAI emulator, except
``POST /v1/images/variations``, which answers 501 ``api_not_implemented`` as EZLink's backend does
(pass ``unimplemented=()`` to serve it).
"""

from __future__ import annotations

from typing import Any

from relaykit_vocka.emulator import VOCKA_MODELS, RelayEmulator

__all__ = ["EZLINK_MODELS", "EZLinkEmulator"]

EZLINK_MODELS = (*VOCKA_MODELS, "gpt-image-1", "tts-1-hd", "text-moderation-stable", "omni-moderation-latest")


class EZLinkEmulator(RelayEmulator):
    """EZLink AI under ``/v1``: chat, completions, embeddings, images, audio, moderations, models."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("models", EZLINK_MODELS)
        kwargs.setdefault("unimplemented", [("POST", "/v1/images/variations")])
        super().__init__(**kwargs)
