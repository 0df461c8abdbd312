"""The one error tree of relaykit.

Every exception relaykit raises derives from `RelaykitError`; nothing else escapes a call::

    RelaykitError
    ├── ConfigurationError          a config file, key or environment variable is wrong
    ├── PluginError                 a plugin failed to load, or two plugins claim one provider name
    ├── InvalidRequestError         the caller's input is invalid; nothing was sent (also a ValueError)
    ├── UnsupportedCapabilityError  the provider (or model) cannot do what was asked; nothing was sent
    │   └── NoDeploymentError       no deployment of a route can serve the request (reasons per deployment)
    └── APIError                    something went wrong talking to a vendor
        ├── AllDeploymentsFailedError  a route tried every deployment it could (errors per deployment)
        ├── TaskFailedError         a long-running task ended failed or cancelled (carries the task)
        │   └── TaskNotFoundError   ... because the vendor no longer knows it (also a NotFoundError)
        ├── APIConnectionError      the connection failed or broke
        │   ├── APITimeoutError     ... because a timeout expired
        │   │   └── TaskTimeoutError  `tasks.wait` reached its deadline first (carries the last task)
        │   └── StreamInterruptedError  a stream broke after it started (carries the partial result)
        ├── ResponseFormatError     the vendor answered in a shape we cannot parse
        └── APIStatusError          the vendor reported an error (HTTP status or in-band error)
            ├── BadRequestError         400, 409, 413, 422 and in-band parameter errors
            │   ├── ContextLengthError  the input is longer than the model's context window
            │   └── ContentPolicyError  the vendor's content filter refused the input or output
            ├── AuthenticationError     401, bad or missing key
            ├── PermissionDeniedError   403
            ├── NotFoundError           404, unknown model, route or object
            ├── RateLimitError          429, too many requests (retryable)
            │   └── QuotaExceededError  the account is out of credit (not retryable)
            ├── OverloadedError         503 / 529, the vendor is overloaded (retryable)
            └── ServerError             408 and other 5xx (retryable)

`APIError` carries `provider`, `model`, `status` (the HTTP status of the answer: 200 for an error
reported inside a successful answer, None when no answer arrived), `request_id`,
`retry_after` (seconds), `code` (the vendor's own error code), `rate_limit` (parsed rate-limit
headers) and `body_excerpt`: a short, redacted excerpt of what the vendor sent. Secrets never reach
any of these fields, the message or the repr.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._types._task import Task

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AllDeploymentsFailedError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ContentPolicyError",
    "ContextLengthError",
    "InvalidRequestError",
    "NoDeploymentError",
    "NotFoundError",
    "OverloadedError",
    "PermissionDeniedError",
    "PluginError",
    "QuotaExceededError",
    "RateLimitError",
    "RelaykitError",
    "ResponseFormatError",
    "ServerError",
    "StreamInterruptedError",
    "TaskFailedError",
    "TaskNotFoundError",
    "TaskTimeoutError",
    "UnsupportedCapabilityError",
    "redact",
]

_EXCERPT_LIMIT = 500


# Things that look like credentials in free text: bearer tokens, OpenAI/Anthropic-style keys,
# and key=value pairs for the usual secret names (query strings, form bodies, JSON).
# Compiled on first use, not at import: compiling them is a few milliseconds of every cold start.
@functools.cache
def _secret_patterns() -> tuple[re.Pattern[str], ...]:
    return (
        re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{6,}"),
        re.compile(r"\b(sk|pk|rk)(-[A-Za-z0-9_]+)?-[A-Za-z0-9_-]{8,}"),
        re.compile(
            r"(?i)((?:api[_-]?key|access[_-]?token|client[_-]?secret|secret[_-]?key|apikey|token|"
            r"password|authorization|x-api-key|signature)[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,}]{4,}"
        ),
    )


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Return `text` with known secret values and credential-shaped substrings masked."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    for pattern in _secret_patterns():
        text = pattern.sub(_mask_match, text)
    return text


def _mask_match(match: re.Match[str]) -> str:
    prefix = match.group(1) if match.re.groups and match.group(1) else ""
    if match.re.pattern.startswith(r"\b(sk"):
        return "***"
    return f"{prefix}***"


def excerpt(body: bytes | str | None, secrets: tuple[str, ...] = ()) -> str | None:
    """A short, redacted, printable excerpt of a vendor body."""
    if body is None:
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = redact(text.strip(), secrets)
    if len(text) > _EXCERPT_LIMIT:
        text = text[:_EXCERPT_LIMIT] + "…"
    return text


class RelaykitError(Exception):
    """Base class of every error relaykit raises."""


class ConfigurationError(RelaykitError):
    """The configuration is invalid: names the file (when there is one), the key and the problem."""

    def __init__(self, message: str, *, key: str | None = None, path: str | None = None) -> None:
        where = ", ".join(part for part in (path, f"key {key!r}" if key else None) if part)
        super().__init__(f"{where}: {message}" if where else message)
        self.key = key
        self.path = path


class PluginError(RelaykitError):
    """A plugin could not be loaded or registered."""


class InvalidRequestError(RelaykitError, ValueError):
    """The request is invalid; it was not sent.

    `field` names the offending field as a dotted path (`messages.1.content`), and `errors` keeps
    every problem found as `(field, message)` pairs.
    """

    def __init__(self, message: str, *, field: str | None = None, errors: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.field = field
        self.errors = errors or ((field or "", message),)


class UnsupportedCapabilityError(RelaykitError):
    """The provider or model cannot serve this request; it was not sent."""

    def __init__(self, message: str, *, provider: str | None = None, capability: str | None = None) -> None:
        super().__init__(message)
        self.provider = provider
        self.capability = capability


class APIError(RelaykitError):
    """An error while talking to a vendor. See the module docstring for the fields."""

    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        model: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        code: str | None = None,
        body_excerpt: str | None = None,
        rate_limit: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.model = model
        self.status = status
        self.request_id = request_id
        self.retry_after = retry_after
        self.code = code
        self.body_excerpt = body_excerpt
        self.rate_limit = dict(rate_limit) if rate_limit else {}

    def __str__(self) -> str:
        parts = [f"{self.provider}/{self.model}" if self.provider and self.model else self.provider]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.code:
            parts.append(f"code {self.code}")
        if self.request_id:
            parts.append(f"request {self.request_id}")
        context = ", ".join(p for p in parts if p)
        return f"{self.message} ({context})" if context else self.message

    def __repr__(self) -> str:
        fields = ("provider", "model", "status", "code", "request_id", "retry_after")
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in fields if getattr(self, name) is not None)
        return f"{type(self).__name__}({self.message!r}{', ' if shown else ''}{shown})"


class APIConnectionError(APIError):
    """The connection to the vendor failed or broke before a complete answer arrived."""

    retryable = True


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout expired."""


