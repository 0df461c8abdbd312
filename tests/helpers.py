"""Small builders shared by the tests."""

from __future__ import annotations

from typing import Any

from relaykit.plugin import CallContext
from relaykit_openai import OpenAISettings


def make_context(*, options: dict[str, Any] | None = None, **settings: Any) -> CallContext:
    """A CallContext for the OpenAI kind with a fake key, for driving flows directly."""
    values: dict[str, Any] = {"base_url": "https://api.openai.com/v1", "api_key": "sk-test-0123456789abcdef"}
    values.update(settings)
    return CallContext(
        provider="openai", kind="openai", model="gpt-4o-mini", settings=OpenAISettings(**values), options=options or {}
    )
