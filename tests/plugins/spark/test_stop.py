"""Stop sequences, applied by relaykit to Spark's answers (neither API takes `stop`)."""

from __future__ import annotations

import json

import pytest

from relaykit.plugin import HttpResponse, StreamEvent, Streaming, run_to_completion
from relaykit_spark._http import chat as http_chat
from relaykit_spark._stop import StopCutter, cut

from ._helpers import chat_request, frame, http_context, user
from .test_frames import SID, collected, streamed


@pytest.mark.parametrize(
    ("pieces", "stops", "shown", "stopped"),
    [
        (["春眠不觉晓", "处处闻啼鸟"], ["。"], ["春眠不觉晓", "处处闻啼鸟"], False),
        (["春眠不觉晓。", "处处闻啼鸟"], ["。"], ["春眠不觉晓"], True),
        (["alpha be", "ta HALT gamma"], ["HALT"], ["alpha be", "ta "], True),
        (["alpha HA", "LT gamma"], ["HALT"], ["alpha ", ""], True),
        (["alpha HA", "PPY"], ["HALT"], ["alpha ", "HAPPY"], False),
        (["x"], [], ["x"], False),
    ],
)
def test_cutter_shows_text_up_to_the_first_stop_across_pieces(
    pieces: list[str], stops: list[str], shown: list[str], stopped: bool
) -> None:
    """A sequence split across pieces is found; a possible start is held back, then released."""
    cutter = StopCutter(stops)
    out = [cutter.feed(piece) for piece in pieces if not cutter.stopped]
    if not cutter.stopped:
        out[-1] += cutter.flush()
    assert (out, cutter.stopped) == (shown, stopped)


def test_cut_picks_the_earliest_of_several_sequences() -> None:
    """With several sequences the earliest occurrence wins."""
    assert cut("一，二。三", ["。", "，"]) == ("一", True)
    assert cut("一二三", ["。"]) == ("一二三", False)


def test_websocket_answer_ends_before_the_stop_sequence() -> None:
    """Collected: the text before the sequence, finish stop, and no further frame is needed."""
    request = chat_request(user("念诗"), stop="。")
    completion = collected([frame(SID, 0, "床前明月光，"), frame(SID, 1, "疑是地上霜。举头")], request)
    assert completion.text == "床前明月光，疑是地上霜"
    assert completion.choices[0].finish_reason == "stop"


def test_websocket_stream_holds_back_a_possible_start_of_a_sequence() -> None:
    """Streamed: 'HA' is held until 'LT' shows it was the sequence; the stream then ends."""
    request = chat_request(user("x"), stop=["HALT"], stream=True)
    chunks = streamed([frame(SID, 0, "alpha HA"), frame(SID, 1, "LT gamma"), frame(SID, 2, " delta")], request)
    assert [c.text for c in chunks] == ["alpha ", ""]
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_websocket_stream_releases_held_text_on_the_last_frame() -> None:
    """Text held back as a possible sequence start is sent when the answer ends without it."""
    request = chat_request(user("x"), stop=["HALT"], stream=True)
    chunks = streamed([frame(SID, 0, "alpha HA"), frame(SID, 2, "")], request)
    assert "".join(c.text for c in chunks) == "alpha HA"
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_http_answer_is_cut_at_the_stop_sequence() -> None:
    """The HTTP API's whole answer is cut at the first sequence."""
    payload = {
        "code": 0,
        "message": "Success",
        "sid": SID,
        "choices": [{"message": {"role": "assistant", "content": "甲。乙"}, "index": 0}],
    }
    response = HttpResponse(status=200, headers={}, content=json.dumps(payload).encode())
    completion = run_to_completion(http_chat(chat_request(user("x"), stop="。"), http_context()), [response])
    assert completion.text == "甲"
    assert completion.choices[0].finish_reason == "stop"


def test_http_stream_is_cut_and_ends_at_the_stop_sequence() -> None:
    """Streamed over HTTP: the chunk meeting the sequence closes the answer."""
    opened = HttpResponse(status=200, headers={"content-type": "text/event-stream"}, streaming=True)
    result = run_to_completion(http_chat(chat_request(user("x"), stop="。", stream=True), http_context()), [opened])
    assert isinstance(result, Streaming)

    def event(content: str) -> StreamEvent:
        body = {
            "code": 0,
            "message": "Success",
            "sid": SID,
            "id": SID,
            "created": 1,
            "choices": [{"delta": {"role": "assistant", "content": content}, "index": 0}],
        }
        return StreamEvent(data=json.dumps(body, ensure_ascii=False))

    first = result.decoder.feed(event("一二"))
    second = result.decoder.feed(event("三。四"))
    assert [c.text for c in first + second] == ["一二", "三"]
    assert second[-1].choices[0].finish_reason == "stop"
    assert result.decoder.finished


def test_http_stream_releases_held_text_at_done() -> None:
    """A possible sequence start held back is sent before [DONE]'s synthesized finish."""
    opened = HttpResponse(status=200, headers={"content-type": "text/event-stream"}, streaming=True)
    result = run_to_completion(http_chat(chat_request(user("x"), stop="HALT", stream=True), http_context()), [opened])
    assert isinstance(result, Streaming)
    body = {"code": 0, "sid": SID, "choices": [{"delta": {"role": "assistant", "content": "alpha HA"}, "index": 0}]}
    chunks = [
        *result.decoder.feed(StreamEvent(data=json.dumps(body))),
        *result.decoder.feed(StreamEvent(data="[DONE]")),
    ]
    assert [c.text for c in chunks] == ["alpha ", "HA", ""]
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert {c.model for c in chunks} == {"generalv3.5"}
