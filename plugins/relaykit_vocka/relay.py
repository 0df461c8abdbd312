"""What the one-api / new-api relays share: settings, the error envelope, and relayed OpenAI flows.

Reference: ``shared/dialects/relays.md`` sections 2 and 5. This module is the shared relay layer
of the three relay plugins (``relaykit_vocka``, ``relaykit_ezlink``, ``relaykit_aigc2d``); it is
public so the other two can build on it, as they build on ``relaykit_openai``'s modules.

The error mapping (`relay_error`, `relay_flow`, `strip_request_id`) lives in ``_relay_errors`` and is
served from here on first use, so that registering the relay plugins does not import the error and
flow modules their calls use later.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import Field

from relaykit.plugin import Capability, Operation
from relaykit_openai import OpenAISettings

if TYPE_CHECKING:
    from ._relay_errors import relay_error, relay_flow, strip_request_id

__all__ = [
    "CHAT_CAPABILITIES",
    "MIDJOURNEY_OPERATIONS",
    "OPENAI_OPERATIONS",
    "RelaySettings",
    "catalogue_capabilities",
    "openai_operations",
    "relay_error",
    "relay_flow",
    "strip_request_id",
]

OPENAI_OPERATIONS: dict[Operation, str] = {
    Operation.CHAT: "chat",
    Operation.COMPLETION: "completion",
    Operation.EMBEDDING: "embedding",
    Operation.IMAGE_GENERATE: "image_generate",
    Operation.IMAGE_EDIT: "image_edit",
    Operation.IMAGE_VARIATION: "image_variation",
    Operation.SPEECH: "speech",
    Operation.TRANSCRIPTION: "transcription",
    Operation.TRANSLATION: "translation",
    Operation.MODERATION: "moderation",
    Operation.MODEL_LIST: "model_list",
    Operation.MODEL_RETRIEVE: "model_retrieve",
}
"""Each OpenAI operation -> the name of its relayed flow in ``relaykit_vocka._flows``."""

MIDJOURNEY_OPERATIONS: dict[Operation, str] = {
    Operation.MIDJOURNEY: "relaykit_vocka._midjourney:midjourney",
    Operation.TASK_GET: "relaykit_vocka._midjourney:task_get",
}
"""`ProviderSpec.operations` entries for Midjourney under the relay's ``/mj`` root."""


def openai_operations(*operations: Operation) -> dict[Operation, str]:
    """`ProviderSpec.operations` entries for `operations`, served by the relayed OpenAI flows."""
    return {operation: f"relaykit_vocka._flows:{OPENAI_OPERATIONS[operation]}" for operation in operations}


class RelaySettings(OpenAISettings):
    """The OpenAI dialect's settings with the defaults relays understand (``max_tokens``, ``system``)."""

    max_tokens_field: str = Field(default="max_tokens", pattern="^(max_tokens|max_completion_tokens)$")
    developer_role: str = Field(default="system", pattern="^(developer|system)$")
    mj_base_url: str | None = None
    """The relay's Midjourney root (None: the base URL with ``/v1`` replaced by ``/mj``)."""
    poll_interval: float = Field(default=3.0, gt=0)
    """Seconds between polls of the relay's tasks (Midjourney, Flux, video), as `Task.poll_after`."""


CHAT_CAPABILITIES = frozenset(
    {
        Capability.CHAT,
        Capability.CHAT_STREAM,
        Capability.TOOLS,
        Capability.VISION,
        Capability.JSON_OBJECT,
        Capability.JSON_SCHEMA,
        Capability.MODELS,
    }
)
"""What a current OpenAI-family chat model does through a relay."""

_FAMILIES: tuple[tuple[tuple[str, ...], frozenset[Capability]], ...] = (
    (("text-embedding-ada",), frozenset({Capability.EMBEDDINGS, Capability.MODELS})),
    (("text-embedding",), frozenset({Capability.EMBEDDINGS, Capability.EMBEDDING_DIMENSIONS, Capability.MODELS})),
    (
        ("dall-e", "gpt-image"),
        frozenset({Capability.IMAGE_GENERATE, Capability.IMAGE_EDIT, Capability.IMAGE_VARIATION, Capability.MODELS}),
    ),
    (("tts-",), frozenset({Capability.SPEECH, Capability.MODELS})),
    (("whisper",), frozenset({Capability.TRANSCRIPTION, Capability.TRANSLATION, Capability.MODELS})),
    (("text-moderation", "omni-moderation"), frozenset({Capability.MODERATION, Capability.MODELS})),
    (("gpt-3.5-turbo-instruct", "babbage", "davinci"), frozenset({Capability.COMPLETIONS, Capability.MODELS})),
)


def catalogue_capabilities(
    catalogue: Mapping[str, frozenset[Capability]],
) -> Callable[[str], frozenset[Capability] | None]:
    """A `ProviderSpec.model_capabilities`: the catalogue's entry, else the OpenAI family's, else None.

    Lookups ignore case. A model outside the catalogue and the families (relays add models all the
    time) gets None: the provider's own capabilities apply.
    """
    lowered = {name.lower(): capabilities for name, capabilities in catalogue.items()}

    def capabilities(model: str) -> frozenset[Capability] | None:
        name = model.lower()
        if name in lowered:
            return lowered[name]
        for prefixes, family in _FAMILIES:
            if name.startswith(prefixes):
                return family
        return None

    return capabilities


_ERRORS = frozenset({"relay_error", "relay_flow", "strip_request_id"})


def __getattr__(name: str) -> Any:
    if name not in _ERRORS:
        raise AttributeError(f"module 'relaykit_vocka.relay' has no attribute {name!r}")
    from . import _relay_errors

    value = getattr(_relay_errors, name)
    globals()[name] = value
    return value
