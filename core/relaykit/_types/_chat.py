"""The normalized chat request and response (`POST /v1/chat/completions`, OpenAI-shaped)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import Field, model_validator

from ._base import RequestModel, ResponseModel, WithVendorData
from ._messages import FunctionCall, Message, ReasoningPart, ToolCall, ToolMessage
from ._options import merge_options

__all__ = [
    "ChatCompletion",
    "ChatRequest",
    "Choice",
    "ChoiceLogprobs",
    "CompletionTokensDetails",
    "FinishReason",
    "FunctionDefinition",
    "JSONSchemaFormat",
    "NamedToolChoice",
    "PromptTokensDetails",
    "ResponseFormat",
    "ResponseMessage",
    "StreamOptions",
    "Tool",
    "ToolChoice",
    "Usage",
]

FinishReason: TypeAlias = Literal["stop", "length", "tool_calls", "content_filter", "function_call"]


class FunctionDefinition(RequestModel):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str | None = None
    parameters: dict[str, Any] | None = None
    """A JSON Schema object describing the arguments."""
    strict: bool | None = None


class Tool(RequestModel):
    type: Literal["function"] = "function"
    function: FunctionDefinition


class _ToolName(RequestModel):
    name: str


class NamedToolChoice(RequestModel):
    type: Literal["function"] = "function"
    function: _ToolName


ToolChoice: TypeAlias = Literal["none", "auto", "required"] | NamedToolChoice


class JSONSchemaFormat(RequestModel):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    description: str | None = None
    strict: bool | None = None


class _TextFormat(RequestModel):
    type: Literal["text"] = "text"


class _JSONObjectFormat(RequestModel):
    type: Literal["json_object"] = "json_object"


class _JSONSchemaResponseFormat(RequestModel):
    type: Literal["json_schema"] = "json_schema"
    json_schema: JSONSchemaFormat


ResponseFormat: TypeAlias = Annotated[
    _TextFormat | _JSONObjectFormat | _JSONSchemaResponseFormat, Field(discriminator="type")
]


class StreamOptions(RequestModel):
    include_usage: bool = False


class _FunctionCallName(RequestModel):
    name: str


class ChatRequest(RequestModel):
    """A chat request. `model` is `provider/model` or a configured alias.

    `max_tokens` and `max_completion_tokens` are synonyms; plugins send whichever name the vendor
    wants. `provider_options` carries vendor-specific extras, keyed by provider kind or name:
    `{"openai": {"service_tier": "flex"}}`.
    """

    model: str = Field(min_length=1)
    messages: list[Message] = Field(min_length=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    n: int | None = Field(default=None, ge=1, le=128)
    stream: bool = False
    stream_options: StreamOptions | None = None
    stop: str | list[str] | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    logit_bias: dict[str, Annotated[int, Field(ge=-100, le=100)]] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    seed: int | None = None
    user: str | None = None
    tools: list[Tool] | None = None
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    functions: list[FunctionDefinition] | None = Field(default=None, max_length=128)
    function_call: Literal["none", "auto"] | _FunctionCallName | None = None
    response_format: ResponseFormat | None = None
    reasoning_effort: str | None = None
    provider_options: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_consistency(self) -> ChatRequest:
        if self.max_tokens and self.max_completion_tokens and self.max_tokens != self.max_completion_tokens:
            raise ValueError("max_completion_tokens: disagrees with max_tokens; set only one of them")
        if self.top_logprobs is not None and not self.logprobs:
            raise ValueError("top_logprobs: requires logprobs=True")
        if isinstance(self.tool_choice, NamedToolChoice):
            names = {tool.function.name for tool in self.tools or ()}
            if self.tool_choice.function.name not in names:
                raise ValueError(f"tool_choice: names {self.tool_choice.function.name!r}, which is not among the tools")
        if self.tools and self.functions:
            raise ValueError("functions: use tools or the legacy functions, not both")
        _check_tool_results(self.messages)
        return self

    @property
    def max_output_tokens(self) -> int | None:
        """The output-token limit, whichever of the two synonyms was set."""
        return self.max_tokens or self.max_completion_tokens

    @property
    def stop_list(self) -> list[str]:
        """`stop` as a list (possibly empty)."""
        if self.stop is None:
            return []
        return [self.stop] if isinstance(self.stop, str) else list(self.stop)

    @property
    def include_usage(self) -> bool:
        return bool(self.stream and self.stream_options and self.stream_options.include_usage)

    def options_for(self, *names: str) -> dict[str, Any]:
        """The merged `provider_options` for a provider known by these names (kind, then name)."""
        return merge_options(self.provider_options, names)


def _check_tool_results(messages: list[Any]) -> None:
    """Every assistant tool call must be answered by a tool message before the next turn."""
    pending: dict[str, int] = {}
    for position, message in enumerate(messages):
        if isinstance(message, ToolMessage):
            if message.tool_call_id not in pending:
                raise ValueError(
                    f"messages.{position}.tool_call_id: {message.tool_call_id!r} answers no earlier tool call"
                )
            pending.pop(message.tool_call_id)
            continue
        if pending and message.role in {"user", "assistant"}:
            missing = ", ".join(sorted(pending))
            where = f"messages.{min(pending.values())}.tool_calls"
            raise ValueError(f"{where}: {missing} answered by no tool message before the next turn")
        if message.role == "assistant" and message.tool_calls:
            pending = {call.id: position for call in message.tool_calls}


class ChoiceLogprobs(ResponseModel):
    content: list[dict[str, Any]] | None = None
    refusal: list[dict[str, Any]] | None = None


class ResponseMessage(ResponseModel):
    role: Literal["assistant"] = "assistant"
    content: str | None = None
    refusal: str | None = None
    tool_calls: list[ToolCall] | None = None
    function_call: FunctionCall | None = None
    reasoning_content: str | None = None
    """Reasoning text, when the vendor shows it (DeepSeek `reasoning_content`, Claude thinking)."""
    reasoning: list[ReasoningPart] | None = None
    """Reasoning blocks with their vendor signatures, to send back on the next turn."""
    annotations: list[dict[str, Any]] | None = None
    audio: dict[str, Any] | None = None


class Choice(ResponseModel):
    index: int = 0
    message: ResponseMessage
    finish_reason: FinishReason | None = None
    logprobs: ChoiceLogprobs | None = None


class PromptTokensDetails(ResponseModel):
    cached_tokens: int | None = None
    audio_tokens: int | None = None
    cache_write_tokens: int | None = None


class CompletionTokensDetails(ResponseModel):
    reasoning_tokens: int | None = None
    audio_tokens: int | None = None
    accepted_prediction_tokens: int | None = None
    rejected_prediction_tokens: int | None = None


class Usage(ResponseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    prompt_tokens_details: PromptTokensDetails | None = None
    completion_tokens_details: CompletionTokensDetails | None = None


class ChatCompletion(WithVendorData):
    """A chat answer. `provider` names the configured provider that produced it."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage | None = None
    system_fingerprint: str | None = None
    service_tier: str | None = None
    provider: str | None = None
    request_id: str | None = None

    @property
    def text(self) -> str:
        """The first choice's text ('' when it has none)."""
        return (self.choices[0].message.content or "") if self.choices else ""
