"""EZLink AI (api.ezlinkai.com): an OpenAI-compatible relay (seed 001, ``shared/dialects/relays.md`` §1.2).

Chat, completions, embeddings, images (generations, edits, variations), audio, moderations and
models list / retrieve, on the OpenAI dialect (``relaykit_openai``'s flows, relayed through
`relaykit_vocka.relay` for one-api error envelopes). Bearer key from ``EZLINK_API_KEY``; base URL
``https://api.ezlinkai.com/v1``.

Image variations: the seed documents ``/v1/images/variations``, but EZLink's backend answers it
501 ``api_not_implemented``; relaykit sends the call (so a relay that adds it works) and raises
`UnsupportedCapabilityError` (capability ``images.variation``) for that answer.

Side doors (``relaykit_ezlink._sidedoors``): Midjourney under ``/mj`` (``client.midjourney``),
Flux under ``/flux`` polled on the relay's own result route (``client.media``; ``flux-*`` on
``client.images.generate`` takes the OpenAI form), Stability's ``/v2beta`` pass-through
(``client.media``; EZLink removed it on 2026-01-13, see ``docs/providers/ezlink.md``), and video
generation + query (``client.video`` and ``client.tasks``); file upload (``client.files.create``,
``relaykit_ezlink._files``: EZLink stores the file and answers with its URL).
"""

from __future__ import annotations

from collections.abc import Callable

from relaykit.hookspecs import hookimpl
from relaykit.plugin import Capability, Operation, ProviderSpec
from relaykit_vocka.relay import (
    CHAT_CAPABILITIES,
    MIDJOURNEY_OPERATIONS,
    RelaySettings,
    catalogue_capabilities,
    openai_operations,
)

__all__ = ["EZLINK", "EZLinkSettings", "register_providers"]


class EZLinkSettings(RelaySettings):
    """EZLink's settings: the OpenAI dialect's, with relay defaults (``max_tokens``, ``system``)."""


_CATALOGUE = {
    "gpt-3.5-turbo-0613": CHAT_CAPABILITIES - {Capability.VISION, Capability.JSON_SCHEMA},
}
"""Seed 001 names one model (``gpt-3.5-turbo-0613``, in its chat completion object); the others
follow the OpenAI families (see `relaykit_vocka.relay.catalogue_capabilities`); ``GET /v1/models``
lists what a key may use."""

_SIDE_DOORS = {
    Operation.MEDIA_GENERATE: "relaykit_ezlink._sidedoors:media_generate",
    Operation.MEDIA_EDIT: "relaykit_ezlink._sidedoors:media_edit",
    Operation.MEDIA_UPSCALE: "relaykit_ezlink._sidedoors:media_upscale",
    Operation.MEDIA_CONTROL: "relaykit_ezlink._sidedoors:media_control",
    Operation.VIDEO_GENERATE: "relaykit_ezlink._sidedoors:video",
    Operation.TASK_GET: "relaykit_ezlink._sidedoors:task_get",
    Operation.FILE_UPLOAD: "relaykit_ezlink._files:file_upload",
}
"""Flux, Stability, video and every task kind (``relaykit_ezlink._sidedoors``)."""

EZLINK = ProviderSpec(
    name="ezlink",
    description="EZLink AI relay: OpenAI dialect, Midjourney, Flux, Stability, video",
    capabilities=frozenset(
        {
            *CHAT_CAPABILITIES,
            Capability.COMPLETIONS,
            Capability.EMBEDDINGS,
            Capability.EMBEDDING_DIMENSIONS,
            Capability.IMAGE_GENERATE,
            Capability.IMAGE_EDIT,
            Capability.IMAGE_VARIATION,
            Capability.SPEECH,
            Capability.TRANSCRIPTION,
            Capability.TRANSLATION,
            Capability.MODERATION,
            Capability.MODELS,
            Capability.MIDJOURNEY,
            Capability.MEDIA_GENERATE,
            Capability.MEDIA_URL_INPUT,
            Capability.MEDIA_EDIT_INPAINT,
            Capability.MEDIA_EDIT_OUTPAINT,
            Capability.MEDIA_EDIT_ERASE,
            Capability.MEDIA_EDIT_SEARCH_AND_REPLACE,
            Capability.MEDIA_EDIT_REMOVE_BACKGROUND,
            Capability.MEDIA_UPSCALE_CONSERVATIVE,
            Capability.MEDIA_UPSCALE_CREATIVE,
            Capability.MEDIA_CONTROL_SKETCH,
            Capability.MEDIA_CONTROL_STRUCTURE,
            Capability.MEDIA_CONTROL_STYLE,
            Capability.VIDEO_TEXT_TO_VIDEO,
            Capability.VIDEO_IMAGE_TO_VIDEO,
            Capability.FILES,
        }
    ),
    operations={
        **openai_operations(
            Operation.CHAT,
            Operation.COMPLETION,
            Operation.EMBEDDING,
            Operation.IMAGE_GENERATE,
            Operation.IMAGE_EDIT,
            Operation.IMAGE_VARIATION,
            Operation.SPEECH,
            Operation.TRANSCRIPTION,
            Operation.TRANSLATION,
            Operation.MODERATION,
            Operation.MODEL_LIST,
            Operation.MODEL_RETRIEVE,
        ),
        **MIDJOURNEY_OPERATIONS,
        **_SIDE_DOORS,
    },
    settings_model=EZLinkSettings,
    default_base_url="https://api.ezlinkai.com/v1",
    default_api_key_env="EZLINK_API_KEY",
    model_capabilities=catalogue_capabilities(_CATALOGUE),
    emulator="relaykit_ezlink.emulator:EZLinkEmulator",
)


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    register(EZLINK)
