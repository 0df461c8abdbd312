"""The chat answer's fast path (validation straight from the body's JSON) changes nothing.

Each generated answer is parsed by the chat flow (fast path first) and by `parse_chat_completion`
alone (the general path); both must give the same `ChatCompletion`, or the same error.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from relaykit import RelaykitError
from relaykit.plugin import HttpResponse
from relaykit_openai._chat import _plain_completion, parse_chat_completion
from relaykit_openai._common import json_body

from ...helpers import make_context

_MESSAGES = st.sampled_from(
    [
        {"role": "assistant", "content": "你好"},
        {"role": "assistant", "content": None, "refusal": "no"},
        {"role": "assistant", "content": "x", "reasoning_content": "thought"},
        {"role": "assistant", "content": "x", "reasoning": "plain reasoning"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a":1}'}}],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": {"a": 1}}}],
        },
    ]
)
_CHOICES = st.fixed_dictionaries(
    {
        "index": st.just(0),
        "message": _MESSAGES,
        "finish_reason": st.sampled_from(["stop", "tool_calls", "", "eos", None]),
    }
)
_EXTRAS = st.sampled_from(
    [
        ("usage", {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8}),
        ("system_fingerprint", "fp_1"),
        ("x_cost", 0.5),
        ("provider", "elsewhere"),
        ("request_id", "forged"),
        ("created", 0),
        ("created", None),
        ("model", ""),
        ("id", None),
        ("object", "chat.completion"),
    ]
)


@st.composite
def _answers(draw: st.DrawFn) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1767225600,
        "model": "gpt-4o-mini",
        "choices": draw(st.lists(_CHOICES, min_size=1, max_size=2)),
    }
    answer.update(draw(st.lists(_EXTRAS, max_size=2)))
    return answer


def _response(body: bytes) -> HttpResponse:
    return HttpResponse(status=200, headers={"content-type": "application/json", "x-request-id": "req_1"}, content=body)


def _general(response: HttpResponse) -> Any:
    ctx = make_context()
    try:
        return parse_chat_completion(json_body(response, ctx), response, ctx).model_dump()
    except RelaykitError as exc:
        return type(exc).__name__


def _fast_first(response: HttpResponse) -> Any:
    found = _plain_completion(response, make_context())
    return found.model_dump() if found is not None else _general(response)


_PLAIN = {
    "id": "c",
    "created": 1767225600,
    "model": "gpt-4o-mini",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
}


@given(_answers(), st.booleans())
@example({**_PLAIN, "created": 0}, True)
@example({**_PLAIN, "model": ""}, True)
@example({**_PLAIN, "x_cost": 1, "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}, False)
def test_fast_and_general_paths_parse_alike(answer: dict[str, Any], compact: bool) -> None:
    """The same completion (provider, request id, vendor_data, finish reasons, reasoning, arguments)."""
    separators = (",", ":") if compact else (", ", ": ")
    response = _response(json.dumps(answer, separators=separators, ensure_ascii=False).encode())
    assert _fast_first(response) == _general(response)


def test_a_plain_answer_takes_the_fast_path_and_keeps_unknown_keys() -> None:
    """A well-formed answer is validated from its text, unknown keys in vendor_data, identity filled."""
    body = {
        "id": "c",
        "created": 1,
        "model": "",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
        "x_cost": 1,
    }
    found = _plain_completion(_response(json.dumps(body).encode()), make_context())
    assert found is not None
    assert (found.model, found.provider, found.request_id, found.vendor_data) == (
        "gpt-4o-mini",
        "openai",
        "req_1",
        {"x_cost": 1},
    )
