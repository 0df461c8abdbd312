"""Legacy completions: the wire body, the answer, the stream decoder, and the public clients."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

import relaykit
from relaykit import CompletionRequest
from relaykit._types._base import validate_request
from relaykit.plugin import CallContext, HttpRequest, HttpResponse, StreamEvent, Streaming, run_to_completion
from relaykit_openai._completions import CompletionChunkDecoder, build_completion_body, completion

from ...helpers import make_context
from ._clients import MODEL_NOT_FOUND, Recorder, async_client, json_reply, sse_reply, sync_client

MODEL = "gpt-3.5-turbo-instruct"

ANSWER = {
    "id": "cmpl-9yL2",
    "object": "text_completion",
    "created": 1718000000,
    "model": "gpt-3.5-turbo-instruct:20230824-v2",
    "system_fingerprint": None,
    "choices": [
        {
            "text": "\n\n这是一个测试。",
            "index": 0,
            "logprobs": {
                "tokens": ["\n\n", "这是"],
                "token_logprobs": [-0.01, -0.2],
                "top_logprobs": [{"\n\n": -0.01}, {"这是": -0.2}],
                "text_offset": [12, 14],
            },
            "finish_reason": "length",
        }
    ],
    "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
    "warning": "This model version is deprecated.",
}


def _ctx(**options: Any) -> CallContext:
    return dataclasses.replace(make_context(options=options), model=MODEL)


def _request(**fields: Any) -> CompletionRequest:
    return validate_request(CompletionRequest, {"model": f"openai/{MODEL}", "prompt": "Say this is a test", **fields})


def _reply(payload: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        status=status, headers={"content-type": "application/json"}, content=json.dumps(payload).encode()
    )


def test_body_carries_the_fields_set_and_the_vendor_model() -> None:
    """Only set fields are sent, stop becomes a list, the model is the vendor's id."""
    body = build_completion_body(_request(max_tokens=7, temperature=0, stop="\n", echo=True, logprobs=2), _ctx())
    assert body == {
        "model": MODEL,
        "prompt": "Say this is a test",
        "echo": True,
        "logprobs": 2,
        "max_tokens": 7,
        "stop": ["\n"],
        "temperature": 0.0,
    }


def test_stream_options_are_sent_only_when_streaming() -> None:
    """include_usage travels with stream=True and is stripped otherwise."""
    options = {"stream_options": {"include_usage": True}}
    assert build_completion_body(_request(stream=True, **options), _ctx())["stream_options"] == {"include_usage": True}
    assert "stream_options" not in build_completion_body(_request(**options), _ctx())


def test_provider_options_merge_into_the_body_but_may_not_override_fields() -> None:
    """Vendor extras are merged; setting the prompt through them is refused."""
    assert build_completion_body(_request(), _ctx(top_k=40))["top_k"] == 40
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        build_completion_body(_request(), _ctx(prompt="other"))
    assert caught.value.field == "provider_options.prompt"


def test_answer_parses_text_logprobs_usage_and_keeps_vendor_keys() -> None:
    """The answer keeps its text (Chinese untouched), logprobs and usage; extras go to vendor_data."""
    flow = completion(_request(), _ctx())
    result = run_to_completion(flow, [_reply(ANSWER)])
    assert isinstance(result, relaykit.Completion)
    assert result.text == "\n\n这是一个测试。"
    assert result.choices[0].finish_reason == "length"
    assert result.choices[0].logprobs is not None
    assert result.choices[0].logprobs.tokens == ["\n\n", "这是"]
    assert result.usage is not None
    assert result.usage.total_tokens == 12
    assert result.vendor_data == {"warning": "This model version is deprecated."}
    assert result.provider == "openai"


def _complete(payload: Any) -> relaykit.Completion:
    result = run_to_completion(completion(_request(), _ctx()), [_reply(payload)])
    assert isinstance(result, relaykit.Completion)
    return result


