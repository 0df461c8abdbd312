"""Chat messages and their content parts, OpenAI-shaped, discriminated on `role` and `type`."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import Field, model_validator

from ._base import RequestModel

__all__ = [
    "AssistantMessage",
    "AudioContentPart",
    "ContentPart",
    "DeveloperMessage",
    "FileContentPart",
    "FunctionCall",
    "FunctionMessage",
    "ImageContentPart",
    "ImageURL",
    "InputAudio",
    "InputFile",
    "Message",
    "ReasoningPart",
    "RefusalContentPart",
    "SystemMessage",
    "TextContentPart",
    "ToolCall",
    "ToolCallFunction",
    "ToolMessage",
    "UserMessage",
]


class TextContentPart(RequestModel):
    type: Literal["text"] = "text"
    text: str


class ImageURL(RequestModel):
    url: str = Field(min_length=1)
    """An https URL or a `data:image/...;base64,...` URI."""
    detail: Literal["auto", "low", "high"] | None = None


class ImageContentPart(RequestModel):
    type: Literal["image_url"] = "image_url"
    image_url: ImageURL


class InputAudio(RequestModel):
    data: str = Field(min_length=1)
    """Base64-encoded audio."""
    format: Literal["wav", "mp3"]


class AudioContentPart(RequestModel):
    type: Literal["input_audio"] = "input_audio"
    input_audio: InputAudio


class InputFile(RequestModel):
    file_id: str | None = None
    filename: str | None = None
    file_data: str | None = None
    """A `data:<mime>;base64,...` URI."""

    @model_validator(mode="after")
    def _one_source(self) -> InputFile:
        if self.file_id is None and self.file_data is None:
            raise ValueError("a file part needs file_id or file_data")
        return self


class FileContentPart(RequestModel):
    type: Literal["file"] = "file"
    file: InputFile


class RefusalContentPart(RequestModel):
    type: Literal["refusal"] = "refusal"
    refusal: str


ContentPart: TypeAlias = Annotated[
    TextContentPart | ImageContentPart | AudioContentPart | FileContentPart, Field(discriminator="type")
]
AssistantContentPart: TypeAlias = Annotated[TextContentPart | RefusalContentPart, Field(discriminator="type")]


class ToolCallFunction(RequestModel):
    name: str = Field(min_length=1)
    arguments: str
    """JSON-encoded arguments, exactly as the model produced them (they may not parse)."""


class ToolCall(RequestModel):
    id: str = Field(min_length=1)
    type: Literal["function"] = "function"
    function: ToolCallFunction


class FunctionCall(RequestModel):
    """The legacy single `function_call` of an assistant message."""

    name: str
    arguments: str


class ReasoningPart(RequestModel):
    """One block of model reasoning, kept so that it can be sent back to the vendor that made it.

    `signature` and `redacted_data` are opaque vendor tokens (Anthropic thinking signatures,
    redacted thinking); `provider` names the vendor kind they belong to, so that a conversation
    moved to another vendor can drop them.
    """

    type: Literal["reasoning"] = "reasoning"
    text: str | None = None
    signature: str | None = None
    redacted_data: str | None = None
    provider: str | None = None


class SystemMessage(RequestModel):
    role: Literal["system"] = "system"
    content: str | list[TextContentPart]
    name: str | None = None


class DeveloperMessage(RequestModel):
    role: Literal["developer"] = "developer"
    content: str | list[TextContentPart]
    name: str | None = None


class UserMessage(RequestModel):
    role: Literal["user"] = "user"
    content: str | list[ContentPart]
    name: str | None = None


class AssistantMessage(RequestModel):
    role: Literal["assistant"] = "assistant"
    content: str | list[AssistantContentPart] | None = None
    refusal: str | None = None
    tool_calls: list[ToolCall] | None = None
    function_call: FunctionCall | None = None
    name: str | None = None
    audio: dict[str, Any] | None = None
    reasoning_content: str | None = None
    reasoning: list[ReasoningPart] | None = None

    @model_validator(mode="after")
    def _has_something(self) -> AssistantMessage:
        empty = self.content is None and not self.tool_calls and self.function_call is None
        if empty and self.refusal is None and self.audio is None:
            raise ValueError("an assistant message needs content, tool_calls, function_call, refusal or audio")
        return self


class ToolMessage(RequestModel):
    role: Literal["tool"] = "tool"
    content: str | list[TextContentPart]
    tool_call_id: str = Field(min_length=1)


class FunctionMessage(RequestModel):
    role: Literal["function"] = "function"
    name: str
    content: str | None


Message: TypeAlias = Annotated[
    SystemMessage | DeveloperMessage | UserMessage | AssistantMessage | ToolMessage | FunctionMessage,
    Field(discriminator="role"),
]
