"""`EZLinkEmulator`: EZLink's OpenAI surface behind one-api envelopes (``shared/dialects/relays.md`` §1.2).

Every OpenAI route of seed 001 is served by the composed OpenAI emulator, except
``POST /v1/images/variations``, which answers 501 ``api_not_implemented`` as EZLink's backend does
(pass ``unimplemented=()`` to serve it). The side doors run behind the same origin:
Midjourney under ``/mj`` (`MidjourneyEmulator`, as `midjourney`), Flux under ``/flux``
(`FluxEmulator` with ``/flux`` stripped, as `flux`; ``x-key`` auth), Stability's ``/v2beta``
pass-through (`StabilityEmulator`, as `stability`), and the generic video routes
(``emulator._video``, as `video`).
"""

from __future__ import annotations

from typing import Any

from relaykit_flux.emulator import FluxEmulator
from relaykit_midjourney.emulator import MidjourneyEmulator
from relaykit_stability.emulator import StabilityEmulator
from relaykit_vocka.emulator import VOCKA_MODELS, RelayEmulator

from ._video import VideoJobs

__all__ = ["EZLINK_MODELS", "EZLinkEmulator"]

EZLINK_MODELS = (*VOCKA_MODELS, "gpt-image-1", "tts-1-hd", "text-moderation-stable", "omni-moderation-latest")


class EZLinkEmulator(RelayEmulator):
    """EZLink AI under ``/v1``: chat, completions, embeddings, images, audio, moderations, models."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("models", EZLINK_MODELS)
        kwargs.setdefault("unimplemented", [("POST", "/v1/images/variations")])
        super().__init__(**kwargs)
        self.midjourney = MidjourneyEmulator(api_key=self.api_key, host=self.host)
        self.flux = FluxEmulator(api_key=self.api_key, host=self.host)
        self.stability = StabilityEmulator(api_key=self.api_key, host=self.host)
        self.mount("/mj", self.midjourney)
        self.mount("/flux", self.flux, strip=True)
        self.mount("/v2beta", self.stability)
        self.video = VideoJobs(lambda content, mime, suffix: self.publish(content, mime, suffix=suffix))
        self.route("POST", "/v1/video/generations", self.video.submit)
        self.route("GET", "/v1/video/generations/result", self.video.result)
