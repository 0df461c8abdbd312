"""CompletionRequest validation, and the stream accumulator that rebuilds a Completion."""

from __future__ import annotations

from typing import Any

import pytest

import relaykit
from relaykit import CompletionChunk, CompletionRequest, CompletionStreamAccumulator
from relaykit._types._base import validate_request


def _request(**fields: Any) -> CompletionRequest:
    return validate_request(CompletionRequest, {"model": "openai/gpt-3.5-turbo-instruct", "prompt": "Say", **fields})


def _field_of_error(**fields: Any) -> str | None:
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _request(**fields)
    return caught.value.field


@pytest.mark.parametrize(
    "prompt", ["Once upon", ["one", "two"], [1734, 318], [[1734], [318, 257]], "", "中文提示"], ids=repr
)
def test_every_prompt_form_validates(prompt: Any) -> None:
    """A string, strings, one token array or token arrays are all prompts (as given)."""
    assert _request(prompt=prompt).prompt == prompt


def test_unknown_field_is_named() -> None:
    """An unknown field is refused, naming it."""
    assert _field_of_error(top_k=5) == "top_k"


def test_missing_prompt_is_named() -> None:
    """The prompt is required."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        validate_request(CompletionRequest, {"model": "openai/x"})
    assert caught.value.field == "prompt"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"echo": "yes"}, "echo"),
        ({"logprobs": True}, "logprobs"),
        ({"max_tokens": "16"}, "max_tokens"),
        ({"stop": 3}, "stop"),
        ({"stream_options": {"include_usage": True, "x": 1}}, "stream_options.x"),
        ({"logit_bias": {"50256": 101}}, "logit_bias.50256"),
    ],
)
def test_ill_typed_field_is_named(fields: dict[str, Any], field: str) -> None:
    """A value of the wrong type or shape is refused, naming the dotted field."""
    assert _field_of_error(**fields) == field


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"best_of": 21}, "best_of"),
        ({"best_of": -1}, "best_of"),
        ({"logprobs": 6}, "logprobs"),
        ({"temperature": 2.1}, "temperature"),
        ({"top_p": 1.5}, "top_p"),
        ({"presence_penalty": -2.5}, "presence_penalty"),
        ({"frequency_penalty": 3}, "frequency_penalty"),
        ({"n": 0}, "n"),
        ({"max_tokens": -1}, "max_tokens"),
    ],
)
def test_out_of_range_value_is_named(fields: dict[str, Any], field: str) -> None:
    """Each limit of the reference is enforced, naming the field."""
    assert _field_of_error(**fields) == field


def test_limits_at_their_bounds_are_accepted() -> None:
    """best_of 0..20, logprobs 0..5, temperature 0..2 and max_tokens 0 are valid."""
    request = _request(best_of=20, logprobs=5, temperature=2, max_tokens=0)
    assert (request.best_of, request.logprobs, request.max_tokens) == (20, 5, 0)


def test_best_of_below_n_is_refused() -> None:
    """best_of must be at least n."""
    with pytest.raises(relaykit.InvalidRequestError, match="at least n"):
        _request(n=3, best_of=2)


@pytest.mark.parametrize(("prompt", "field"), [([], "prompt"), ([[1], []], "prompt.1")])
def test_empty_prompt_lists_are_named(prompt: Any, field: str) -> None:
    """An empty list or an empty token array is refused at its position."""
    assert _field_of_error(prompt=prompt) == field


def test_mixed_prompt_list_is_refused_at_an_item() -> None:
    """A list mixing strings and token ids fits no prompt form; an item is named."""
    assert (_field_of_error(prompt=[1, "a"]) or "").startswith("prompt.")


def test_stop_list_and_include_usage_helpers() -> None:
    """stop normalizes to a list; include_usage needs stream and the option."""
    assert _request(stop="\n").stop_list == ["\n"]
    assert _request(stream=True, stream_options={"include_usage": True}).include_usage
    assert not _request(stream_options={"include_usage": True}).include_usage


def _chunk(choices: list[dict[str, Any]], **extra: Any) -> CompletionChunk:
    return CompletionChunk.model_validate(
        {"id": "cmpl-7", "created": 1718000000, "model": "gpt-3.5-turbo-instruct", "choices": choices, **extra}
    )


def test_accumulator_joins_fragments_per_choice_and_keeps_usage() -> None:
    """Interleaved fragments of two choices are joined by index; the usage chunk is kept."""
    accumulator = CompletionStreamAccumulator()
    accumulator.add(_chunk([{"index": 0, "text": "Hel"}, {"index": 1, "text": "Bon"}]))
    accumulator.add(_chunk([{"index": 1, "text": "jour", "finish_reason": "stop"}]))
    accumulator.add(_chunk([{"index": 0, "text": "lo", "finish_reason": "length"}]))
    accumulator.add(_chunk([], usage={"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}))
    completion = accumulator.snapshot()
    assert [(c.index, c.text, c.finish_reason) for c in completion.choices] == [
        (0, "Hello", "length"),
        (1, "Bonjour", "stop"),
    ]
    assert completion.usage is not None
    assert completion.usage.total_tokens == 7
    assert (completion.id, completion.object, completion.text) == ("cmpl-7", "text_completion", "Hello")


def test_accumulator_concatenates_logprobs() -> None:
    """Per-token logprob lists of successive chunks are concatenated."""
    accumulator = CompletionStreamAccumulator()
    accumulator.add(
        _chunk([{"text": " a", "logprobs": {"tokens": [" a"], "token_logprobs": [-0.5], "text_offset": [3]}}])
    )
    accumulator.add(
        _chunk([{"text": " b", "logprobs": {"tokens": [" b"], "token_logprobs": [-1.0], "text_offset": [5]}}])
    )
    logprobs = accumulator.snapshot().choices[0].logprobs
    assert logprobs is not None
    assert (logprobs.tokens, logprobs.token_logprobs, logprobs.text_offset) == ([" a", " b"], [-0.5, -1.0], [3, 5])


def test_accumulator_fills_a_missing_finish_reason_only_when_complete() -> None:
    """An unfinished choice reads `stop` when complete, None in a partial snapshot."""
    accumulator = CompletionStreamAccumulator()
    accumulator.add(_chunk([{"text": "partial"}]))
    assert accumulator.has_content
    assert accumulator.snapshot(complete=False).choices[0].finish_reason is None
    assert accumulator.snapshot().choices[0].finish_reason == "stop"
