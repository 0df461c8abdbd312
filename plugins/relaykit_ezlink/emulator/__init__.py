"""`EZLinkEmulator`: EZLink's OpenAI surface behind one-api envelopes (``shared/dialects/relays.md`` §1.2).

Every OpenAI route of seed 001 is served by the composed OpenAI emulator, except
``POST /v1/images/variations``, which answers 501 ``api_not_implemented`` as EZLink's backend does
(pass ``unimplemented=()`` to serve it). The side doors run behind the same origin:
Midjourney under ``/mj`` (`MidjourneyEmulator`, as `midjourney`), Flux under ``/flux``
(`FluxEmulator` with ``/flux`` stripped, as `flux`; ``x-key`` auth), Stability's ``/v2beta``
pass-through (`StabilityEmulator`, as `stability`), and the generic video routes
(``emulator._video``, as `video`), and the file upload (``POST /v1/files``, files served back).
"""

from __future__ import annotations

from typing import Any

from relaykit.testing import RecordedRequest, Reply
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
        self.route("POST", "/v1/files", self.upload)
        self._uploads = 0

    def forget_task(self, task_id: str | None = None) -> None:
        """`relaykit.testing.TaskScripting`: forget a Midjourney job of the mounted proxy."""
        self.midjourney.forget_task(task_id)

    def upload(self, request: RecordedRequest) -> Reply:
        """``POST /v1/files``: store the file (served back by this emulator) and answer its URL."""
        form = request.form()
        upload = form.file("file")
        purpose = form.get("purpose")
        if upload is None or not purpose:
            missing = "file" if upload is None else "purpose"
            return Reply.json({"success": False, "message": f"{missing} is required"}, status=400)
        self._uploads += 1
        url = self.publish(upload.content, upload.content_type or "application/octet-stream")
        stored = {
            "id": self._uploads,
            "user_id": 1,
            "creat_time": 1731000000 + self._uploads,
            "finish_time": 1731000001 + self._uploads,
            "bytes": len(upload.content),
            "store_url": url,
            "purpose": purpose,
            "file_name": upload.filename,
        }
        return Reply.json({"message": "File uploaded successfully", "success": True, "file": stored})