class StreamInterruptedError(APIConnectionError):
    """A stream broke after it had started.

    `partial` holds what had arrived, assembled (for a routed stream: exactly what the caller
    received); `deployment` names the route deployment that produced it, when routed.
    """

    def __init__(self, message: str, *, partial: Any = None, deployment: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.partial = partial
        self.deployment = deployment


class ResponseFormatError(APIError):
    """The vendor answered in a shape we cannot parse; `body_excerpt` shows (redacted) what came."""


class APIStatusError(APIError):
    """The vendor reported an error, by HTTP status or inside a successful response."""


class BadRequestError(APIStatusError):
    """The vendor rejected the request as invalid (400, 409, 422, in-band parameter errors)."""


class ContextLengthError(BadRequestError):
    """The input (plus requested output) does not fit the model's context window."""


class ContentPolicyError(BadRequestError):
    """The vendor's content filter refused the input or the output."""


class AuthenticationError(APIStatusError):
    """The key is missing, wrong, expired or not allowed from here (401)."""


class PermissionDeniedError(APIStatusError):
    """The key is valid but may not do this (403)."""


class NotFoundError(APIStatusError):
    """Unknown model, route or object (404)."""


class RateLimitError(APIStatusError):
    """Too many requests (429); retry after `retry_after` seconds when it is set."""

    retryable = True


class QuotaExceededError(RateLimitError):
    """The account has run out of credit or quota; retrying will not help."""

    retryable = False


class OverloadedError(APIStatusError):
    """The vendor is overloaded or unavailable (503, Anthropic's 529)."""

    retryable = True


class ServerError(APIStatusError):
    """The vendor failed (500 and other 5xx)."""

    retryable = True


class NoDeploymentError(UnsupportedCapabilityError):
    """No deployment of route `route` can serve the request; `reasons` says why, per deployment."""

    def __init__(self, route: str, reasons: dict[str, str]) -> None:
        detail = "; ".join(f"{deployment}: {reason}" for deployment, reason in reasons.items())
        super().__init__(f"no deployment of route {route!r} can serve this request ({detail})")
        self.route = route
        self.reasons = reasons


class AllDeploymentsFailedError(APIError):
    """Route `route` tried every deployment it could; `errors` holds (deployment, error) in order.

    The common fields (status, code, retry_after...) are the last error's, which is also the
    exception's `__cause__`.
    """

    def __init__(self, route: str, errors: list[tuple[str, BaseException]], attempts: int) -> None:
        last = errors[-1][1] if errors else None
        tried = ", ".join(f"{deployment} ({type(error).__name__})" for deployment, error in errors)
        fields: dict[str, Any] = {}
        if isinstance(last, APIError):
            fields = {
                "provider": last.provider,
                "model": last.model,
                "status": last.status,
                "request_id": last.request_id,
                "retry_after": last.retry_after,
                "code": last.code,
                "body_excerpt": last.body_excerpt,
            }
        super().__init__(f"every deployment of route {route!r} failed after {attempts} attempts: {tried}", **fields)
        self.route = route
        self.errors = errors
        self.attempts = attempts


def _task_fields(task: Task, fields: dict[str, Any]) -> dict[str, Any]:
    return {"provider": task.provider, "model": task.model, **fields}


class TaskFailedError(APIError):
    """A long-running task ended `failed` or `cancelled`; `task` is its final snapshot.

    `code` is the task error's code (`TaskError.code`, e.g. ``content_policy`` for moderation);
    `moderated` tells a refusal of the vendor's content filter apart from other failures.
    """

    def __init__(self, message: str, *, task: Task, **fields: Any) -> None:
        error = task.error
        fields.setdefault("code", error.code if error is not None else None)
        super().__init__(message, **_task_fields(task, fields))
        self.task = task

    @property
    def moderated(self) -> bool:
        """True when the vendor's content filter refused the input or the output."""
        return self.code == "content_policy"


class TaskNotFoundError(TaskFailedError, NotFoundError):
    """The vendor no longer knows the task (expired, another key, another host); `task` is the
    last snapshot relaykit had. Waiting longer cannot help."""


class TaskTimeoutError(APITimeoutError):
    """`tasks.wait` reached its deadline before the task finished; `task` is the last snapshot.

    The task may still finish at the vendor: wait on `task` again to resume.
    """

    def __init__(self, message: str, *, task: Task, **fields: Any) -> None:
        super().__init__(message, **_task_fields(task, fields))
        self.task = task
