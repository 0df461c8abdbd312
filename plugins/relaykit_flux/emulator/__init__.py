"""`FluxEmulator`: a local server speaking the Black Forest Labs API (submit, then poll).

Reference: ``shared/dialects/flux.md``. Served: ``POST /v1/{model}`` for every model of the
reference (pro 1.1, ultra, pro, dev, Kontext pro / max, fill, expand, FLUX.2 ``flux-2-*``),
``GET /v1/get_result?id=``, ``GET /v1/credits``, and the result files themselves. Requests need
``x-key: <api_key>`` (none: 403 ``Not authenticated``; a wrong one: 401). Bodies are checked
against each model's fields and limits and refused with FastAPI's 422 ``{"detail": [...]}``::

    import relaykit
    from relaykit_flux.emulator import FluxEmulator

    with FluxEmulator() as emu:
        client = relaykit.Client(providers={"flux": {"api_key": "test-key", "base_url": emu.base_url,
                                                      "poll_interval": 0.05}})
        task = client.media.generate(model="flux/flux-pro-1.1", prompt="a fox")   # a Task
        done = client.tasks.wait(task, download=True)   # Pending, Pending, then Ready

A submit answers ``{"id", "polling_url", "cost", "input_mp", "output_mp"}`` (``cost`` null for
``flux-kontext-max``, as BFL sends) and spends `credits` (402 once they run out). Jobs answer
``Pending`` for `steps` polls, then ``Ready`` with a signed result URL on the emulator that expires
`url_ttl` seconds after the submit (403 afterwards, like an expired Azure SAS). A prompt containing
`MODERATED` ("forbidden") ends ``Request Moderated`` at the first poll; one containing
`CONTENT_MODERATED` ("censored") ends ``Content Moderated`` after rendering. `forget_job` makes a job
answer ``Task not found``; `fail_job` makes it end ``Error``; `unknown_polls` makes every new job
answer ``Task not found`` that many times first, as a regional host may. Faults come from
`relaykit.testing` and are answered in FastAPI's ``{"detail": ...}`` envelope.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any, ClassVar

from relaykit.testing import EmulatedError, Emulator, RecordedRequest, Reply

from ._checks import check_body
from ._jobs import Job, JobStore
from ._media import MIME_TYPES, sample

__all__ = ["FluxEmulator"]

_DEFAULT_MESSAGES = {
    400: "Bad Request",
    401: "Invalid API key",
    402: "Insufficient credits",
    403: "Not authenticated",
    404: "Not Found",
    422: "Unprocessable Entity",
    429: "You have reached the maximum number of active tasks. Please wait for some to finish.",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
_AZURE_ERROR = '<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code><Message>{message}</Message></Error>'


class FluxEmulator(Emulator):
    """BFL's API on 127.0.0.1; `base_url` is the origin (routes start ``/v1``).

    Args:
        api_key: the ``x-key`` requests must carry; None accepts any request.
        host: the address to listen on.
        port: the port; 0 picks a free one.
        steps: how many polls of a job answer ``Pending`` before its end.
        url_ttl: seconds a result URL works after the submit (BFL: about 10 minutes).
        credits: the account's balance; each submit costs the model's price.
        unknown_polls: how many polls of each new job answer ``Task not found`` first.
    """

    MODERATED: ClassVar[str] = "forbidden"
    CONTENT_MODERATED: ClassVar[str] = "censored"
    demo_model: ClassVar[str | None] = "flux-pro-1.1"

    def __init__(
        self,
        *,
        api_key: str | None = "test-key",
        host: str = "127.0.0.1",
        port: int = 0,
        steps: int = 2,
        url_ttl: float = 600.0,
        credits: float = 1000.0,
        unknown_polls: int = 0,
    ) -> None:
        super().__init__(api_key=api_key, host=host, port=port)
        self.steps = steps
        self.credits = credits
        self.unknown_polls = unknown_polls
        self.jobs = JobStore(url_ttl)
        self._credit_lock = threading.Lock()
        self.route("POST", "/v1/{model}", self._submit)
        self.route("GET", "/v1/get_result", self._poll)
        self.route("GET", "/v1/credits", lambda request: Reply.json({"credits": self.credits}))
        self.route("GET", "/results/{id}/{name}", self._result, auth=False)

    # -- controls for tests ----------------------------------------------------------------------

    def forget_task(self, task_id: str | None = None) -> None:
        """`relaykit.testing.TaskScripting`: the same as `forget_job`."""
        self.forget_job(task_id)

    def forget_job(self, job_id: str | None = None) -> None:
        """Forget one job (or every job): its polls answer ``Task not found``."""
        self.jobs.forget(job_id)

    def fail_job(self, job_id: str, *, message: str = "Internal error during generation") -> None:
        """Make a job end with status ``Error`` (and ``error`` = `message`) instead of ``Ready``."""
        self.jobs.end(job_id, "Error", {"error": message})

    def client_settings(self, kind: str) -> dict[str, Any]:
        """`base_url` and `api_key`, with a short `poll_interval` (jobs finish in a few polls here)."""
        return {**super().client_settings(kind), "poll_interval": 0.05}

    def reset(self) -> None:
        """Forget recorded requests, queued faults and jobs."""
        super().reset()
        self.jobs.forget()

    # -- dialect hooks ---------------------------------------------------------------------------

    def authorize(self, request: RecordedRequest) -> Reply | None:
        """Require ``x-key: <api_key>``: 403 ``Not authenticated`` without it, 401 for another key."""
        key = request.header("x-key")
        if key == self.api_key:
            return None
        return self.error_reply(403 if key is None else 401)

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
        """FastAPI's envelope: ``{"detail": message}``, or a validation list when `param` is given."""
        text = message or _DEFAULT_MESSAGES.get(status, f"HTTP {status}")
        if param is not None:
            item = {"loc": ["body", param] if param else ["body"], "msg": text, "type": error_type or "value_error"}
            return Reply.json({"detail": [item]}, status=status, headers=headers)
        return Reply.json({"detail": text}, status=status, headers=headers)

    def not_found(self, request: RecordedRequest) -> Reply:
        return self.error_reply(404, "Not Found")

    # -- routes ----------------------------------------------------------------------------------

    def _submit(self, request: RecordedRequest) -> Reply:
        model = request.path_params["model"]
        try:
            body: Any = request.json()
        except ValueError:
            raise EmulatedError(422, "JSON decode error", param="") from None
        checked = check_body(model, body)
        with self._credit_lock:
            price = checked.cost or 0.0
            if price > self.credits:
                raise EmulatedError(402, "Insufficient credits")
            self.credits -= price
        job = self._job(request, checked.prompt, checked.output_format, checked.seed)
        job.content = sample(checked.output_format, checked.width, checked.height)
        answer: dict[str, Any] = {"id": job.id}
        if isinstance(body.get("webhook_url"), str):
            answer.update(status="Pending", webhook_url=body["webhook_url"])
        else:
            answer["polling_url"] = self.url(f"/v1/get_result?id={job.id}")
        answer.update(cost=checked.cost, input_mp=0.0, output_mp=checked.output_mp)
        return Reply.json(answer)

    def _poll(self, request: RecordedRequest) -> Reply:
        job_id = (request.query.get("id") or [""])[0]
        if not job_id:
            raise EmulatedError(422, "Field required", error_type="missing", param="id")
        job = self.jobs.get(job_id)
        suffix = "png" if job is not None and job.output_format == "png" else "jpeg"
        sample_url = self.url(f"/results/{job_id}/sample.{suffix}")
        return Reply.json(self.jobs.poll(job_id, request.header("x-key"), sample_url))

    def _result(self, request: RecordedRequest) -> Reply:
        job = self.jobs.get(request.path_params["id"])
        if job is None:
            return _azure(404, "BlobNotFound", "The specified blob does not exist.")
        se, sig = (request.query.get(name, [""])[0] for name in ("se", "sig"))
        refused = self.jobs.verify(job.id, se, sig)
        if refused is not None:
            return _azure(403, "AuthenticationFailed", refused)
        return Reply.binary(job.content, content_type=MIME_TYPES[job.output_format])

    # -- shared ----------------------------------------------------------------------------------

    def _job(self, request: RecordedRequest, prompt: str, output_format: str, seed: int | None) -> Job:
        job = Job(
            id=self.jobs.new_id(),
            key=request.header("x-key"),
            prompt=prompt,
            output_format=output_format,
            content=b"",
            seed=seed if seed is not None else 1_000_003 * self.next_id() % 2**32,
            steps=self.steps,
            created=time.time(),
            unknown_polls=self.unknown_polls,
        )
        lowered = prompt.lower()
        if self.MODERATED in lowered:
            job.ending = ("Request Moderated", {"details": {"Moderation Reasons": ["Derivative Works Filter"]}})
            job.moderated_at_once = True
        elif self.CONTENT_MODERATED in lowered:
            job.ending = ("Content Moderated", {"details": {"Moderation Reasons": ["NSFW"]}})
        return self.jobs.add(job)


def _azure(status: int, code: str, message: str) -> Reply:
    """The storage service's XML error, as an expired or unknown result URL gets it."""
    return Reply.binary(
        _AZURE_ERROR.format(code=code, message=message).encode(), content_type="application/xml", status=status
    )
