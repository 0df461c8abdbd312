"""Faults an emulator injects instead of (or on top of) its normal answer.

A `Fault` is requested in one of two ways:

- In process, queued on the emulator: ``emu.inject(Fault.status(429, retry_after=2))``. Each queued
  fault is consumed by the next request whose path matches (``times`` requests in all).
- Per request, from anywhere (another process, the CLI demo), with the ``x-relaykit-fault`` header.
  Its value is one fault in the form ``kind[=value][; key=value ...]``:

  ==================================  ======================================================
  header value                        fault
  ==================================  ======================================================
  ``status=429; retry_after=1``       ``Fault.status(429, retry_after=1)``
  ``status=429; error_code=insufficient_quota``  ``Fault.status(429, error_code="insufficient_quota")``
  ``latency=0.2``                     ``Fault.latency(0.2)``
  ``drop``                            ``Fault.drop()``
  ``malformed``                       ``Fault.malformed_json()``
  ``cut=3``                           ``Fault.cut_stream(after_events=3)``
  ==================================  ======================================================

  ``Fault.to_header()`` writes this form and ``Fault.parse()`` reads it. A header fault wins over
  a queued one and does not consume it.

What each fault does on the wire:

- ``status``: the dialect's error envelope with that HTTP status (or ``body`` verbatim), plus a
  ``Retry-After`` header when ``retry_after`` is set. The normal answer is not produced.
- ``latency``: waits, then sends the normal answer.
- ``drop``: reads the request, then closes the connection without sending a byte.
- ``malformed_json``: a 200 ``application/json`` answer whose body is truncated JSON.
- ``cut_stream``: sends the normal answer's first ``after_events`` stream events, then half of the
  next one, then closes the connection, leaving the chunked body unfinished. On an answer that is
  not streamed it sends half of the body after announcing its full length.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

__all__ = ["FAULT_HEADER", "Fault", "FaultKind"]

FAULT_HEADER = "x-relaykit-fault"
"""The request header that asks an emulator for a fault (see the module docstring)."""

FaultKind: TypeAlias = Literal["status", "latency", "drop", "malformed_json", "cut_stream"]

_DEFAULT_MALFORMED = b'{"id": "emulated", "object": "chat.completion", "choices": [{"index": 0, "message": {"ro'
_HEADER_KINDS = {"status": "status", "latency": "latency", "drop": "drop", "malformed": "malformed_json", "cut": "cut"}


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected fault. Build it with the class-method constructors, not directly."""

    kind: FaultKind
    status_code: int = 0
    retry_after: float | None = None
    error_code: str | None = None
    body: bytes | str | Mapping[str, Any] | None = field(default=None, hash=False)
    headers: Mapping[str, str] = field(default_factory=dict, hash=False)
    seconds: float = 0.0
    after_events: int = 0

    @classmethod
    def status(
        cls,
        status_code: int,
        *,
        retry_after: float | None = None,
        body: bytes | str | Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        error_code: str | None = None,
    ) -> Fault:
        """Answer with HTTP `status_code` instead of the normal answer.

        Args:
            status_code: the HTTP status, e.g. 429, 500, 503 or Anthropic's 529.
            retry_after: seconds sent in a ``Retry-After`` header.
            body: the body verbatim (a mapping is sent as JSON, text as ``text/plain``); by default
                the emulator's dialect error envelope for the status.
            headers: extra response headers.
            error_code: the vendor error code put in the default envelope (``insufficient_quota``).
        """
        if not 100 <= status_code <= 599:
            raise ValueError(f"status_code: {status_code} is not an HTTP status")
        if retry_after is not None and retry_after < 0:
            raise ValueError("retry_after: must not be negative")
        return cls(
            "status",
            status_code=status_code,
            retry_after=retry_after,
            error_code=error_code,
            body=body,
            headers=dict(headers or {}),
        )

    @classmethod
    def latency(cls, seconds: float) -> Fault:
        """Wait `seconds` before sending the normal answer."""
        if seconds < 0:
            raise ValueError("seconds: must not be negative")
        return cls("latency", seconds=float(seconds))

    @classmethod
    def drop(cls) -> Fault:
        """Close the connection without sending any response."""
        return cls("drop")

    @classmethod
    def malformed_json(cls, body: bytes | None = None) -> Fault:
        """Answer 200 ``application/json`` with a truncated JSON body (`body`, or a default one)."""
        return cls("malformed_json", body=body)

    @classmethod
    def cut_stream(cls, after_events: int = 0) -> Fault:
        """Send `after_events` events of the normal stream, half of the next one, then close."""
        if after_events < 0:
            raise ValueError("after_events: must not be negative")
        return cls("cut_stream", after_events=after_events)

    @property
    def malformed_body(self) -> bytes:
        """The truncated JSON a `malformed_json` fault sends."""
        if isinstance(self.body, bytes):
            return self.body
        return _DEFAULT_MALFORMED

    def to_header(self) -> str:
        """This fault as an ``x-relaykit-fault`` header value (a custom ``body`` is not carried)."""
        if self.kind == "status":
            parts = [f"status={self.status_code}"]
            if self.retry_after is not None:
                parts.append(f"retry_after={_number(self.retry_after)}")
            if self.error_code:
                parts.append(f"error_code={self.error_code}")
            return "; ".join(parts)
        if self.kind == "latency":
            return f"latency={_number(self.seconds)}"
        if self.kind == "cut_stream":
            return f"cut={self.after_events}"
        return "malformed" if self.kind == "malformed_json" else "drop"

    @classmethod
    def parse(cls, text: str) -> Fault:
        """Read an ``x-relaykit-fault`` header value; raise ValueError saying what is wrong."""
        try:
            return cls._parse(text)
        except ValueError as exc:
            message = str(exc)
            if not message.startswith(FAULT_HEADER):
                message = f"{FAULT_HEADER}: {text!r}: {message}"
            raise ValueError(message) from None

    @classmethod
    def _parse(cls, text: str) -> Fault:
        parts = [part.strip() for part in text.split(";") if part.strip()]
        if not parts:
            raise ValueError(f"{FAULT_HEADER}: empty")
        name, _, value = parts[0].partition("=")
        kind = _HEADER_KINDS.get(name.strip().lower().replace("-", "_"))
        params: dict[str, str] = {}
        for part in parts[1:]:
            key, sep, raw = part.partition("=")
            if not sep:
                raise ValueError(f"{FAULT_HEADER}: {part!r} is not key=value")
            params[key.strip().lower().replace("-", "_")] = raw.strip()
        value = value.strip()
        if kind == "status":
            allowed = {"retry_after", "error_code"}
            _check_params(params, allowed)
            retry = params.get("retry_after")
            return cls.status(
                int(_required(value, "status")),
                retry_after=float(retry) if retry is not None else None,
                error_code=params.get("error_code") or None,
            )
        _check_params(params, set())
        if kind == "latency":
            return cls.latency(float(_required(value, "latency")))
        if kind == "cut":
            return cls.cut_stream(int(value) if value else 0)
        if kind in {"drop", "malformed_json"} and not value:
            return cls.drop() if kind == "drop" else cls.malformed_json()
        raise ValueError(f"{FAULT_HEADER}: unknown fault {parts[0]!r} (status, latency, drop, malformed, cut)")

    def error_body(self) -> tuple[bytes, str] | None:
        """A custom `body` of a status fault as (bytes, content type); None for the default envelope."""
        if self.body is None:
            return None
        if isinstance(self.body, Mapping):
            return json.dumps(dict(self.body), ensure_ascii=False).encode(), "application/json"
        if isinstance(self.body, str):
            return self.body.encode(), "text/plain; charset=utf-8"
        return self.body, "application/octet-stream"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _required(value: str, name: str) -> str:
    if not value:
        raise ValueError(f"{FAULT_HEADER}: {name} needs a value ({name}=...)")
    return value


def _check_params(params: Mapping[str, str], allowed: set[str]) -> None:
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ValueError(f"{FAULT_HEADER}: unknown parameter {unknown[0]!r}")
