"""Emulated ``POST /v1/complete``: the legacy Text Completions API of ``claude-2*`` and ``claude-instant-1*``.

Reference: ``shared/dialects/anthropic.md`` section 6. The prompt must hold a ``"\\n\\nHuman:"`` turn
(plain system text may come before it) and end with an ``"\\n\\nAssistant:"`` turn (text after it
is a prefill Claude continues); ``max_tokens_to_sample`` is required; other models are sent to the
Messages API, as Anthropic does. The answer is ``" You said: <the last Human text>"`` (with the
leading space the API puts there), cut by ``stop_sequences`` or ``max_tokens_to_sample`` (in words).
No usage is returned. Streams are ``completion`` events holding only the new text, a ``ping``, and
a last event with an empty completion and the stop reason; no ``[DONE]``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from relaykit.testing import RecordedRequest, Reply, SSEEvent

from ._common import bad_request, json_object, pieces

__all__ = ["HUMAN", "LEGACY_MODEL_PREFIXES", "complete_reply"]

HUMAN = "\n\nHuman:"
ASSISTANT = "\n\nAssistant:"
LEGACY_MODEL_PREFIXES = ("claude-2", "claude-instant-1")
"""Models served by ``/v1/complete``; others are told to use the Messages API."""

_FIELDS = frozenset(
    {"model", "prompt", "max_tokens_to_sample", "stop_sequences", "temperature", "top_p", "top_k", "metadata", "stream"}
)


def complete_reply(request: RecordedRequest, seq: int) -> Reply:
    """``POST /v1/complete``, as JSON or as ``completion`` events."""
    body = _checked(json_object(request))
    model: str = body["model"]
    prompt: str = body["prompt"]
    human = prompt[prompt.rindex(HUMAN) + len(HUMAN) : prompt.rindex(ASSISTANT)].strip()
    text, stop_reason, stop = _continue(f" You said: {human}", body)
    completion_id = f"compl_emu{seq:06d}"
    if not body.get("stream"):
        return Reply.json(_completion(completion_id, text, stop_reason, stop, model))
    return Reply.sse(_events(completion_id, text, stop_reason, stop, model))


def _checked(body: dict[str, Any]) -> dict[str, Any]:
    if extra := sorted(set(body) - _FIELDS):
        raise bad_request(f"{extra[0]}: Extra inputs are not permitted")
    for name in ("model", "prompt", "max_tokens_to_sample"):
        if name not in body:
            raise bad_request(f"{name}: Field required")
    model, prompt, limit = body["model"], body["prompt"], body["max_tokens_to_sample"]
    if not isinstance(model, str) or not model:
        raise bad_request("model: Input should be a valid string")
    if not model.startswith(LEGACY_MODEL_PREFIXES):
        raise bad_request(f'"{model}" is not supported on this API. Please use the Messages API instead.')
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise bad_request("max_tokens_to_sample: Input should be greater than or equal to 1")
    if not isinstance(prompt, str):
        raise bad_request("prompt: Input should be a valid string")
    if HUMAN not in prompt:
        raise bad_request('prompt: must contain a "\\n\\nHuman:" turn, after an optional system prompt')
    if ASSISTANT not in prompt or prompt.rindex(ASSISTANT) < prompt.rindex(HUMAN):
        raise bad_request('prompt: must end with "\\n\\nAssistant:" turn')
    stops = body.get("stop_sequences")
    if stops is not None and not (isinstance(stops, list) and all(isinstance(s, str) and s for s in stops)):
        raise bad_request("stop_sequences: Input should be a valid list of non-empty strings")
    temperature = body.get("temperature")
    if temperature is not None and not (isinstance(temperature, int | float) and 0 <= temperature <= 1):
        raise bad_request("temperature: Input should be less than or equal to 1")
    return body


def _continue(text: str, body: Mapping[str, Any]) -> tuple[str, str, str | None]:
    for stop in body.get("stop_sequences") or []:
        if stop in text:
            return text[: text.index(stop)], "stop_sequence", stop
    words = pieces(text)
    limit = body["max_tokens_to_sample"]
    if limit < len([word for word in words if word.strip()]):
        return "".join(words[:limit]), "max_tokens", None
    return text, "stop_sequence", HUMAN


def _completion(completion_id: str, text: str, stop_reason: str | None, stop: str | None, model: str) -> dict[str, Any]:
    return {
        "type": "completion",
        "id": completion_id,
        "completion": text,
        "stop_reason": stop_reason,
        "model": model,
        "stop": stop,
    }


def _events(completion_id: str, text: str, stop_reason: str, stop: str | None, model: str) -> Iterator[SSEEvent]:
    for position, piece in enumerate(pieces(text)):
        yield _event(_completion(completion_id, piece, None, None, model))
        if position == 0:
            yield SSEEvent(json.dumps({"type": "ping"}), event="ping")
    yield _event(_completion(completion_id, "", stop_reason, stop, model))


def _event(payload: dict[str, Any]) -> SSEEvent:
    return SSEEvent(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), event="completion")
