"""Relay emulators: the OpenAI emulator behind a one-api / new-api relay's auth and error envelopes.

Reference: ``shared/dialects/relays.md`` section 5. `RelayEmulator` is the shared base of the three
relay plugins' emulators; `VockaEmulator` is Vocka's (the OpenAI endpoints of seed 000)::

    from relaykit_vocka.emulator import VockaEmulator

    with VockaEmulator() as emu:
        client = relaykit.Client(providers={"vocka": {"api_key": "test-key", "base_url": emu.base_url}})
        emu.exhaust_quota()   # the next requests answer 403 "该令牌额度已用尽"

Errors follow one-api: ``{"error": {"message": "<text> (request id: <id>)", "type":
"one_api_error", "param", "code"}}``; a missing key is ``未提供令牌``, a wrong one ``无效的令牌``
(both 401); `no_channel` makes a model answer 503 ``当前分组 default 下对于模型 X 无可用渠道``;
``strict_models`` answers ``model_not_found`` (404) outside the catalogue; `unimplemented` routes
answer 501 ``api_not_implemented``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Self

from relaykit.testing import Emulator, RecordedRequest, Reply
from relaykit_midjourney.emulator import MidjourneyEmulator
from relaykit_openai.emulator import OpenAIEmulator

__all__ = ["VOCKA_MODELS", "RelayEmulator", "VockaEmulator"]

VOCKA_MODELS = (
    "gpt-3.5-turbo",
    "gpt-3.5-turbo-0613",
    "gpt-4",
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-3.5-turbo-instruct",
    "text-embedding-ada-002",
    "text-embedding-3-small",
    "dall-e-2",
    "dall-e-3",
    "tts-1",
    "whisper-1",
)


class RelayEmulator(OpenAIEmulator):
    """The OpenAI emulator answering like a one-api relay; `base_url` ends in ``/v1``.

    Args:
        unimplemented: ``(method, path)`` routes answering 501 ``api_not_implemented``.
        **kwargs: as `OpenAIEmulator` (``api_key``, ``models``, ``strict_models``...).
    """

    error_type: ClassVar[str] = "one_api_error"

    def __init__(self, *, unimplemented: Iterable[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._quota_exhausted = False
        self._no_channel: set[str] = set()
        self.mounted: dict[str, Emulator] = {}
        """The side-door emulators served under this origin, by path prefix (see `mount`)."""
        for method, path in unimplemented:
            self.route(method, path, self._not_implemented)

    def mount(self, prefix: str, emulator: Emulator, *, strip: bool = False) -> None:
        """Serve every request under `prefix` (``/mj``) with `emulator`'s routes and auth.

        The mounted emulator sees the path as sent (its routes start with `prefix`), or without
        `prefix` when `strip` is set (``/flux/v1/x`` -> ``/v1/x``). It runs beside this one (started
        and stopped with it), so the URLs it publishes stay valid.
        """
        self.mounted[prefix] = emulator
        handler = functools.partial(self._forward, emulator, prefix.rstrip("/") if strip else "")
        for method in ("GET", "POST", "DELETE"):
            self.route(method, prefix.rstrip("/") + "/{rest:path}", handler, auth=False)

    def start(self) -> Self:
        """Start the mounted emulators, then this one."""
        for emulator in self.mounted.values():
            emulator.start()
        return super().start()

    def stop(self) -> None:
        """Stop this emulator and the mounted ones."""
        super().stop()
        for emulator in self.mounted.values():
            emulator.stop()

    def client_settings(self, kind: str) -> dict[str, Any]:
        """The provider section for this emulator, polling side-door tasks every 10 ms."""
        return {**super().client_settings(kind), "poll_interval": 0.01}

    def _forward(self, emulator: Emulator, strip: str, request: RecordedRequest) -> Reply:
        path = request.path.removeprefix(strip) if strip else request.path
        route, params, allowed = emulator._match(request.method, path)
        return emulator._serve(dataclasses.replace(request, path=path, path_params=params), route, allowed)

    def exhaust_quota(self, exhausted: bool = True) -> None:
        """Make every authorized request answer 403 ``该令牌额度已用尽`` (or stop doing so)."""
        with self._lock:
            self._quota_exhausted = exhausted

    def no_channel(self, model: str) -> None:
        """Make requests for `model` answer 503: no channel of the group serves it."""
        with self._lock:
            self._no_channel.add(model)

    def reset(self) -> None:
        """Forget requests, faults and scripts, refill the quota and restore every channel."""
        super().reset()
        with self._lock:
            self._quota_exhausted = False
            self._no_channel.clear()
        for emulator in self.mounted.values():
            emulator.reset()

    def authorize(self, request: RecordedRequest) -> Reply | None:
        """Bearer auth, then the token's quota and the model's channel, as one-api's middleware checks."""
        scheme, _, key = (request.header("authorization") or "").partition(" ")
        if not key.strip():
            return self.error_reply(401, "未提供令牌")
        if scheme.lower() != "bearer" or key.strip() != self.api_key:
            return self.error_reply(401, "无效的令牌")
        with self._lock:
            exhausted, blocked = self._quota_exhausted, set(self._no_channel)
        if exhausted:
            return self.error_reply(403, f"该令牌额度已用尽 TokenStatusExhausted[sk-{'*' * 6}]")
        model = _model_of(request)
        if model is not None and model in blocked:
            return self.error_reply(503, f"当前分组 default 下对于模型 {model} 无可用渠道")
        return None

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
        """One-api's envelope: the message ends in ``(request id: <id>)``, ``type`` is the fork's."""
        reply = super().error_reply(status, message, error_code=error_code, error_type=error_type, param=param)
        error: dict[str, Any] = json.loads(reply.body)["error"]
        text = error.get("message") or message or f"HTTP {status}"
        body = {
            "error": {
                "message": f"{text} (request id: 2026{self.next_id():014d})",
                "type": self.error_type if error_type is None or status == 401 else error_type,
                "param": param or "",
                "code": error_code or error.get("code") or "",
            }
        }
        return Reply.json(body, status=status, headers=headers)

    def not_found(self, request: RecordedRequest) -> Reply:
        """One-api's answer to an unknown route."""
        return self.error_reply(
            404, f"Invalid URL ({request.method} {request.path})", error_type="invalid_request_error"
        )

    def _not_implemented(self, request: RecordedRequest) -> Reply:
        return self.error_reply(501, "API not implemented", error_code="api_not_implemented")


def _model_of(request: RecordedRequest) -> str | None:
    try:
        body = request.json()
    except ValueError:
        return None
    model = body.get("model") if isinstance(body, dict) else None
    return model if isinstance(model, str) else None


class VockaEmulator(RelayEmulator):
    """Vocka (沃卡): chat, completions, embeddings, image generation and audio under ``/v1``, and
    Midjourney under ``/mj`` (a `MidjourneyEmulator` with the same key, as `midjourney`).

    Args:
        steps: the Midjourney tasks' IN_PROGRESS polls (see `MidjourneyEmulator`).
        **kwargs: as `RelayEmulator`.
    """

    def __init__(self, *, steps: int = 2, **kwargs: Any) -> None:
        kwargs.setdefault("models", VOCKA_MODELS)
        super().__init__(**kwargs)
        self.midjourney = MidjourneyEmulator(api_key=self.api_key, host=self.host, steps=steps)
        self.mount("/mj", self.midjourney)

    def forget_task(self, task_id: str | None = None) -> None:
        """`relaykit.testing.TaskScripting`: forget a Midjourney job of the mounted proxy."""
        self.midjourney.forget_task(task_id)
