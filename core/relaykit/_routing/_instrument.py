"""stamina's retry instrumentation, made as quiet as relaykit's own logging.

stamina logs each scheduled retry through structlog when structlog is installed, and structlog
prints to standard output until an application configures it — but a library never prints. So,
when the application has not chosen stamina hooks itself, relaykit installs the equivalent hook
that logs ``stamina.retry_scheduled`` (same fields) through relaykit's logging, which stays silent
until the application configures logging; the Prometheus counter is kept when prometheus_client is
installed. An application that calls ``stamina.instrumentation.set_on_retry_hooks(...)`` keeps its
choice: relaykit only fills in a default that was never set.
"""

from __future__ import annotations

import threading
from typing import Any

from stamina import instrumentation

from .._log import log_event

__all__ = ["quiet_stamina_hooks"]

_done = threading.Event()


def _log_retry(details: instrumentation.RetryDetails) -> None:
    log_event(
        "stamina.retry_scheduled",
        callable=details.name,
        retry_num=details.retry_num,
        caused_by=repr(details.caused_by),
        wait_for=round(details.wait_for, 2),
        waited_so_far=round(details.waited_so_far, 2),
    )


def quiet_stamina_hooks() -> None:
    """Install the quiet hooks once, unless the application configured stamina's hooks already."""
    if _done.is_set():
        return
    _done.set()
    try:
        from stamina._config import CONFIG
    except ImportError:  # pragma: no cover - stamina reorganised; keep its defaults
        return
    unset: Any = getattr(CONFIG, "_on_retry", object()) is None
    if not unset:
        return
    hooks: list[Any] = [_log_retry]
    try:
        import prometheus_client  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        pass
    else:
        hooks.insert(0, instrumentation.PrometheusOnRetryHook)
    instrumentation.set_on_retry_hooks(hooks)
