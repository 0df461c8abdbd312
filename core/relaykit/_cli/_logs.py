"""``--log-format json|text``: relaykit's structured events on stderr, for this run only.

The library never configures logging; the command line is an application, so it may. It adds one
handler to the standard library logger ``relaykit`` (where relaykit's events go when structlog is
not configured), writing each event as one JSON object or one ``event key=value`` line.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

__all__ = ["enable_logs"]


class _JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = getattr(record, "relaykit", {})
        event = record.getMessage().split(" ", 1)[0]
        payload = {"event": event, "level": record.levelname.lower(), "time": record.created, **fields}
        return json.dumps(payload, ensure_ascii=False, default=str)


def enable_logs(fmt: str) -> None:
    """Send relaykit's events to stderr, as JSON lines (`fmt` "json") or text lines ("text")."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JSONFormatter() if fmt == "json" else logging.Formatter("%(message)s"))
    logger = logging.getLogger("relaykit")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
