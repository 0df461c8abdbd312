"""`StabilityEmulator`: a local server speaking Stability's v2beta and legacy v1 REST dialect.

Reference: ``shared/dialects/stability.md``. Served: generate (ultra, core, sd3), the six edit
routes, upscale (conservative, fast; creative as a job), control (sketch, structure, style),
image-to-video (a job), the three result paths, and v1 text-to-image. Every v2beta POST must be
``multipart/form-data``; fields are checked against Stability's limits and answered with its
``{"id", "name", "errors"}`` envelope. Answers are real small PNG, JPEG and WEBP files (and an
MP4-looking video), raw with ``finish-reason`` / ``seed`` headers or as base64 JSON, as ``Accept``
asks. Requests need ``Authorization: Bearer <api_key>``::

    import relaykit
    from relaykit_stability.emulator import StabilityEmulator

    with StabilityEmulator() as emu:
        client = relaykit.Client(
            providers={"stability": {"api_key": "test-key", "base_url": emu.base_url, "poll_interval": 0.05}}
        )
        task = client.media.upscale(mode="creative", model="stability/stable-image", image=png, prompt="a castle")
        done = client.tasks.wait(task)      # 202, 202, then 200 with the image

Moderation: a prompt containing `MODERATED` ("forbidden") is refused with 403
``content_moderation``; one containing `FILTERED` ("censored") succeeds with finish reason
``CONTENT_FILTERED``. Jobs answer `steps` polls with 202 before their file; `forget_job` makes
them answer 404 and `fail_job` makes them end with an error. Faults come from `relaykit.testing`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any, ClassVar

from relaykit.testing import EmulatedError, Emulator, Form, RecordedRequest, Reply

from ._jobs import Job, JobStore
from ._media import image, mp4
from ._routes import ASPECT_RATIOS, STYLE_PRESETS, bad_request, choice, form_of, image_reply, number, required
from ._v1 import text_to_image_reply

__all__ = ["StabilityEmulator"]

_FORMATS = ("png", "jpeg", "webp")
_SD3_MODELS = (
    "sd3.5-large",
    "sd3.5-large-turbo",
    "sd3.5-medium",
    "sd3.5-flash",
    "sd3-large",
    "sd3-large-turbo",
    "sd3-medium",
)
_EDIT_PROMPTS = {
    "inpaint": ("prompt",),
    "search-and-replace": ("prompt", "search_prompt"),
    "search-and-recolor": ("prompt", "select_prompt"),
}
_STATUS_NAMES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request is invalid."),
    401: ("unauthorized", "authorization: missing or invalid API key"),
    402: ("payment_required", "You lack sufficient credits to make this request."),
    403: ("forbidden", "You are not allowed to do this."),
    404: ("not_found", "Not found."),
    413: ("payload_too_large", "body: payloads cannot be larger than 10MiB in size"),
    422: ("invalid_request", "The request could not be processed."),
    429: (
        "rate_limit_exceeded",
        (
            "You have exceeded the rate limit of 150 requests within a 10 second period, "
            "and have been timed out for 60 seconds."
        ),
    ),
    500: ("internal_error", "An unexpected server error has occurred, please try again later."),
    503: ("service_unavailable", "The service is temporarily unavailable."),
}


class StabilityEmulator(Emulator):
    """Stability's REST dialect on 127.0.0.1; `base_url` is the origin (paths start ``/v2beta``, ``/v1``).

    Args:
        api_key: the bearer key requests must carry; None accepts any request.
        host: the address to listen on.
        port: the port; 0 picks a free one.
        steps: how many polls of a job answer 202 before its result.
    """

    MODERATED: ClassVar[str] = "forbidden"
    FILTERED: ClassVar[str] = "censored"
    demo_model: ClassVar[str | None] = "sd3.5-large"

    def __init__(
        self, *, api_key: str | None = "test-key", host: str = "127.0.0.1", port: int = 0, steps: int = 2
    ) -> None:
        super().__init__(api_key=api_key, host=host, port=port)
        self.steps = steps
        self.jobs = JobStore()
        prefix = "/v2beta/stable-image"
        self.route("POST", f"{prefix}/generate/{{route}}", self._generate)
        self.route("POST", f"{prefix}/edit/{{operation}}", self._edit)
        self.route("POST", f"{prefix}/upscale/{{mode}}", self._upscale)
        self.route("POST", f"{prefix}/control/{{mode}}", self._control)
        self.route("POST", "/v2beta/image-to-video", self._image_to_video)
        self.route("GET", "/v2beta/results/{id}", lambda r: self._poll(r, None))
        self.route("GET", f"{prefix}/upscale/creative/result/{{id}}", lambda r: self._poll(r, "image"))
        self.route("GET", "/v2beta/image-to-video/result/{id}", lambda r: self._poll(r, "video"))
        self.route("POST", "/v1/generation/{engine}/text-to-image", lambda r: text_to_image_reply(r, self._seed))

    # -- controls for tests ----------------------------------------------------------------------

    def forget_task(self, task_id: str | None = None) -> None:
        """`relaykit.testing.TaskScripting`: the same as `forget_job`."""
        self.forget_job(task_id)

    def forget_job(self, job_id: str | None = None) -> None:
        """Forget one job (or every job): polls of it answer 404 ``not_found``."""
        self.jobs.forget(job_id)

    def fail_job(
        self,
        job_id: str,
        *,
        status: int = 403,
        name: str = "content_moderation",
        message: str = "Your request was flagged by our content moderation system.",
    ) -> None:
        """Make a job end with the error envelope (`status`, `name`, `message`) instead of its file."""
        self.jobs.fail(job_id, status, name, message)

    def client_settings(self, kind: str) -> dict[str, Any]:
        """`base_url` and `api_key`, with a short `poll_interval` (jobs finish in a few polls here)."""
        return {**super().client_settings(kind), "poll_interval": 0.05}

    def reset(self) -> None:
        """Forget recorded requests, queued faults and jobs."""
        super().reset()
        self.jobs.forget()

    # -- dialect hooks ---------------------------------------------------------------------------

    def authorize(self, request: RecordedRequest) -> Reply | None:
        """Require ``Authorization: Bearer <api_key>`` (401 ``unauthorized`` otherwise)."""
        if request.header("authorization") == f"Bearer {self.api_key}":
            return None
        return self.error_reply(401)

    def error_reply(
        self,
        status: int,
        message: str | None = None,
        *,
        error_code: str | None = None,
        error_type: str | None = None,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """Stability's envelope: ``{"id": <32 hex>, "name": <short name>, "errors": [message]}``."""
        default_name, default_message = _STATUS_NAMES.get(
            status, ("internal_error" if status >= 500 else "bad_request", f"HTTP {status}")
        )
        body = {"id": secrets.token_hex(16), "name": error_code or default_name, "errors": [message or default_message]}
        return Reply.json(body, status=status, headers=headers)

    def not_found(self, request: RecordedRequest) -> Reply:
        return self.error_reply(404, f"{request.method} {request.path}: no such route", error_code="not_found")

    # -- routes ----------------------------------------------------------------------------------

    def _generate(self, request: RecordedRequest) -> Reply:
        route = request.path_params["route"]
        if route not in ("ultra", "core", "sd3"):
            raise EmulatedError(404, f"{request.path}: no such route", error_code="not_found")
        form = form_of(request)
        finish = self._moderate(required(form, "prompt"), form.get("negative_prompt"))
        aspect = choice(form, "aspect_ratio", ASPECT_RATIOS, "1:1") or "1:1"
        image_given = form.file("image") is not None
        if route == "sd3":
            choice(form, "model", _SD3_MODELS)
            mode = choice(form, "mode", ("text-to-image", "image-to-image"), "text-to-image")
            if (mode == "image-to-image") != image_given:
                raise bad_request("image: required exactly when mode is image-to-image")
        if image_given and number(form, "strength", 0, 1) is None:
            raise bad_request("strength: is required when an image is given")
        return self._image(request, form, finish, aspect)

    def _edit(self, request: RecordedRequest) -> Reply:
        operation = request.path_params["operation"]
        known = ("erase", "inpaint", "outpaint", "search-and-replace", "search-and-recolor", "remove-background")
        if operation not in known:
            raise EmulatedError(404, f"{request.path}: no such route", error_code="not_found")
        form = form_of(request)
        if form.file("image") is None:
            raise bad_request("image: is required")
        prompts = [required(form, name) for name in _EDIT_PROMPTS.get(operation, ())]
        finish = self._moderate(*prompts, form.get("prompt"), form.get("negative_prompt"))
        number(form, "grow_mask", 0, 100 if operation == "inpaint" else 20, integer=True)
        if operation == "outpaint":
            sides = [number(form, side, 0, 2000, integer=True) or 0 for side in ("left", "right", "up", "down")]
            if not any(sides):
                raise bad_request("left, right, up, down: at least one must be above 0")
            number(form, "creativity", 0, 1)
        formats = ("png", "webp") if operation == "remove-background" else _FORMATS
        return self._image(request, form, finish, formats=formats)

    def _upscale(self, request: RecordedRequest) -> Reply:
        mode = request.path_params["mode"]
        if mode not in ("conservative", "creative", "fast"):
            raise EmulatedError(404, f"{request.path}: no such route", error_code="not_found")
        form = form_of(request)
        if form.file("image") is None:
            raise bad_request("image: is required")
        finish = "SUCCESS" if mode == "fast" else self._moderate(required(form, "prompt"), form.get("negative_prompt"))
        number(form, "creativity", 0, 1)
        if mode != "creative":
            return self._image(request, form, finish)
        output_format = choice(form, "output_format", _FORMATS, "png") or "png"
        job = self._job(
            request, "image", image(output_format, "1:1"), f"image/{output_format}", form=form, finish=finish
        )
        return Reply.json({"id": job.id})

    def _control(self, request: RecordedRequest) -> Reply:
        mode = request.path_params["mode"]
        if mode not in ("sketch", "structure", "style"):
            raise EmulatedError(404, f"{request.path}: no such route", error_code="not_found")
        form = form_of(request)
        if form.file("image") is None:
            raise bad_request("image: is required")
        finish = self._moderate(required(form, "prompt"), form.get("negative_prompt"))
        number(form, "control_strength", 0, 1)
        number(form, "fidelity", 0, 1)
        aspect = choice(form, "aspect_ratio", ASPECT_RATIOS, "1:1") or "1:1"
        return self._image(request, form, finish, aspect)

    def _image_to_video(self, request: RecordedRequest) -> Reply:
        form = form_of(request)
        if form.file("image") is None:
            raise bad_request("image: is required")
        number(form, "cfg_scale", 0, 10)
        number(form, "motion_bucket_id", 1, 255, integer=True)
        job = self._job(request, "video", b"", "video/mp4", form=form, finish="SUCCESS")
        job.content = mp4(job.id.encode())
        return Reply.json({"id": job.id})

    def _poll(self, request: RecordedRequest, kind: str | None) -> Reply:
        return self.jobs.poll(request, request.path_params["id"], request.header("authorization"), kind)

    # -- shared --------------------------------------------------------------------------------

    def _moderate(self, *texts: str | None) -> str:
        """403 ``content_moderation`` for `MODERATED`; the finish reason otherwise."""
        lowered = " ".join(text.lower() for text in texts if text)
        if self.MODERATED in lowered:
            raise EmulatedError(
                403,
                "Your request was flagged by our content moderation system, as a result your request was denied "
                "and you were not charged.",
                error_code="content_moderation",
            )
        return "CONTENT_FILTERED" if self.FILTERED in lowered else "SUCCESS"

    def _seed(self, form_value: Any) -> int:
        try:
            seed = int(form_value) if form_value not in (None, "") else 0
        except (TypeError, ValueError):
            raise bad_request("seed: must be a whole number") from None
        if not 0 <= seed <= 4_294_967_294:
            raise bad_request("seed: must be between 0 and 4294967294")
        return seed or 1_000_003 * self.next_id() % 4_294_967_294

    def _image(
        self,
        request: RecordedRequest,
        form: Form,
        finish: str,
        aspect: str = "1:1",
        formats: tuple[str, ...] = _FORMATS,
    ) -> Reply:
        output_format = choice(form, "output_format", formats, "png") or "png"
        choice(form, "style_preset", STYLE_PRESETS)
        return image_reply(request, output_format, self._seed(form.get("seed")), finish, aspect)

    def _job(self, request: RecordedRequest, kind: str, content: bytes, mime: str, *, form: Form, finish: str) -> Job:
        job = Job(
            id=self.jobs.new_id(),
            key=request.header("authorization"),
            kind=kind,
            content=content,
            mime_type=mime,
            seed=self._seed(form.get("seed")),
            steps=self.steps,
            finish_reason=finish,
        )
        return self.jobs.add(job)
