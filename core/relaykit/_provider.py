"""What a plugin registers: a `ProviderSpec` (capabilities, settings schema, lazily loaded flows).

A provider *kind* (`openai`, `anthropic`, ...) is registered by a plugin. A configured *provider*
is a name in configuration (`[providers.myrelay]`) bound to a kind and its settings; every kind is
also available under its own name with its default settings.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from ._state import SharedState, default_state

__all__ = [
    "CallContext",
    "Capability",
    "Operation",
    "ProviderSettings",
    "ProviderSpec",
]


class Capability(StrEnum):
    """What a provider (or one of its models) can do; the router checks these before a call."""

    CHAT = "chat"
    CHAT_STREAM = "chat.stream"
    TOOLS = "chat.tools"
    VISION = "chat.vision"
    AUDIO_INPUT = "chat.audio_input"
    JSON_OBJECT = "chat.json_object"
    JSON_SCHEMA = "chat.json_schema"
    COMPLETIONS = "completions"
    EMBEDDINGS = "embeddings"
    EMBEDDING_DIMENSIONS = "embeddings.dimensions"
    IMAGE_GENERATE = "images.generate"
    IMAGE_EDIT = "images.edit"
    IMAGE_VARIATION = "images.variation"
    SPEECH = "audio.speech"
    TRANSCRIPTION = "audio.transcription"
    TRANSLATION = "audio.translation"
    MODERATION = "moderation"
    MODELS = "models"
    MEDIA_GENERATE = "media.generate"
    MEDIA_EDIT_INPAINT = "media.edit.inpaint"
    MEDIA_EDIT_OUTPAINT = "media.edit.outpaint"
    MEDIA_EDIT_ERASE = "media.edit.erase"
    MEDIA_EDIT_SEARCH_AND_REPLACE = "media.edit.search_and_replace"
    MEDIA_EDIT_SEARCH_AND_RECOLOR = "media.edit.search_and_recolor"
    MEDIA_EDIT_REMOVE_BACKGROUND = "media.edit.remove_background"
    MEDIA_UPSCALE_CONSERVATIVE = "media.upscale.conservative"
    MEDIA_UPSCALE_CREATIVE = "media.upscale.creative"
    MEDIA_UPSCALE_FAST = "media.upscale.fast"
    MEDIA_CONTROL_SKETCH = "media.control.sketch"
    MEDIA_CONTROL_STRUCTURE = "media.control.structure"
    MEDIA_CONTROL_STYLE = "media.control.style"
    VIDEO_IMAGE_TO_VIDEO = "video.image_to_video"
    VIDEO_TEXT_TO_VIDEO = "video.text_to_video"
    MIDJOURNEY = "midjourney"
    """Midjourney's own operations (`client.midjourney`: imagine, actions, blend, describe...)."""
    FILES = "files"
    """File upload (`client.files.create`)."""
    MEDIA_URL_INPUT = "media.url_input"
    """Not a need but a trait: the vendor fetches image URLs itself, so core does not download them."""


class Operation(StrEnum):
    """The flows a provider may implement; each maps to `module:function` in the spec."""

    CHAT = "chat"
    COMPLETION = "completion"
    EMBEDDING = "embedding"
    IMAGE_GENERATE = "image_generate"
    IMAGE_EDIT = "image_edit"
    IMAGE_VARIATION = "image_variation"
    SPEECH = "speech"
    TRANSCRIPTION = "transcription"
    TRANSLATION = "translation"
    MODERATION = "moderation"
    MODEL_LIST = "model_list"
    MODEL_RETRIEVE = "model_retrieve"
    MEDIA_GENERATE = "media_generate"
    MEDIA_EDIT = "media_edit"
    MEDIA_UPSCALE = "media_upscale"
    MEDIA_CONTROL = "media_control"
    VIDEO_GENERATE = "video_generate"
    MIDJOURNEY = "midjourney"
    """Every `client.midjourney` call: ``midjourney(request, ctx) -> Flow[Task | list[Task] | str]``."""
    FILE_UPLOAD = "file_upload"
    """``file_upload(request: FileUploadRequest, ctx) -> Flow[FileObject]``."""
    TASK_GET = "task_get"
    """One look at a `Task`: ``task_get(task, ctx) -> Flow[Task]`` (see docs/plugins.md, "Tasks")."""