def test_finish_reason_synonyms_are_normalized_and_unknown_ones_kept() -> None:
    """`eos` reads as stop; an unknown reason becomes None and is kept in vendor_data."""
    payload = {**ANSWER, "choices": [{"text": "a", "index": 0, "finish_reason": "eos"}]}
    assert _complete(payload).choices[0].finish_reason == "stop"
    payload = {**ANSWER, "choices": [{"text": "a", "index": 0, "finish_reason": "recitation"}]}
    result = _complete(payload)
    assert result.choices[0].finish_reason is None
    assert result.vendor_data["finish_reason_raw"] == "recitation"


def test_answer_without_choices_is_a_response_format_error() -> None:
    """A 200 without a choices list cannot be parsed."""
    with pytest.raises(relaykit.ResponseFormatError, match="choices"):
        run_to_completion(completion(_request(), _ctx()), [_reply({"id": "x", "object": "text_completion"})])


def test_404_model_not_found_raises_not_found_error() -> None:
    """The error envelope with status 404 maps to NotFoundError carrying the code."""
    with pytest.raises(relaykit.NotFoundError) as caught:
        run_to_completion(completion(_request(), _ctx()), [_reply(MODEL_NOT_FOUND, status=404)])
    assert caught.value.code == "model_not_found"


def _chunk(text: str, finish: str | None = None, index: int = 0) -> dict[str, Any]:
    return {
        "id": "cmpl-s1",
        "object": "text_completion",
        "created": 1718000000,
        "model": MODEL,
        "choices": [{"text": text, "index": index, "logprobs": None, "finish_reason": finish}],
    }


def _decode(*events: str) -> tuple[list[relaykit.CompletionChunk], CompletionChunkDecoder]:
    decoder = CompletionChunkDecoder(_ctx())
    chunks = [chunk for data in events for chunk in decoder.feed(StreamEvent(data=data))]
    return chunks, decoder


