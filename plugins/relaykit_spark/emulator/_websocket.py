"""One emulated WebSocket session: read the request frame, check it, stream the answer frames.

Frames follow ``shared/dialects/spark.md`` section A4: text pieces of four characters, the first
frame ``status`` 0, the middle ones 1, the last 2 with ``payload.usage.text`` (a one-piece answer is
a single status-2 frame); a function call is one status-2 frame with empty content and
``function_call`` (arguments a JSON string). An error is one frame with ``header.code``, no payload
and status 2. After the last frame the server closes the socket (1000, "close this ws conn").

The request frame is checked like the service does: APPID (11200), the domain against the URL path
(10003 "invalid model domain"), the message list's shape and roles (10004), ``system`` first (10003)
and the ranges of temperature (0, 1], max_tokens and top_k [1, 6] (10005).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from relaykit.testing import WebSocketHandler, WebSocketPeer
from relaykit_spark._domains import ENDPOINTS

from ._answers import Answer, ScriptedError, generate, pieces, usage

__all__ = ["WS_DOMAINS", "session"]

WS_DOMAINS: Mapping[str, str] = {urlsplit(endpoint.url).path: domain for domain, endpoint in ENDPOINTS.items()}
"""The URL path of each version and the only ``domain`` it accepts."""

_ROLES = {"system", "user", "assistant"}
Script = Answer | ScriptedError | None


def session(
    domain: str,
    *,
    app_id: str,
    sid: str,
    script: Script,
    record: Callable[[dict[str, Any]], None],
    delay: float = 0.0,
) -> WebSocketHandler:
    """The handler of one session on the URL of `domain` (see the module docstring)."""

    def run(peer: WebSocketPeer) -> None:
        raw = peer.receive_text()
        if raw is None:
            return
        try:
            frame = json.loads(raw)
        except ValueError:
            frame = None
        if not isinstance(frame, dict):
            _send(peer, _error_frame(10004, "ClientMsgError: the request is not a JSON object", sid))
        else:
            record(frame)
            for outgoing in _answer(frame, domain, app_id, sid, script):
                _send(peer, outgoing)
                if delay:
                    time.sleep(delay)
        peer.close(1000, "close this ws conn")

    return run


def _answer(frame: dict[str, Any], domain: str, app_id: str, sid: str, script: Script) -> list[dict[str, Any]]:
    problem = _check(frame, domain, app_id)
    if problem is not None:
        return [_error_frame(problem[0], problem[1], sid)]
    messages: list[dict[str, Any]] = frame["payload"]["message"]["text"]
    functions = (frame["payload"].get("functions") or {}).get("text") or []
    if isinstance(script, ScriptedError):
        frames = _text_frames(script.before, sid, None, final=False) if script.before else []
        return [*frames, _error_frame(script.code, script.message, sid)]
    answer = script if script is not None else generate(messages, functions)
    counts = usage(messages, answer)
    if answer.function_call is not None:
        name, arguments = answer.function_call
        text = {"content": answer.text, "role": "assistant", "content_type": "text", "index": 0}
        text["function_call"] = {"name": name, "arguments": arguments}
        return [_frame(sid, 2, 0, [text], counts)]
    return _text_frames(answer.text, sid, counts, final=True)


def _text_frames(text: str, sid: str, counts: dict[str, int] | None, *, final: bool) -> list[dict[str, Any]]:
    parts = pieces(text)
    frames = []
    for seq, part in enumerate(parts):
        last = final and seq == len(parts) - 1
        status = 2 if last else (0 if seq == 0 else 1)
        item = {"content": part, "role": "assistant", "index": 0}
        frames.append(_frame(sid, status, seq, [item], counts if last else None))
    return frames


def _frame(
    sid: str, status: int, seq: int, text: list[dict[str, Any]], counts: dict[str, int] | None
) -> dict[str, Any]:
    payload: dict[str, Any] = {"choices": {"status": status, "seq": seq, "text": text}}
    if counts is not None:
        payload["usage"] = {"text": counts}
    return {"header": {"code": 0, "message": "Success", "sid": sid, "status": status}, "payload": payload}


def _error_frame(code: int, message: str, sid: str) -> dict[str, Any]:
    return {"header": {"code": code, "message": message, "sid": sid, "status": 2}}


def _check(frame: dict[str, Any], domain: str, app_id: str) -> tuple[int, str] | None:
    header = frame.get("header")
    if not isinstance(header, dict) or header.get("app_id") != app_id:
        return 11200, "AppIdNoAuthError:(app_id is not authorized for this APIKey)"
    chat = (frame.get("parameter") or {}).get("chat")
    if not isinstance(chat, dict) or chat.get("domain") != domain:
        return 10003, f"ClientMsgError:({_clock_text()}) invalid model domain"
    text = ((frame.get("payload") or {}).get("message") or {}).get("text")
    if not isinstance(text, list) or not text:
        return 10004, "ClientMsgError: payload.message.text must be a non-empty list"
    for position, message in enumerate(text):
        if not isinstance(message, dict) or message.get("role") not in _ROLES:
            return 10004, f"ClientMsgError: payload.message.text[{position}].role is invalid"
        if not isinstance(message.get("content"), str):
            return 10004, f"ClientMsgError: payload.message.text[{position}].content must be a string"
        if message["role"] == "system" and position:
            return 10003, "ClientMsgError: the system message must come first"
    limit = ENDPOINTS[domain].max_tokens if domain in ENDPOINTS else None
    for name, low, high, open_low in (
        ("temperature", 0.0, 1.0, True),
        ("max_tokens", 1, limit or 1 << 20, False),
        ("top_k", 1, 6, False),
    ):
        value = chat.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value > high or value < low:
            return 10005, f"invalid parameter value: parameter.chat.{name}={value}"
        if open_low and value == low:
            return 10005, f"invalid parameter value: parameter.chat.{name}={value}"
    return None


def _send(peer: WebSocketPeer, frame: dict[str, Any]) -> None:
    peer.send_text(json.dumps(frame, ensure_ascii=False, separators=(",", ":")))


def _clock_text() -> str:
    return datetime.now(UTC).strftime("%H:%M:%S.%f")[:-3]
