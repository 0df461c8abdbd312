"""Emulated ``GET /v1/models`` and ``GET /v1/models/{model_id}``, and model-alias resolution.

Reference: ``shared/dialects/anthropic.md`` section 1: cursor paging with ``limit`` (1-1000,
default 20), ``after_id`` and ``before_id``; the page is ``{data, has_more, first_id, last_id}``
with the newest models first; each model is ``{type: "model", id, display_name, created_at}``. An
unknown id is a 404 ``not_found_error`` whose message is ``model: <id>``, as the API says it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from relaykit.testing import EmulatedError, RecordedRequest, Reply

from ._common import bad_request

__all__ = ["ALIASES", "MODELS", "catalogue", "model_list_reply", "model_not_found", "model_reply", "resolve"]

MODELS: dict[str, tuple[str, str]] = {
    "claude-haiku-4-5-20251001": ("Claude Haiku 4.5", "2025-10-15T00:00:00Z"),
    "claude-sonnet-4-5-20250929": ("Claude Sonnet 4.5", "2025-09-29T00:00:00Z"),
    "claude-opus-4-1-20250805": ("Claude Opus 4.1", "2025-08-05T00:00:00Z"),
    "claude-sonnet-4-20250514": ("Claude Sonnet 4", "2025-05-22T00:00:00Z"),
    "claude-3-7-sonnet-20250219": ("Claude Sonnet 3.7", "2025-02-24T00:00:00Z"),
    "claude-3-5-haiku-20241022": ("Claude Haiku 3.5", "2024-10-22T00:00:00Z"),
    "claude-2.1": ("Claude 2.1", "2023-11-21T00:00:00Z"),
    "claude-instant-1.2": ("Claude Instant 1.2", "2023-08-09T00:00:00Z"),
}
"""The default catalogue, newest first: id -> (display name, creation time)."""

ALIASES: dict[str, str] = {
    "claude-sonnet-4-0": "claude-sonnet-4-20250514",
    "claude-3-7-sonnet-latest": "claude-3-7-sonnet-20250219",
    "claude-3-5-haiku-latest": "claude-3-5-haiku-20241022",
    "claude-2": "claude-2.1",
    "claude-instant-1": "claude-instant-1.2",
}
"""Aliases besides the dateless ids (``claude-sonnet-4-5`` -> ``claude-sonnet-4-5-20250929``)."""

_DATE_SUFFIX = re.compile(r"-\d{8}$")
_DEFAULT_CREATED = "2025-01-01T00:00:00Z"
_PAGE_LIMIT = 1000


def catalogue(models: Iterable[str] | None) -> dict[str, tuple[str, str]]:
    """The served catalogue: `MODELS`, or the given ids (known ones keep their names and dates)."""
    if models is None:
        return dict(MODELS)
    return {model: MODELS.get(model, (model, _DEFAULT_CREATED)) for model in models}


def resolve(models: Mapping[str, tuple[str, str]], model: str) -> str | None:
    """The catalogue id `model` names (itself, a dateless alias, or an `ALIASES` entry), or None."""
    if model in models:
        return model
    if model in ALIASES and ALIASES[model] in models:
        return ALIASES[model]
    return next((known for known in models if _DATE_SUFFIX.sub("", known) == model), None)


def model_not_found(model: str) -> EmulatedError:
    return EmulatedError(404, f"model: {model}", error_type="not_found_error")


def model_list_reply(models: Mapping[str, tuple[str, str]], request: RecordedRequest) -> Reply:
    """``GET /v1/models``: one page of the catalogue."""
    limit = _limit(request.query.get("limit"))
    ids = list(models)
    after, before = _first(request.query.get("after_id")), _first(request.query.get("before_id"))
    if after is not None and before is not None:
        raise bad_request("after_id and before_id cannot both be set")
    if after is not None:
        ids = ids[_position(ids, after) + 1 :]
        page, has_more = ids[:limit], len(ids) > limit
    elif before is not None:
        ids = ids[: _position(ids, before)]
        page, has_more = ids[-limit:], len(ids) > limit
    else:
        page, has_more = ids[:limit], len(ids) > limit
    data = [_model(model, models[model]) for model in page]
    first_id, last_id = (page[0], page[-1]) if page else (None, None)
    return Reply.json({"data": data, "has_more": has_more, "first_id": first_id, "last_id": last_id})


def model_reply(models: Mapping[str, tuple[str, str]], model: str) -> Reply:
    """``GET /v1/models/{model_id}``: the model (aliases resolved), or 404."""
    known = resolve(models, model)
    if known is None:
        raise model_not_found(model)
    return Reply.json(_model(known, models[known]))


def _model(model: str, info: tuple[str, str]) -> dict[str, Any]:
    display_name, created_at = info
    return {"type": "model", "id": model, "display_name": display_name, "created_at": created_at}


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None


def _limit(values: list[str] | None) -> int:
    raw = _first(values)
    if raw is None:
        return 20
    if not raw.isdigit() or not 1 <= int(raw) <= _PAGE_LIMIT:
        raise bad_request(f"limit: Input should be an integer from 1 to {_PAGE_LIMIT}")
    return int(raw)


def _position(ids: list[str], model: str) -> int:
    if model not in ids:
        raise model_not_found(model)
    return ids.index(model)
