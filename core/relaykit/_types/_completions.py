"""Legacy text completions (`POST /v1/completions`, OpenAI-shaped): request, answer, streamed chunks.

A streamed completion sends chunks of the same shape as the answer (`object` is still
`"text_completion"`), each choice carrying a `text` fragment; `CompletionStreamAccumulator` joins
them back into the `Completion` the same request would have returned unstreamed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal, TypeAlias

from pydantic import Field, model_validator

from ._base import ResponseModel, WithVendorData
from ._chat import StreamOptions, Usage
from ._options import WithProviderOptions
from ._stream_meta import StreamMeta

__all__ = [
    "Completion",
    "CompletionChoice",
    "CompletionChunk",
    "CompletionFinishReason",
    "CompletionLogprobs",
    "CompletionRequest",
    "CompletionStreamAccumulator",
]

CompletionFinishReason: TypeAlias = Literal["stop", "length", "content_filter"]


class CompletionRequest(WithProviderOptions):
    """A legacy completion request. `model` is `provider/model` or a configured alias.

    `prompt` is a string, a list of strings, one token array, or a list of token arrays (one
    completion per prompt). `best_of`, when set with `n`, must be at least `n`. Vendor extras go in
    `provider_options`, keyed by provider kind or name.
    """

    model: str = Field(min_length=1)
    prompt: str | list[str] | list[int] | list[list[int]]
    suffix: str | None = None
    echo: bool | None = None
    best_of: int | None = Field(default=None, ge=0, le=20)
    logprobs: int | None = Field(default=None, ge=0, le=5)
    """How many most likely tokens to report per position (0-5), with the chosen one."""
    max_tokens: int | None = Field(default=None, ge=0)
    """The output-token limit; the vendor's default applies when unset (16 at OpenAI)."""
    n: int | None = Field(default=None, ge=1, le=128)
    stop: str | list[str] | None = None
    stream: bool = False
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    logit_bias: dict[str, Annotated[int, Field(ge=-100, le=100)]] | None = None
    seed: int | None = None
    user: str | None = None

    @model_validator(mode="after")
    def _check_consistency(self) -> CompletionRequest:
        if isinstance(self.prompt, list):
            if not self.prompt:
                raise ValueError("prompt: an empty list has nothing to complete")
            for position, item in enumerate(self.prompt):
                if isinstance(item, list) and not item:
                    raise ValueError(f"prompt.{position}: an empty token array has nothing to complete")
        if self.best_of is not None and self.n is not None and self.best_of < self.n:
            raise ValueError(f"best_of: must be at least n ({self.n})")
        return self

    @property
    def stop_list(self) -> list[str]:
        """`stop` as a list (possibly empty)."""
        if self.stop is None:
            return []
        return [self.stop] if isinstance(self.stop, str) else list(self.stop)

    @property
    def include_usage(self) -> bool:
        """True when a streamed answer should end with a usage chunk."""
        return bool(self.stream and self.stream_options and self.stream_options.include_usage)


class CompletionLogprobs(ResponseModel):
    """Per-token log probabilities, as parallel lists (the legacy endpoint's shape)."""

    tokens: list[str] | None = None
    token_logprobs: list[float | None] | None = None
    top_logprobs: list[dict[str, float] | None] | None = None
    text_offset: list[int] | None = None


class CompletionChoice(ResponseModel):
    """One completion; in a streamed chunk, `text` is a fragment."""

    text: str = ""
    index: int = 0
    logprobs: CompletionLogprobs | None = None
    finish_reason: CompletionFinishReason | None = None


class Completion(WithVendorData):
    """A completion answer. `provider` names the configured provider that produced it."""

    id: str
    object: Literal["text_completion"] = "text_completion"
    created: int
    model: str
    choices: list[CompletionChoice]
    usage: Usage | None = None
    system_fingerprint: str | None = None
    provider: str | None = None
    request_id: str | None = None

    @property
    def text(self) -> str:
        """The first choice's text ('' when there is none)."""
        return self.choices[0].text if self.choices else ""


class CompletionChunk(WithVendorData):
    """One streamed chunk. The final usage arrives in a chunk whose `choices` is empty."""

    id: str
    object: Literal["text_completion"] = "text_completion"
    created: int
    model: str
    choices: list[CompletionChoice]
    usage: Usage | None = None
    system_fingerprint: str | None = None
    provider: str | None = None

    @property
    def text(self) -> str:
        """The first choice's text fragment ('' when there is none)."""
        return self.choices[0].text if self.choices else ""


@dataclass
class _ChoiceBuilder:
    text: list[str] = field(default_factory=list)
    finish_reason: CompletionFinishReason | None = None
    tokens: list[str] = field(default_factory=list)
    token_logprobs: list[float | None] = field(default_factory=list)
    top_logprobs: list[dict[str, float] | None] = field(default_factory=list)
    text_offset: list[int] = field(default_factory=list)
    saw_logprobs: bool = False


class CompletionStreamAccumulator(StreamMeta):
    """Assembles chunks into the `Completion` the same request would have returned unstreamed.

    Text fragments and log-probability lists are joined per choice `index`; the usage chunk is
    kept; a missing finish reason becomes `stop` only when `complete=True`.
    """

    def __init__(self) -> None:
        super().__init__()
        self._choices: dict[int, _ChoiceBuilder] = {}

    def add(self, chunk: CompletionChunk) -> None:
        self._track(chunk)
        for choice in chunk.choices:
            builder = self._choices.setdefault(choice.index, _ChoiceBuilder())
            builder.text.append(choice.text)
            if choice.logprobs is not None:
                builder.saw_logprobs = True
                builder.tokens.extend(choice.logprobs.tokens or ())
                builder.token_logprobs.extend(choice.logprobs.token_logprobs or ())
                builder.top_logprobs.extend(choice.logprobs.top_logprobs or ())
                builder.text_offset.extend(choice.logprobs.text_offset or ())
            if choice.finish_reason is not None:
                builder.finish_reason = choice.finish_reason

    @property
    def has_content(self) -> bool:
        """True once any text has arrived (not just usage or empty fragments)."""
        return any("".join(b.text) for b in self._choices.values())

    def snapshot(self, *, complete: bool = True) -> Completion:
        """The assembled completion so far. With `complete`, fill in a missing finish reason."""
        choices = [
            CompletionChoice(
                text="".join(b.text),
                index=index,
                logprobs=CompletionLogprobs(
                    tokens=b.tokens,
                    token_logprobs=b.token_logprobs,
                    top_logprobs=b.top_logprobs,
                    text_offset=b.text_offset,
                )
                if b.saw_logprobs
                else None,
                finish_reason=b.finish_reason or ("stop" if complete else None),
            )
            for index, b in sorted(self._choices.items())
        ]
        return Completion(
            id=self.id,
            created=self.created,
            model=self.model,
            choices=choices,
            usage=self.usage,
            system_fingerprint=self.system_fingerprint,
            provider=self.provider,
        )
