"""Emulated text endpoints besides chat: legacy completions, embeddings, moderations, models.

References: ``shared/dialects/openai.md`` sections 7.1 (completions: ``max_tokens`` defaults to 16
words here, ``echo``, ``n`` per prompt, SSE with ``[DONE]``), 7.2 (embeddings: unit vectors from a
hash of each input, ``dimensions`` truncates and renormalizes, ``base64`` packs little-endian
float32), 7.5 (moderations: inputs containing a listed word are flagged) and 7.6 (models).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import re
import struct
from collections.abc import Iterator
from typing import Any

from relaykit.testing import EmulatedError, RecordedRequest, Reply

from ._common import bad_request, choice_count, json_object, pieces, required_string, unix_now, word_count

__all__ = ["MODELS", "completion_reply", "embedding_reply", "model_list_reply", "model_reply", "moderation_reply"]

MODELS: dict[str, str] = {
    "gpt-4o": "system",
    "gpt-4o-mini": "system",
    "gpt-4.1": "system",
    "o3-mini": "system",
    "gpt-3.5-turbo-instruct": "system",
    "text-embedding-3-small": "system",
    "text-embedding-3-large": "system",
    "text-embedding-ada-002": "openai-internal",
    "dall-e-2": "system",
    "dall-e-3": "system",
    "gpt-image-1": "system",
    "tts-1": "openai-internal",
    "tts-1-hd": "system",
    "gpt-4o-mini-tts": "system",
    "whisper-1": "openai-internal",
    "gpt-4o-transcribe": "system",
    "gpt-4o-mini-transcribe": "system",
    "omni-moderation-latest": "system",
    "text-moderation-latest": "system",
}
"""The default model catalogue: id -> owner."""

_MODEL_CREATED = 1_700_000_000
_EMBEDDING_SIZES = {"text-embedding-3-large": 3072, "text-embedding-3-small": 1536, "text-embedding-ada-002": 1536}
_FIXED_SIZE_MODELS = {"text-embedding-ada-002"}
_MAX_EMBEDDING_INPUTS = 2048
# Moderation categories and the words that flag them (matched as whole words, case-insensitively).
_CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "harassment": ("idiot", "stupid", "loser"),
    "harassment/threatening": ("threaten",),
    "hate": ("hate",),
    "hate/threatening": ("exterminate",),
    "illicit": ("steal", "hack", "drugs"),
    "illicit/violent": ("bomb", "weapon"),
    "self-harm": ("suicide",),
    "self-harm/intent": ("suicidal",),
    "self-harm/instructions": ("overdose",),
    "sexual": ("nsfw", "porn"),
    "sexual/minors": ("underage",),
    "violence": ("kill", "murder", "attack"),
    "violence/graphic": ("gore", "mutilated"),
}
_IMAGE_CATEGORIES = {
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "violence",
    "violence/graphic",
}


def model_list_reply(models: dict[str, str]) -> Reply:
    """``GET /v1/models``."""
    return Reply.json({"object": "list", "data": [_model(name, owner) for name, owner in models.items()]})


def model_reply(models: dict[str, str], model: str) -> Reply:
    """``GET /v1/models/{model}``: the model, or 404 ``model_not_found``."""
    if model not in models:
        raise model_not_found(model)
    return Reply.json(_model(model, models[model]))


def model_not_found(model: str) -> EmulatedError:
    message = f"The model `{model}` does not exist or you do not have access to it."
    return EmulatedError(404, message, error_code="model_not_found", error_type="invalid_request_error")


def _model(name: str, owner: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": _MODEL_CREATED, "owned_by": owner}


# -- completions -----------------------------------------------------------------------------------


def completion_reply(request: RecordedRequest, seq: int) -> Reply:
    """``POST /v1/completions``: "You said: <prompt>" per prompt and choice, JSON or SSE."""
    body = json_object(request)
    model = required_string(body, "model")
    prompts = _prompts(body.get("prompt"))
    n = choice_count(body)
    if body.get("stream_options") is not None and not body.get("stream"):
        raise bad_request("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options")
    limit = body.get("max_tokens", 16)
    stops = body.get("stop") or []
    choices: list[dict[str, Any]] = []
    for position, prompt in enumerate(prompts):
        text, finish = _continue(prompt, limit, [stops] if isinstance(stops, str) else stops)
        if body.get("echo"):
            text = f"{prompt} {text}"
        choices.extend(
            {"text": text, "index": position * n + j, "logprobs": None, "finish_reason": finish} for j in range(n)
        )
    prompt_tokens = word_count(prompts)
    completion_tokens = word_count(c["text"] for c in choices)
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    head = {"id": f"cmpl-emu{seq:06d}", "object": "text_completion", "created": unix_now(), "model": model}
    if body.get("stream"):
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return Reply.sse(_completion_stream(head, choices, usage if include_usage else None))
    return Reply.json({**head, "choices": choices, "usage": usage}, indent=2)


def _prompts(prompt: Any) -> list[str]:
    if isinstance(prompt, str):
        return [prompt]
    if isinstance(prompt, list) and prompt:
        if all(isinstance(p, str) for p in prompt):
            return list(prompt)
        if all(isinstance(t, int) for t in prompt):
            return [" ".join(map(str, prompt))]
        if all(isinstance(p, list) and all(isinstance(t, int) for t in p) for p in prompt):
            return [" ".join(map(str, p)) for p in prompt]
    if prompt is None:
        raise bad_request("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter")
    raise bad_request("Invalid 'prompt': expected a string, strings, or token arrays.", "prompt", "invalid_type")


def _continue(prompt: str, limit: Any, stops: list[Any]) -> tuple[str, str]:
    text = f"You said: {prompt}"
    for stop in stops:
        if isinstance(stop, str) and stop and stop in text:
            text = text[: text.index(stop)]
    words = pieces(text)
    if isinstance(limit, int) and limit < len([w for w in words if w.strip()]):
        return "".join(words[:limit]), "length"
    return text, "stop"


def _completion_stream(
    head: dict[str, Any], choices: list[dict[str, Any]], usage: dict[str, Any] | None
) -> Iterator[str]:
    extra = {"usage": None} if usage is not None else {}

    def chunk(choice: dict[str, Any], text: str, finish: str | None) -> str:
        part = {"text": text, "index": choice["index"], "logprobs": None, "finish_reason": finish}
        return json.dumps({**head, "choices": [part], **extra}, ensure_ascii=False, separators=(",", ":"))

    for choice in choices:
        for piece in pieces(choice["text"]):
            yield chunk(choice, piece, None)
        yield chunk(choice, "", choice["finish_reason"])
    if usage is not None:
        yield json.dumps({**head, "choices": [], "usage": usage}, separators=(",", ":"))
    yield "[DONE]"


# -- embeddings ------------------------------------------------------------------------------------


def embedding_reply(request: RecordedRequest) -> Reply:
    """``POST /v1/embeddings``: deterministic unit vectors, as floats or base64 float32."""
    body = json_object(request)
    model = required_string(body, "model")
    inputs = _embedding_inputs(body.get("input"))
    size = _embedding_size(model, body.get("dimensions"))
    encoding = body.get("encoding_format", "float")
    if encoding not in {"float", "base64"}:
        raise bad_request(
            "Invalid 'encoding_format': expected 'float' or 'base64'.", "encoding_format", "invalid_value"
        )
    data = []
    for index, item in enumerate(inputs):
        vector = _vector(item, _EMBEDDING_SIZES.get(model, 1536), size)
        encoded: Any = base64.b64encode(struct.pack(f"<{size}f", *vector)).decode() if encoding == "base64" else vector
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    tokens = sum(len(item) if isinstance(item, list) else len(item.split()) for item in inputs)
    return Reply.json(
        {"object": "list", "data": data, "model": model, "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}
    )


def _embedding_inputs(value: Any) -> list[str | list[int]]:
    single_tokens = isinstance(value, list) and bool(value) and all(isinstance(t, int) for t in value)
    if isinstance(value, str) or single_tokens:
        value = [value]
    if not isinstance(value, list) or not value:
        raise bad_request("'input' must be a non-empty string, array of strings, or array of token arrays.", "input")
    if len(value) > _MAX_EMBEDDING_INPUTS:
        raise bad_request(f"'input' may hold at most {_MAX_EMBEDDING_INPUTS} items.", "input", "invalid_value")
    for position, item in enumerate(value):
        tokens = isinstance(item, list) and bool(item) and all(isinstance(t, int) for t in item)
        if not (tokens or (isinstance(item, str) and item)):
            raise bad_request(
                f"Invalid 'input[{position}]': empty or of the wrong type.", f"input[{position}]", "invalid_value"
            )
    return value


def _embedding_size(model: str, dimensions: Any) -> int:
    full = _EMBEDDING_SIZES.get(model, 1536)
    if dimensions is None:
        return full
    if model in _FIXED_SIZE_MODELS:
        raise bad_request("This model does not support specifying dimensions.", "dimensions", "invalid_value")
    if not isinstance(dimensions, int) or isinstance(dimensions, bool) or not 1 <= dimensions <= full:
        raise bad_request(f"Invalid 'dimensions': expected an integer from 1 to {full}.", "dimensions", "invalid_value")
    return dimensions


def _vector(item: str | list[int], full: int, size: int) -> list[float]:
    """A unit vector seeded by the input; a shorter one is the full one's prefix, renormalized."""
    seed = hashlib.sha256(json.dumps(item, ensure_ascii=False).encode()).digest()
    rng = random.Random(int.from_bytes(seed[:8], "little"))  # noqa: S311 - deterministic test data
    values = [rng.gauss(0.0, 1.0) for _ in range(full)][:size]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [round(v / norm, 8) for v in values]