def test_stream_decodes_fragments_and_the_usage_chunk() -> None:
    """Text fragments, the finish reason and the empty-choices usage chunk decode in order."""
    usage = {**_chunk(""), "choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6}}
    chunks, decoder = _decode(
        json.dumps(_chunk("Hel")), "", json.dumps(_chunk("lo", "stop")), json.dumps(usage), "[DONE]"
    )
    assert [chunk.text for chunk in chunks] == ["Hel", "lo", ""]
    assert chunks[1].choices[0].finish_reason == "stop"
    assert chunks[2].usage is not None
    assert decoder.finished
    assert list(decoder.close()) == []


def test_stream_without_finish_reason_gets_stop_at_done() -> None:
    """A server that never sends a finish reason gets one synthesized at [DONE]."""
    chunks, _ = _decode(json.dumps(_chunk("Hi", "")), "[DONE]")
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_stream_ending_after_finish_but_without_done_is_complete() -> None:
    """Some servers omit [DONE]; a finished stream still closes cleanly."""
    _, decoder = _decode(json.dumps(_chunk("Hi", "length")))
    assert list(decoder.close()) == []


def test_stream_cut_before_finishing_is_interrupted() -> None:
    """A body that ends mid-answer raises StreamInterruptedError."""
    _, decoder = _decode(json.dumps(_chunk("Hi")))
    with pytest.raises(relaykit.StreamInterruptedError):
        decoder.close()


def test_error_event_inside_the_stream_raises_the_mapped_error() -> None:
    """`data: {"error": ...}` in a 200 stream raises the API error it describes."""
    with pytest.raises(relaykit.RateLimitError):
        _decode('{"error": {"message": "slow down", "type": "requests", "code": "rate_limit_exceeded"}}')


def test_streaming_flow_returns_a_decoder() -> None:
    """With stream=True the flow asks for SSE and hands back the decoder."""
    flow = completion(_request(stream=True), _ctx())
    request = next(flow)
    assert isinstance(request, HttpRequest)
    assert request.stream == "sse"
    assert request.json["stream"] is True
    result = run_to_completion(completion(_request(stream=True), _ctx()), [HttpResponse(200, {}, streaming=True)])
    assert isinstance(result, Streaming)


# Public clients ------------------------------------------------------------------------------


def test_sync_client_sends_the_body_and_parses_the_answer() -> None:
    """client.completions.create posts to /completions and returns a Completion."""
    recorder = Recorder(json_reply(ANSWER, headers={"x-request-id": "req_42"}))
    with sync_client(recorder) as client:
        result = client.completions.create(model=f"openai/{MODEL}", prompt="Say this is a test", max_tokens=7)
    assert recorder.requests[0].url.path == "/v1/completions"
    assert recorder.requests[0].headers["authorization"] == "Bearer sk-test-0123456789abcdef"
    assert recorder.body == {"model": MODEL, "prompt": "Say this is a test", "max_tokens": 7}
    assert result.text == "\n\n这是一个测试。"
    assert result.request_id == "req_42"


def test_sync_stream_yields_chunks_and_a_final_completion() -> None:
    """A streamed call yields chunks; get_final_completion() joins them."""
    recorder = Recorder(sse_reply(_chunk("Hel"), _chunk("lo", "stop"), "[DONE]"))
    with sync_client(recorder) as client:
        stream = client.completions.create(model=f"openai/{MODEL}", prompt="x", stream=True)
        first = next(stream)
        final = stream.get_final_completion()
    assert first.text == "Hel"
    assert final.text == "Hello"
    assert final.choices[0].finish_reason == "stop"


def test_sync_404_raises_not_found_error() -> None:
    """A 404 model_not_found answer raises NotFoundError naming provider and model."""
    client = sync_client(Recorder(json_reply(MODEL_NOT_FOUND, status=404)))
    with client, pytest.raises(relaykit.NotFoundError) as caught:
        client.completions.create(model="openai/nonexistent", prompt="x")
    assert (caught.value.provider, caught.value.model, caught.value.status) == ("openai", "nonexistent", 404)


def test_invalid_request_sends_nothing() -> None:
    """A request failing validation raises InvalidRequestError and never reaches the transport."""
    recorder = Recorder(json_reply(ANSWER))
    with sync_client(recorder) as client, pytest.raises(relaykit.InvalidRequestError) as caught:
        client.completions.create(model=f"openai/{MODEL}", prompt="x", best_of=21)
    assert caught.value.field == "best_of"
    assert recorder.requests == []


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_async_client_sends_the_body_and_parses_the_answer() -> None:
    """AsyncClient.completions.create sends the same body and returns the same answer."""
    recorder = Recorder(json_reply(ANSWER))
    async with async_client(recorder) as client:
        result = await client.completions.create(model=f"openai/{MODEL}", prompt=[[1734, 318]], n=1)
    assert recorder.body == {"model": MODEL, "prompt": [[1734, 318]], "n": 1}
    assert result.usage is not None
    assert result.usage.completion_tokens == 7


@pytest.mark.anyio
async def test_async_stream_yields_chunks_and_a_final_completion() -> None:
    """An async streamed call yields chunks; get_final_completion() joins them."""
    usage = {**_chunk(""), "choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}}
    recorder = Recorder(sse_reply(_chunk("Bon"), _chunk("jour", "stop"), usage, "[DONE]"))
    async with async_client(recorder) as client:
        stream = await client.completions.create(
            model=f"openai/{MODEL}", prompt="x", stream=True, stream_options={"include_usage": True}
        )
        texts = [chunk.text async for chunk in stream]
        final = await stream.get_final_completion()
    assert recorder.body["stream_options"] == {"include_usage": True}
    assert texts == ["Bon", "jour", ""]
    assert final.text == "Bonjour"
    assert final.usage is not None
    assert final.usage.total_tokens == 3


@pytest.mark.anyio
async def test_async_404_and_invalid_request() -> None:
    """Async: 404 raises NotFoundError; an invalid request sends nothing."""
    recorder = Recorder(json_reply(MODEL_NOT_FOUND, status=404))
    async with async_client(recorder) as client:
        with pytest.raises(relaykit.NotFoundError):
            await client.completions.create(model="openai/nonexistent", prompt="x")
        with pytest.raises(relaykit.InvalidRequestError):
            await client.completions.create(model=f"openai/{MODEL}", prompt="x", suffix=3)
    assert len(recorder.requests) == 1
