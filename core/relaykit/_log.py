"""Structured logging that stays silent until the application configures logging.

relaykit never configures logging. When the application has configured structlog, events go
through structlog (`structlog.get_logger("relaykit")`); otherwise they go to the standard library
logger ``relaykit`` (which has a `NullHandler`, so nothing shows until the application adds a
handler or calls `logging.basicConfig`). Event names are dotted (`relaykit.http.request`); values
are key-value pairs and never hold secrets. structlog is not imported until the application
imports it.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

__all__ = ["log_enabled", "log_event"]

_stdlib = logging.getLogger("relaykit")
_stdlib.addHandler(logging.NullHandler())


def log_enabled(level: int = logging.INFO) -> bool:
    """Whether an event at `level` goes anywhere (so that its fields are worth computing)."""
    structlog = sys.modules.get("structlog")
    return bool(structlog is not None and structlog.is_configured()) or _stdlib.isEnabledFor(level)


def log_event(event: str, *, level: int = logging.INFO, **fields: Any) -> None:
    """Emit one structured event."""
    # An application that configured structlog has imported it; otherwise relaykit does not pay
    # structlog's import time on the request path.
    structlog = sys.modules.get("structlog")
    if structlog is not None and structlog.is_configured():
        structlog.get_logger("relaykit").log(level, event, **fields)
    elif _stdlib.isEnabledFor(level):
        details = " ".join(f"{key}={value!r}" for key, value in fields.items())
        _stdlib.log(level, "%s %s", event, details, extra={"relaykit": fields})