# -- moderations -----------------------------------------------------------------------------------


def moderation_reply(request: RecordedRequest, seq: int) -> Reply:
    """``POST /v1/moderations``: flags inputs that contain a listed word (see `_CATEGORY_WORDS`)."""
    body = json_object(request)
    model = body.get("model") or "omni-moderation-latest"
    value = body.get("input")
    if isinstance(value, str):
        items: list[tuple[str, bool]] = [(value, False)]
    elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        items = [(v, False) for v in value]
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        texts = [str(part.get("text", "")) for part in value if part.get("type") == "text"]
        items = [(" ".join(texts), any(part.get("type") == "image_url" for part in value))]
    else:
        raise bad_request("'input' must be a string, an array of strings, or an array of content parts.", "input")
    omni = "omni" in str(model)
    results = [_moderate(text, has_image, omni) for text, has_image in items]
    return Reply.json({"id": f"modr-emu{seq:06d}", "model": model, "results": results})


def _moderate(text: str, has_image: bool, omni: bool) -> dict[str, Any]:
    words = set(re.findall(r"[a-z-]+", text.lower()))
    categories = {name: bool(words & set(triggers)) for name, triggers in _CATEGORY_WORDS.items()}
    scores = {name: 0.97 if hit else 0.00001 for name, hit in categories.items()}
    result: dict[str, Any] = {"flagged": any(categories.values()), "categories": categories, "category_scores": scores}
    if omni:
        result["category_applied_input_types"] = {
            name: ["text", *(["image"] if has_image and name in _IMAGE_CATEGORIES else [])] for name in categories
        }
    return result
