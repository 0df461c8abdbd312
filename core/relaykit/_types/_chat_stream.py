"""Streamed chat: chunk types, and the accumulator that assembles chunks into a `ChatCompletion`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ._base import ResponseModel, WithVendorData
from ._chat import ChatCompletion, Choice, ChoiceLogprobs, FinishReason, ResponseMessage, Usage
from ._messages import FunctionCall, ReasoningPart, ToolCall, ToolCallFunction
from ._stream_meta import StreamMeta

__all__ = [
    "ChatCompletionChunk",
    "ChatStreamAccumulator",
    "ChoiceDelta",
    "ChunkChoice",
    "FunctionCallDelta",
    "ToolCallDelta",
]


class FunctionCallDelta(ResponseModel):
    name: str | None = None
    arguments: str | None = None


class ToolCallDelta(ResponseModel):
    """A fragment of one tool call. `index` is the call's position among the tool calls (0-based)."""

    index: int
    id: str | None = None
    type: Literal["function"] | None = None
    function: FunctionCallDelta | None = None


class ChoiceDelta(ResponseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None
    refusal: str | None = None
    tool_calls: list[ToolCallDelta] | None = None
    function_call: FunctionCallDelta | None = None
    reasoning_content: str | None = None
    """A fragment of reasoning text."""
    reasoning: list[ReasoningPart] | None = None
    """Completed reasoning blocks with signatures (sent once, when the vendor finishes a block)."""


class ChunkChoice(ResponseModel):
    index: int = 0
    delta: ChoiceDelta
    finish_reason: FinishReason | None = None
    logprobs: ChoiceLogprobs | None = None


class ChatCompletionChunk(WithVendorData):
    """One streamed chunk. The final usage arrives in a chunk whose `choices` is empty."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]
    usage: Usage | None = None
    system_fingerprint: str | None = None
    service_tier: str | None = None
    provider: str | None = None

    @property
    def text(self) -> str:
        """The first choice's text fragment ('' when it has none)."""
        return (self.choices[0].delta.content or "") if self.choices else ""


@dataclass
class _ToolCallBuilder:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass
class _ChoiceBuilder:
    content: list[str] = field(default_factory=list)
    refusal: list[str] = field(default_factory=list)
    reasoning_text: list[str] = field(default_factory=list)
    reasoning: list[ReasoningPart] = field(default_factory=list)
    tool_calls: dict[int, _ToolCallBuilder] = field(default_factory=dict)
    function_name: str = ""
    function_arguments: list[str] = field(default_factory=list)
    finish_reason: FinishReason | None = None
    logprobs: list[dict[str, Any]] = field(default_factory=list)
    saw_content: bool = False


class ChatStreamAccumulator(StreamMeta):
    """Assembles chunks into the `ChatCompletion` the same request would have returned unstreamed.

    Tool-call fragments are joined per `index`; the usage chunk is kept; a missing finish reason is
    synthesized (`tool_calls` when tool calls were seen, else `stop`) only when `complete=True`.
    """

    def __init__(self) -> None:
        super().__init__()
        self._choices: dict[int, _ChoiceBuilder] = {}

    def add(self, chunk: ChatCompletionChunk) -> None:
        self._track(chunk)
        for choice in chunk.choices:
            self._add_choice(choice)

    def _add_choice(self, choice: ChunkChoice) -> None:
        builder = self._choices.get(choice.index)
        if builder is None:  # not setdefault: a builder per chunk would be built only to be thrown away
            builder = self._choices[choice.index] = _ChoiceBuilder()
        delta = choice.delta
        if delta.content is not None:
            builder.content.append(delta.content)
            builder.saw_content = True
        if delta.refusal is not None:
            builder.refusal.append(delta.refusal)
        if delta.reasoning_content is not None:
            builder.reasoning_text.append(delta.reasoning_content)
        if delta.reasoning:
            builder.reasoning.extend(delta.reasoning)
        for call in delta.tool_calls or ():
            target = builder.tool_calls.get(call.index)
            if target is None:
                target = builder.tool_calls[call.index] = _ToolCallBuilder()
            target.id = target.id or (call.id or "")
            if call.function is not None:
                target.name = target.name or (call.function.name or "")
                if call.function.arguments:
                    target.arguments.append(call.function.arguments)
        if delta.function_call is not None:
            builder.function_name = builder.function_name or (delta.function_call.name or "")
            builder.function_arguments.append(delta.function_call.arguments or "")
        if choice.logprobs is not None and choice.logprobs.content:
            builder.logprobs.extend(choice.logprobs.content)
        if choice.finish_reason is not None:
            builder.finish_reason = choice.finish_reason

    @property
    def has_content(self) -> bool:
        """True once any text, tool call or reasoning has arrived (not just a role or usage)."""
        return any(
            b.saw_content or b.tool_calls or b.reasoning_text or b.refusal or b.function_name
            for b in self._choices.values()
        )

    def snapshot(self, *, complete: bool = True) -> ChatCompletion:
        """The assembled completion so far. With `complete`, fill in a missing finish reason."""
        choices = [self._build_choice(i, b, complete) for i, b in sorted(self._choices.items())]
        return ChatCompletion(
            id=self.id,
            created=self.created,
            model=self.model,
            choices=choices,
            usage=self.usage,
            system_fingerprint=self.system_fingerprint,
            provider=self.provider,
        )

    @staticmethod
    def _build_choice(index: int, b: _ChoiceBuilder, complete: bool) -> Choice:
        tool_calls = [
            ToolCall(id=t.id, function=ToolCallFunction(name=t.name, arguments="".join(t.arguments) or "{}"))
            for _, t in sorted(b.tool_calls.items())
        ]
        function_call = (
            FunctionCall(name=b.function_name, arguments="".join(b.function_arguments) or "{}")
            if b.function_name
            else None
        )
        finish = b.finish_reason
        if finish is None and complete:
            finish = "tool_calls" if tool_calls else ("function_call" if function_call else "stop")
        message = ResponseMessage(
            content="".join(b.content) if b.saw_content else None,
            refusal="".join(b.refusal) or None,
            tool_calls=tool_calls or None,
            function_call=function_call,
            reasoning_content="".join(b.reasoning_text) or None,
            reasoning=b.reasoning or None,
        )
        logprobs = ChoiceLogprobs(content=b.logprobs) if b.logprobs else None
        return Choice(index=index, message=message, finish_reason=finish, logprobs=logprobs)