class ProviderSettings(BaseModel):
    """Settings every provider accepts; a plugin subclasses it to add its own.

    `api_key` may be given directly (keyword construction) or read from the environment variable
    named by `api_key_env`. It is a `SecretStr`: it never shows in a repr, a log or an error.
    """

    # defer_build: a settings class builds its validator when first used, not when its plugin
    # registers (most applications configure two or three of the registered providers).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    base_url: str = Field(min_length=1)
    api_key: SecretStr | None = None
    api_key_env: str | None = None
    timeout: float = Field(default=600.0, gt=0)
    """Seconds to wait for each read of the answer (and for each write and a pooled connection)."""
    connect_timeout: float = Field(default=10.0, gt=0)
    headers: dict[str, str] = Field(default_factory=dict, repr=False)
    """Extra headers sent with every request (their values are treated as secrets in logs)."""


def _all_capabilities(model: str) -> frozenset[Capability] | None:
    return None


@dataclass(frozen=True)
class ProviderSpec:
    """A provider kind, as a plugin registers it.

    `operations` maps each supported `Operation` to a `"module:function"` path, imported the first
    time it is used, so that `import relaykit` stays cheap. `model_capabilities(model)` narrows the
    capabilities for one model (None: the provider's own set applies).
    """

    name: str
    description: str
    capabilities: frozenset[Capability]
    operations: Mapping[Operation, str]
    settings_model: type[ProviderSettings] = ProviderSettings
    default_base_url: str | None = None
    default_api_key_env: str | None = None
    model_capabilities: Callable[[str], frozenset[Capability] | None] = _all_capabilities
    requires_api_key: bool = True
    """False for endpoints that accept anonymous calls (local servers, emulators)."""
    emulator: str | None = None
    """`module:class` of the provider's local emulator, if it ships one."""
    distribution: str | None = field(default=None, compare=False)
    """Set by the plugin manager: the distribution the plugin came from."""

    def capabilities_for(self, model: str) -> frozenset[Capability]:
        narrowed = self.model_capabilities(model)
        return self.capabilities if narrowed is None else self.capabilities & narrowed

    def load(self, operation: Operation) -> Callable[..., Any]:
        """Import and return the flow function for `operation` (looked up once per path)."""
        return _load(self.operations[operation])


@functools.lru_cache(maxsize=512)
def _load(path: str) -> Callable[..., Any]:
    module_name, _, attr = path.partition(":")
    return getattr(importlib.import_module(module_name), attr)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class CallContext:
    """Everything a flow may know about the call besides the request itself."""

    provider: str
    """The configured provider name (what stands before the slash in `provider/model`)."""
    kind: str
    model: str
    """The vendor's own model id."""
    settings: ProviderSettings
    options: Mapping[str, Any] = field(default_factory=dict)
    """This provider's entry of the request's `provider_options`."""
    state: SharedState = field(default_factory=default_state, repr=False, compare=False)
    """Process-wide memory shared by calls (e.g. cached access tokens), see `SharedState`."""

    def url(self, path: str) -> str:
        return self.settings.base_url.rstrip("/") + "/" + path.lstrip("/")

    @property
    def api_key(self) -> str | None:
        key = self.settings.api_key
        return key.get_secret_value() if key is not None else None

    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in logs or errors: the key and extra header values."""
        values = [self.api_key or ""]
        values.extend(self.settings.headers.values())
        for name, value in type(self.settings).model_fields.items():
            if value.annotation is SecretStr or "SecretStr" in str(value.annotation):
                secret = getattr(self.settings, name)
                if secret is not None and name != "api_key":
                    values.append(secret.get_secret_value())
        return tuple(v for v in values if v)
