"""`SSEDecoder` and `LineDecoder` frame any body exactly as httpx2 does, however it is chunked."""

from __future__ import annotations

import httpx2
from hypothesis import given
from hypothesis import strategies as st

from relaykit._framing import LineDecoder, SSEDecoder
from relaykit.plugin import StreamEvent

_PIECES = st.sampled_from(
    [
        "data: ",
        "data:",
        "event: x",
        "id: 3",
        "id: a\0b",
        "retry: 5",
        "retry: x",
        ": note",
        "data",
        "你好",
        "{}",
        " ",
        "\n",
        "\r",
        "\r\n",
        "\n\n",
        "\u2028",
    ]
)


def _chunked(body: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(cut, len(body)) for cut in cuts})
    return [body[start:end] for start, end in zip([0, *points], [*points, len(body)], strict=True) if body[start:end]]


def _httpx2(body: list[bytes], framing: str) -> list[StreamEvent]:
    response = httpx2.Response(
        200,
        headers={"content-type": "text/event-stream"},
        content=iter(body),
        request=httpx2.Request("GET", "http://vendor.test/stream"),
    )
    if framing == "sse":
        return [
            StreamEvent(data=e.data, event=e.event, id=e.id) for e in httpx2.EventSource(response, max_event_size=None)
        ]
    return [StreamEvent(data=line) for line in response.iter_lines() if line.strip()]


def _ours(body: list[bytes], framing: str) -> list[StreamEvent]:
    decoder = SSEDecoder() if framing == "sse" else LineDecoder()
    events = [event for chunk in body for event in decoder.feed(chunk)]
    return events + decoder.flush()


@given(st.lists(_PIECES, max_size=30), st.lists(st.integers(min_value=0, max_value=200), max_size=8))
def test_sse_events_match_httpx2_for_any_chunking(pieces: list[str], cuts: list[int]) -> None:
    """The same events, names, ids and data as httpx2's EventSource, wherever the body is cut."""
    body = _chunked("".join(pieces).encode(), cuts)
    assert _ours(body, "sse") == _httpx2(body, "sse")


@given(st.lists(_PIECES, max_size=30), st.lists(st.integers(min_value=0, max_value=200), max_size=8))
def test_ndjson_lines_match_httpx2_for_any_chunking(pieces: list[str], cuts: list[int]) -> None:
    """The same non-blank lines as httpx2's iter_lines, wherever the body is cut."""
    body = _chunked("".join(pieces).encode(), cuts)
    assert _ours(body, "ndjson") == _httpx2(body, "ndjson")


def test_a_typical_chat_stream_frames_into_data_events() -> None:
    """OpenAI-style ``data:`` events split mid-line arrive whole, ``[DONE]`` included."""
    decoder = SSEDecoder()
    events = decoder.feed(b'data: {"a": 1}\n\ndata: {"b"') + decoder.feed(b": 2}\n\ndata: [DONE]\n\n")
    assert [event.data for event in events] == ['{"a": 1}', '{"b": 2}', "[DONE]"]
    assert decoder.flush() == []


_LINES = st.sampled_from(
    ["data: {}", "data:x", "data:", "data:  two spaces", "event: delta", "event:", "event:x", "id: 7", ": ping", "data"]
)
_EVENTS = st.lists(_LINES, min_size=1, max_size=3).map(lambda lines: "\n".join(lines) + "\n\n")


@given(st.lists(st.lists(_EVENTS, min_size=1, max_size=4), max_size=8))
def test_whole_events_per_read_match_httpx2(reads: list[list[str]]) -> None:
    """Reads that end on an event boundary (the framer's fast path) frame as httpx2 frames them."""
    body = ["".join(events).encode() for events in reads]
    assert _ours(body, "sse") == _httpx2(body, "sse")


def test_event_and_data_lines_read_whole_keep_the_event_name() -> None:
    """Claude-style ``event:`` + ``data:`` pairs keep their names; a later id is carried along."""
    decoder = SSEDecoder()
    first = decoder.feed(b"event: message_start\ndata: {}\n\nevent:\ndata:x\n\n")
    second = decoder.feed(b"id: 9\ndata: a\n\n") + decoder.feed(b"data: b\n\n")
    assert [(e.event, e.data, e.id) for e in first + second] == [
        ("message_start", "{}", ""),
        ("message", "x", ""),
        ("message", "a", "9"),
        ("message", "b", "9"),
    ]
