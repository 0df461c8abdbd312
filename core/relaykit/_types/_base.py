"""Base classes of the normalized types, and the request validation entry point.

Requests are strict: an unknown field or a value of the wrong type is an error that names the
field. Responses are lenient: vendors add fields all the time, and what a plugin cannot map goes
into `vendor_data` instead of being dropped.
"""

from __future__ import annotations

import re
from typing import Any, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .._errors import InvalidRequestError

__all__ = ["RequestModel", "ResponseModel", "RouteInfo", "WithVendorData", "validate_request"]

R = TypeVar("R", bound="RequestModel")


class RequestModel(BaseModel):
    """A request: strict types, unknown fields forbidden, immutable once validated."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class ResponseModel(BaseModel):
    """A normalized answer: lenient, and vendor leftovers kept in `vendor_data`."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)


class RouteInfo(ResponseModel):
    """How a routed request was served: which deployment answered, after how many attempts."""

    route: str
    deployment: str
    """The deployment that answered, as ``provider/model``."""
    attempts: int
    """Attempts made in total (1 when the first try succeeded)."""
    failed: list[str] = Field(default_factory=list)
    """Deployments given up on before the one that answered, in order."""


class WithVendorData(ResponseModel):
    """A top-level answer. Keys it does not know are kept in `vendor_data`, never dropped.

    That holds however the answer is built: from a dict, or straight from the vendor's JSON text
    (`model_validate_json`, which stream decoders use on their fast path).
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    vendor_data: dict[str, Any] = Field(default_factory=dict)
    route: RouteInfo | None = None
    """Set when the request went through a route (see docs/routing.md)."""

    @model_validator(mode="after")
    def _keep_unknown_keys(self) -> Self:
        extra = self.__pydantic_extra__
        if extra:  # what the builder put in vendor_data itself wins
            self.vendor_data = {**extra, **self.vendor_data}
            extra.clear()
        return self


def validate_request(model: type[R], params: dict[str, Any]) -> R:
    """Validate `params` as `model`, turning pydantic's error into `InvalidRequestError`."""
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        grouped: dict[str, list[str]] = {}
        for err in exc.errors(include_url=False):
            path, message = _dotted(err["loc"]), _message(err)
            if not path and (found := _LEADING_FIELD.match(message)):
                path, message = found.group(1), found.group(2)
            messages = grouped.setdefault(path, [])
            if message not in messages:
                messages.append(message)
        # A union reports one error per branch; the deepest path is the branch the caller meant.
        paths = [p for p in grouped if not any(o != p and o.startswith(p + ".") for o in grouped)]
        problems = tuple((path, " or ".join(grouped[path])) for path in paths)
        field, message = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        where = f"{field}: " if field else ""
        raise InvalidRequestError(
            f"invalid {model.__name__}: {where}{message}{more}", field=field or None, errors=problems
        ) from None


_LEADING_FIELD = re.compile(r"^([A-Za-z_][\w.]*): (.+)$", re.DOTALL)

# Lists whose items are tagged unions: pydantic puts the tag after the item's index.
_TAGGED_LISTS = {"messages", "content", "input"}


def _dotted(loc: tuple[int | str, ...]) -> str:
    """pydantic's error location as the caller's dotted path (union branch names dropped)."""
    parts: list[str] = []
    drop_next_tag = False
    for part in loc:
        if drop_next_tag and isinstance(part, str):
            drop_next_tag = False
            continue
        drop_next_tag = False
        if isinstance(part, int):
            drop_next_tag = bool(parts) and parts[-1] in _TAGGED_LISTS
            parts.append(str(part))
            continue
        if "[" in part or part in {"str", "int", "float", "bool", "none", "dict"}:
            continue
        parts.append(part)
    return ".".join(parts)


def _message(err: Any) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown field (vendor extras go in provider_options)"
    if err["type"] == "missing":
        return "field required"
    message = str(err["msg"])
    return message.removeprefix("Value error, ")
