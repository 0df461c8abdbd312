"""`MidjourneyEmulator`: a local midjourney-proxy (submit, then poll), with buttons and modals.

Reference: ``shared/dialects/midjourney.md``. Served under ``/mj`` (`base_url` includes it):
``submit/{imagine,blend,describe,shorten,action,change,simple-change,modal}``,
``insight-face/swap``, ``task/{id}/fetch``, ``task/list-by-condition``, ``task/{id}/image-seed``.
Requests need the key as ``mj-api-secret`` or ``Authorization: Bearer`` (else 401, empty body)::

    from relaykit_midjourney.emulator import MidjourneyEmulator

    with MidjourneyEmulator() as emu:
        client = relaykit.Client(providers={"mj": {"kind": "midjourney", **emu.client_settings("midjourney")}})
        task = client.midjourney.imagine(model="mj/midjourney", prompt="a fox")
        grid = client.tasks.wait(task)     # NOT_START, SUBMITTED 0%, IN_PROGRESS 33%, 66%, SUCCESS

A task advances one state per fetch (`steps` IN_PROGRESS polls). Finished grids offer U1-U4, 🔄,
V1-V4; upscales offer vary, zoom, pan and upscale buttons; ``Vary (Region)`` and ``Custom Zoom``
answer code 21 "Waiting for window confirm" and a task in ``MODAL`` until ``submit/modal``. A
prompt containing `BANNED` is refused with code 24; one containing `FAILING` ends in FAILURE;
`queue_full` makes the next submits answer code 23; `fail_task`, `cancel_task`, `forget_task`
act on one task (a forgotten task's fetch answers an empty body, as the proxy does).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from relaykit.testing import Emulator, RecordedRequest, Reply

from ._store import EmuTask, TaskStore, action_for, buttons_for

__all__ = ["MidjourneyEmulator"]

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAYAAACp8Z5+AAAAFklEQVR42mP4jwYYQIRc1Akwxi2ADACFozjNDzQfmwAAAABJRU5ErkJggg=="
)
_DATA_URL = re.compile(r"^data:image/[\w.+-]+;base64,[A-Za-z0-9+/=]+$")
_SIMPLE = re.compile(r"^(\S+) (U[1-4]|V[1-4]|R)$")


class _RefusedError(Exception):
    def __init__(self, code: int, description: str, **properties: Any) -> None:
        super().__init__(description)
        self.code, self.description, self.properties = code, description, properties


class MidjourneyEmulator(Emulator):
    """A midjourney-proxy on 127.0.0.1.

    Args:
        api_key: the key requests must carry (``mj-api-secret`` or bearer); None accepts any.
        steps: how many polls answer IN_PROGRESS before the end.
        queue_full: how many of the next submits answer code 23.
    """

    base_path: ClassVar[str] = "/mj"
    BANNED: ClassVar[str] = "banned"
    FAILING: ClassVar[str] = "failing"

    def __init__(
        self,
        *,
        api_key: str | None = "test-key",
        host: str = "127.0.0.1",
        port: int = 0,
        steps: int = 2,
        queue_full: int = 0,
    ) -> None:
        super().__init__(api_key=api_key, host=host, port=port)
        self.steps = steps
        self.queue_full = queue_full
        self.tasks = TaskStore()
        for op in ("imagine", "blend", "describe", "shorten", "action", "change", "simple-change", "modal"):
            self.route("POST", f"/mj/submit/{op}", self._submit)
        self.route("POST", "/mj/insight-face/swap", self._submit)
        self.route("GET", "/mj/task/{id}/fetch", self._fetch)
        self.route("GET", "/mj/task/{id}/image-seed", self._seed)
        self.route("POST", "/mj/task/list-by-condition", self._list)

    def client_settings(self, kind: str) -> dict[str, Any]:
        """The provider section for this emulator, polling every 10 ms."""
        return {**super().client_settings(kind), "poll_interval": 0.01}

    # -- controls for tests ----------------------------------------------------------------------

    def fail_task(self, task_id: str, reason: str = "任务超时") -> None:
        """Make a task end in FAILURE with `reason`."""
        task = self.tasks.get(task_id)
        if task is not None:
            task.ending = ("FAILURE", reason)

    def cancel_task(self, task_id: str) -> None:
        """Make a task end in CANCEL."""
        task = self.tasks.get(task_id)
        if task is not None:
            task.ending = ("CANCEL", "cancelled")

    def forget_task(self, task_id: str | None = None) -> None:
        """Forget one task (or all): its fetch answers an empty body."""
        self.tasks.forget(task_id)

    def reset(self) -> None:
        super().reset()
        self.tasks.forget()
        self.queue_full = 0

    # -- dialect hooks ---------------------------------------------------------------------------

    def authorize(self, request: RecordedRequest) -> Reply | None:
        """Accept the key as ``mj-api-secret`` or ``Authorization: Bearer``; 401 with no body otherwise."""
        if self.api_key is None:
            return None
        bearer = (request.header("authorization") or "").removeprefix("Bearer ").strip()
        if self.api_key in (request.header("mj-api-secret"), bearer):
            return None
        return Reply.binary(b"", status=401)

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
        """A relay's Midjourney error shape: ``{"description", "type", "code"}``."""
        code = 30 if status == 429 else (5 if status >= 500 else 4)
        body = {"description": message or f"HTTP {status}", "type": error_type or "upstream_error", "code": code}
        return Reply.json(body, status=status, headers=headers)

    # -- routes ----------------------------------------------------------------------------------

    def _submit(self, request: RecordedRequest) -> Reply:
        try:
            body = request.json()
        except ValueError:
            body = None
        op = request.path.rsplit("/", 1)[-1]
        try:
            if not isinstance(body, dict):
                raise _RefusedError(4, "请求体错误")
            if self.queue_full > 0 and op != "modal":
                self.queue_full -= 1
                raise _RefusedError(23, "队列已满，请稍后尝试", numberOfQueues=10)
            return self._accept(op, body)
        except _RefusedError as refused:
            answer: dict[str, Any] = {"code": refused.code, "description": refused.description, "result": None}
            if refused.properties:
                answer["properties"] = refused.properties
            return Reply.json(answer)

    def _accept(self, op: str, body: dict[str, Any]) -> Reply:
        if op in ("action", "change", "simple-change"):
            return self._follow_up(op, body)
        if op == "modal":
            task = self._parent(body.get("taskId"), status="MODAL")
            if task.action == "INPAINT" and not _data_url(body.get("maskBase64")):
                raise _RefusedError(4, "maskBase64格式错误")
            task.status = "NOT_START"
            if isinstance(body.get("prompt"), str) and body["prompt"]:
                task.prompt = body["prompt"]
            return _submitted(task.id)
        prompt, final, action = "", None, op.upper()
        if op in ("imagine", "shorten"):
            prompt = str(body.get("prompt") or "")
            if not prompt.strip():
                raise _RefusedError(4, "prompt不能为空")
            if self.BANNED in prompt.lower():
                raise _RefusedError(24, "可能包含敏感词", promptEn=prompt, bannedWord=self.BANNED)
            images = body.get("base64Array") or []
            if op == "imagine" and not (isinstance(images, list) and all(_data_url(item) for item in images)):
                raise _RefusedError(4, "base64格式错误")
            if op == "shorten":
                final = f"IMPORTANT TOKENS: {prompt}\n\nShortened prompts\n\n1️⃣ {prompt}"
        elif op == "blend":
            images = body.get("base64Array")
            if not isinstance(images, list) or not 2 <= len(images) <= 5 or not all(_data_url(i) for i in images):
                raise _RefusedError(4, "base64List参数错误")
            if body.get("dimensions", "SQUARE") not in ("PORTRAIT", "SQUARE", "LANDSCAPE"):
                raise _RefusedError(4, "dimensions参数错误")
        elif op == "describe":
            if not _data_url(body.get("base64")):
                raise _RefusedError(4, "base64格式错误")
            final = "\n\n".join(f"{n}\ufe0f\u20e3 a described picture, variant {n} --ar 1:1" for n in range(1, 5))
        elif op == "swap":
            if not (_data_url(body.get("sourceBase64")) and _data_url(body.get("targetBase64"))):
                raise _RefusedError(4, "sour_base64_and_target_base64_is_required")
            action = "SWAP_FACE"
        task = self._new(action, prompt, f"/{op} {prompt}".strip(), body)
        task.final_prompt = final
        if self.FAILING in prompt.lower():
            task.ending = ("FAILURE", "[Invalid parameter] Invalid value")
        return _submitted(task.id)

    def _follow_up(self, op: str, body: dict[str, Any]) -> Reply:
        if op == "simple-change":
            match = _SIMPLE.match(str(body.get("content") or ""))
            if match is None:
                raise _RefusedError(4, "content参数错误")
            task_id, what = match.groups()
            kind = {"U": "upsample", "V": "variation", "R": "reroll"}[what[0]]
            index = what[1:] or "0"
        elif op == "change":
            task_id, action, index = str(body.get("taskId") or ""), body.get("action"), str(body.get("index") or "0")
            kind = {"UPSCALE": "upsample", "VARIATION": "variation", "REROLL": "reroll"}.get(str(action), "")
            if not kind or (kind != "reroll" and index not in ("1", "2", "3", "4")):
                raise _RefusedError(4, "action或index参数错误")
        parent = self._parent(body.get("taskId") if op == "action" else task_id, status="SUCCESS")
        if op != "action":
            wanted = f"MJ::JOB::{kind}::{index}::" if kind != "reroll" else "MJ::JOB::reroll::"
            custom_id = next((b["customId"] for b in buttons_for(parent) if b["customId"].startswith(wanted)), "")
        else:
            custom_id = str(body.get("customId") or "")
        if custom_id not in {b["customId"] for b in buttons_for(parent)}:
            raise _RefusedError(4, f"unknown_action:{custom_id}")
        action = action_for(custom_id) or "ACTION"
        task = self._new(action, parent.prompt, f"/up {parent.id} {custom_id}", body)
        if action in ("INPAINT", "CUSTOM_ZOOM"):
            task.status = "MODAL"
            answer = {"code": 21, "description": "Waiting for window confirm", "result": task.id}
            answer["properties"] = {"finalPrompt": parent.prompt, "remix": True}
            return Reply.json(answer)
        return _submitted(task.id)

    def _fetch(self, request: RecordedRequest) -> Reply:
        task = self.tasks.get(request.path_params["id"])
        if task is None:
            return Reply.binary(b"", content_type="application/json")
        self.tasks.advance(task, self.publish(PNG, "image/png", suffix=".png"))
        return Reply.json(task.wire())

    def _list(self, request: RecordedRequest) -> Reply:
        body = request.json()
        ids = body.get("ids") if isinstance(body, dict) else None
        found = [self.tasks.get(str(i)) for i in ids or []]
        return Reply.json([task.wire() for task in found if task is not None])

    def _seed(self, request: RecordedRequest) -> Reply:
        task = self.tasks.get(request.path_params["id"])
        if task is None:
            return Reply.json({"code": 3, "description": "关联任务不存在或已失效", "result": None})
        if task.status != "SUCCESS":
            return Reply.json({"code": 4, "description": "关联任务状态错误", "result": None})
        return Reply.json({"code": 1, "description": "成功", "result": task.seed})

    # -- shared ----------------------------------------------------------------------------------

    def _parent(self, task_id: Any, *, status: str) -> EmuTask:
        task = self.tasks.get(str(task_id or ""))
        if task is None:
            raise _RefusedError(3, "关联任务不存在或已失效")
        if task.status != status:
            raise _RefusedError(4, "关联任务状态错误")
        return task

    def _new(self, action: str, prompt: str, description: str, body: dict[str, Any]) -> EmuTask:
        task = EmuTask(
            id=self.tasks.new_id(),
            action=action,
            prompt=prompt,
            description=description,
            state=body.get("state"),
            bot_type=body.get("botType") or "MID_JOURNEY",
            steps=self.steps,
        )
        return self.tasks.add(task)


def _submitted(task_id: str) -> Reply:
    return Reply.json({"code": 1, "description": "提交成功", "result": task_id, "properties": {}})


def _data_url(value: Any) -> bool:
    return isinstance(value, str) and _DATA_URL.match(value) is not None
