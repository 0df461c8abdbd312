"""The chunk decoder's fast path (validation straight from the event's JSON) changes nothing.

Every event goes through two decoders: the plain `ChatChunkDecoder`, whose fast path takes the
events that need no repair, and a subclass that adapts `_chunk`, which turns the fast path off.
Both must give the same chunks, the same errors and the same end-of-stream handling.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from relaykit import ChatCompletionChunk, RelaykitError
from relaykit.plugin import StreamEvent
from relaykit_openai._chat import ChatChunkDecoder

from ...helpers import make_context


class _GeneralOnly(ChatChunkDecoder):
    def _chunk(self, payload: dict[str, Any], raw: str) -> ChatCompletionChunk:
        return super()._chunk(payload, raw)


_DELTAS = st.sampled_from(
    [
        {},
        {"role": "assistant", "content": ""},
        {"content": "你好"},
        {"content": None, "refusal": "no"},
        {"reasoning_content": "think"},
        {"reasoning": "plain reasoning text"},
        {"tool_calls": [{"index": 3, "id": "call_1", "type": "function", "function": {"name": "f", "arguments": ""}}]},
        {"tool_calls": [{"index": 3, "function": {"arguments": {"a": 1}}}]},
        {"function_call": {"name": "f", "arguments": "{}"}},
        {"content": 5},
    ]
)
_FINISH = st.sampled_from([None, "stop", "length", "tool_calls", "", "eos", "end_turn", "weird"])
_CHOICE = st.fixed_dictionaries(
    {"delta": _DELTAS, "finish_reason": _FINISH},
    optional={"index": st.sampled_from([0, 1]), "logprobs": st.just(None)},
)
_EXTRAS = st.sampled_from(
    [
        ("usage", {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8}),
        ("usage", None),
        ("system_fingerprint", "fp_1"),
        ("object", "chat.completion.chunk"),
        ("obfuscation", "xyz"),
        ("x_relay_cost", 0.01),
        ("provider", "someone-else"),
        ("vendor_data", {"sneaky": True}),
        ("error", None),
        ("error", {"message": "overloaded", "type": "server_error"}),
        ("id", None),
        ("created", None),
        ("created", "17"),
        ("model", None),
        ("choices", None),
    ]
)


@st.composite
def _payloads(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly well-formed chunks (the fast path's food), with a few odd keys mixed in."""
    payload: dict[str, Any] = {
        "id": draw(st.sampled_from(["chatcmpl-1", ""])),
        "created": draw(st.sampled_from([1767225600, 0])),
        "model": draw(st.sampled_from(["gpt-4o-mini", ""])),
        "choices": draw(st.lists(_CHOICE, max_size=2)),
    }
    payload.update(draw(st.lists(_EXTRAS, max_size=2)))
    for key in draw(st.lists(st.sampled_from(["id", "created", "model", "choices"]), max_size=1)):
        del payload[key]
    return payload


_TOP = _payloads()


def _run(decoder: ChatChunkDecoder, events: list[str]) -> list[Any]:
    out: list[Any] = []
    for data in [*events, "[DONE]"]:
        try:
            out.extend(chunk.model_dump() for chunk in decoder.feed(StreamEvent(data=data)))
        except RelaykitError as exc:
            return [*out, (type(exc).__name__, str(exc))]
    try:
        out.extend(chunk.model_dump() for chunk in decoder.close())
    except RelaykitError as exc:
        out.append((type(exc).__name__, str(exc)))
    return out


@given(st.lists(_TOP, min_size=1, max_size=6), st.booleans())
def test_fast_and_general_paths_decode_alike(payloads: list[dict[str, Any]], compact: bool) -> None:
    """The same chunks (vendor_data, provider, finish reasons, tool indexes) or the same error."""
    separators = (",", ":") if compact else (", ", ": ")
    events = [json.dumps(payload, separators=separators, ensure_ascii=False) for payload in payloads]
    assert _run(ChatChunkDecoder(make_context()), events) == _run(_GeneralOnly(make_context()), events)


def test_a_plain_content_chunk_keeps_unknown_keys_and_drops_noise() -> None:
    """Unknown keys land in vendor_data, `obfuscation` padding does not; provider and model are filled."""
    decoder = ChatChunkDecoder(make_context())
    event = (
        '{"id":"c1","created":1,"model":"","choices":[{"index":0,"delta":{"content":"hi"}}],"obfuscation":"x","cost":2}'
    )
    [chunk] = decoder.feed(StreamEvent(data=event))
    assert (chunk.text, chunk.provider, chunk.model, chunk.vendor_data) == ("hi", "openai", "gpt-4o-mini", {"cost": 2})
