"""Midjourney through a relay: ``relaykit_midjourney``'s flows under the relay's own ``/mj`` root.

Reference: ``shared/dialects/relays.md`` §1.1 / §1.2 and ``shared/dialects/midjourney.md``. A relay
serves the OpenAI endpoints under ``https://<relay>/v1`` and the midjourney-proxy task API under
``https://<relay>/mj``, with the same key. A relay provider is configured with its OpenAI base URL;
the Midjourney root is that URL with a trailing ``/v1`` replaced by ``/mj`` (the ``mj_base_url``
setting overrides it, e.g. ``https://<relay>/mj-relax/mj`` for a relax pool). The key goes as
``Authorization: Bearer``, which every relay accepts on ``/mj`` routes.

The flows are ``relaykit_midjourney``'s, run with that root (`mj_context`): submits, task fetch,
list by ids and image seed, Tasks owned by the relay provider (``client.tasks`` polls them there).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from relaykit import MidjourneyRequest, Task
from relaykit.plugin import CallContext, Flow
from relaykit_midjourney import MidjourneySettings, midjourney_flow
from relaykit_midjourney import task_get as mj_task_get

__all__ = ["midjourney", "mj_context", "side_root", "task_get"]


def side_root(ctx: CallContext, path: str) -> str:
    """`path` under the relay's origin: the configured base URL without its trailing ``/v1``."""
    base = ctx.settings.base_url.rstrip("/")
    return base.removesuffix("/v1") + "/" + path.strip("/")


def mj_context(ctx: CallContext) -> CallContext:
    """`ctx` with midjourney-proxy settings: the relay's ``/mj`` root, bearer auth, its poll interval."""
    settings = ctx.settings
    root = getattr(settings, "mj_base_url", None) or side_root(ctx, "mj")
    mj_settings = MidjourneySettings(
        base_url=root,
        api_key=settings.api_key,
        timeout=settings.timeout,
        connect_timeout=settings.connect_timeout,
        headers=settings.headers,
        auth="bearer",
        poll_interval=getattr(settings, "poll_interval", 3.0),
    )
    return dataclasses.replace(ctx, settings=mj_settings)


def midjourney(request: MidjourneyRequest, ctx: CallContext) -> Flow[Any]:
    """One ``client.midjourney`` call through the relay's ``/mj`` root."""
    return (yield from midjourney_flow(request, mj_context(ctx)))


def task_get(task: Task, ctx: CallContext) -> Flow[Task]:
    """One look at a Midjourney task through the relay's ``/mj`` root."""
    return (yield from mj_task_get(task, mj_context(ctx)))
