"""The OpenAI emulator over real sockets: chat through the public client, other endpoints raw."""

from __future__ import annotations

import base64
import io
import json
import math
import struct
import wave
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2
import pytest

import relaykit
from relaykit.testing import FAULT_HEADER, Fault
from relaykit_openai.emulator import OpenAIEmulator

MODEL = "openai/gpt-4o-mini"
HELLO = [{"role": "user", "content": "Hello there"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}, "note": {"type": "string"}},
            "required": ["city", "days"],
        },
    },
}


@pytest.fixture(scope="module")
def server() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator() as emulator:
        yield emulator


@pytest.fixture
def emu(server: OpenAIEmulator) -> OpenAIEmulator:
    server.reset()
    server.strict_models = False
    return server


@pytest.fixture
def client(emu: OpenAIEmulator) -> Iterator[relaykit.Client]:
    with relaykit.Client(providers={"openai": {"api_key": "test-key", "base_url": emu.base_url}}) as sync_client:
        yield sync_client


@pytest.fixture
async def aclient(emu: OpenAIEmulator) -> AsyncIterator[relaykit.AsyncClient]:
    async with relaykit.AsyncClient(providers={"openai": {"api_key": "test-key", "base_url": emu.base_url}}) as ac:
        yield ac


@pytest.fixture
def http(emu: OpenAIEmulator) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=emu.base_url, headers={"authorization": "Bearer test-key"}, timeout=5) as raw:
        yield raw


# -- chat through the public client ---------------------------------------------------------------


def test_chat_answers_the_last_user_text_and_counts_words(emu: OpenAIEmulator, client: relaykit.Client) -> None:
    """A generated answer echoes the last user text; usage counts words; the key was sent."""
    answer = client.chat.completions.create(model=MODEL, messages=HELLO)
    assert answer.text == "You said: Hello there"
    assert answer.choices[0].finish_reason == "stop"
    assert answer.usage is not None
    assert (answer.usage.prompt_tokens, answer.usage.completion_tokens, answer.usage.total_tokens) == (2, 4, 6)
    assert answer.request_id is not None
    assert answer.request_id.startswith("req_emu_")
    request = emu.last_request
    assert request.header("authorization") == "Bearer test-key"
    assert request.json()["model"] == "gpt-4o-mini"


def test_chinese_text_round_trips(client: relaykit.Client) -> None:
    """Non-ASCII text comes back untouched."""
    answer = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "你好，世界"}])
    assert answer.text == "You said: 你好，世界"


def test_stream_sends_word_deltas_then_the_usage_chunk(client: relaykit.Client) -> None:
    """A stream has a role chunk, one delta per word, a finish chunk and a usage-only chunk."""
    stream = client.chat.completions.create(
        model=MODEL, messages=HELLO, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [c.text for c in chunks[1:-2]] == ["You", " said:", " Hello", " there"]
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens == 6
    assert stream.get_final_completion().text == "You said: Hello there"


def test_stream_without_include_usage_carries_no_usage(client: relaykit.Client) -> None:
    """Without stream_options.include_usage no chunk has usage."""
    chunks = list(client.chat.completions.create(model=MODEL, messages=HELLO, stream=True))
    assert all(chunk.usage is None for chunk in chunks)
    assert all(chunk.choices for chunk in chunks)


def test_tool_call_stream_is_assembled_by_get_final_completion(emu: OpenAIEmulator, client: relaykit.Client) -> None:
    """A generated tool call streams as fragments and assembles into arguments from the required schema."""
    stream = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Weather?"}], tools=[WEATHER_TOOL], stream=True
    )
    final = stream.get_final_completion()
    choice = final.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.tool_calls is not None
    call = choice.message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "example", "days": 1}
    assert call.id.startswith("call_")


def test_tool_results_are_answered_in_text(client: relaykit.Client) -> None:
    """After a tool message the answer is text quoting the tool's result."""
    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
    messages = [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": "18C and sunny"},
    ]
    answer = client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER_TOOL])
    assert answer.text == "The tool returned: 18C and sunny"
    assert answer.choices[0].message.tool_calls is None


def test_tool_choice_none_answers_in_text(client: relaykit.Client) -> None:
    """tool_choice="none" keeps the answer in text even with tools offered."""
    answer = client.chat.completions.create(model=MODEL, messages=HELLO, tools=[WEATHER_TOOL], tool_choice="none")
    assert answer.text == "You said: Hello there"


def test_scripted_answers_take_precedence_in_order(emu: OpenAIEmulator, client: relaykit.Client) -> None:
    """Scripted answers are served first, exactly, streamed or not; then generation resumes."""
    emu.script_chat("Bonjour !", reasoning="The user greets me.", finish_reason="length")
    emu.script_chat(tool_calls=[{"name": "get_weather", "arguments": {"city": "Paris"}}])
    first = client.chat.completions.create(model=MODEL, messages=HELLO)
    assert (first.text, first.choices[0].finish_reason) == ("Bonjour !", "length")
    assert first.choices[0].message.reasoning_content == "The user greets me."
    second = client.chat.completions.create(model=MODEL, messages=HELLO, stream=True).get_final_completion()
    calls = second.choices[0].message.tool_calls
    assert calls is not None
    assert (calls[0].function.name, calls[0].function.arguments) == ("get_weather", '{"city": "Paris"}')
    assert second.choices[0].finish_reason == "tool_calls"
    assert client.chat.completions.create(model=MODEL, messages=HELLO).text == "You said: Hello there"


def test_n_choices_stream_interleaved_and_assemble(client: relaykit.Client) -> None:
    """n=2 gives two choices, interleaved in the stream."""
    stream = client.chat.completions.create(model=MODEL, messages=HELLO, n=2, stream=True)
    chunks = list(stream)
    assert [c.choices[0].index for c in chunks[:4]] == [0, 1, 0, 1]
    final = stream.get_final_completion()
    assert [c.message.content for c in final.choices] == ["You said: Hello there"] * 2


def test_max_tokens_cuts_the_answer_with_finish_reason_length(client: relaykit.Client) -> None:
    """max_tokens counts words and ends the answer with finish_reason length."""
    answer = client.chat.completions.create(model=MODEL, messages=HELLO, max_tokens=2)
    assert (answer.text, answer.choices[0].finish_reason) == ("You said:", "length")


def test_json_schema_format_answers_a_matching_object(client: relaykit.Client) -> None:
    """A json_schema response format gets JSON built from the schema's required properties."""
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
    }
    answer = client.chat.completions.create(
        model=MODEL,
        messages=HELLO,
        response_format={"type": "json_schema", "json_schema": {"name": "p", "schema": schema}},
    )
    assert json.loads(answer.text) == {"name": "example", "age": 1}


def test_wrong_key_raises_authentication_error(emu: OpenAIEmulator) -> None:
    """A wrong bearer key is a 401 invalid_api_key, with the key masked."""
    providers = {"openai": {"api_key": "sk-wrong-0123456789", "base_url": emu.base_url}}
    with relaykit.Client(providers=providers) as wrong, pytest.raises(relaykit.AuthenticationError) as caught:
        wrong.chat.completions.create(model=MODEL, messages=HELLO)
    assert (caught.value.status, caught.value.code) == (401, "invalid_api_key")
    assert "0123456789" not in str(caught.value.body_excerpt)


def test_429_with_retry_after_raises_rate_limit_error(emu: OpenAIEmulator, client: relaykit.Client) -> None:
    """Fault.status(429, retry_after=2) surfaces as RateLimitError with retry_after 2.0."""
    emu.inject(Fault.status(429, retry_after=2))
    with pytest.raises(relaykit.RateLimitError) as caught:
        client.chat.completions.create(model=MODEL, messages=HELLO)
    assert caught.value.retry_after == 2.0
    assert caught.value.code == "rate_limit_exceeded"


def test_429_insufficient_quota_raises_quota_exceeded_error(emu: OpenAIEmulator, client: relaykit.Client) -> None:
    """The error code in a status fault reaches the client's classification."""
    emu.inject(Fault.status(429, error_code="insufficient_quota"))
    with pytest.raises(relaykit.QuotaExceededError):
        client.chat.completions.create(model=MODEL, messages=HELLO)


@pytest.mark.parametrize(
    ("status", "error"),
    [(500, relaykit.ServerError), (503, relaykit.OverloadedError), (529, relaykit.OverloadedError)],
)
def test_server_faults_raise_their_error_kind(
    emu: OpenAIEmulator, client: relaykit.Client, status: int, error: type[relaykit.APIStatusError]
) -> None:
    """500 is a ServerError; 503 and 529 are OverloadedError."""
    emu.inject(Fault.status(status))
    with pytest.raises(error) as caught:
        client.chat.completions.create(model=MODEL, messages=HELLO)
    assert caught.value.status == status


def test_dropped_connection_raises_api_connection_error(emu: OpenAIEmulator, client: relaykit.Client) -> None:
    """A connection closed without a response is an APIConnectionError."""
    emu.inject(Fault.drop())
    with pytest.raises(relaykit.APIConnectionError):
        client.chat.completions.create(model=MODEL, messages=HELLO)


def test_malformed_json_raises_response_format_error(emu: OpenAIEmulator, client: relaykit.Client) -> None:
    """Truncated JSON in a 200 is a ResponseFormatError with an excerpt."""
    emu.inject(Fault.malformed_json())
    with pytest.raises(relaykit.ResponseFormatError) as caught:
        client.chat.completions.create(model=MODEL, messages=HELLO)
    assert caught.value.body_excerpt is not None
    assert caught.value.body_excerpt.startswith('{"id"')


def test_cut_stream_raises_stream_interrupted_with_the_partial_text(
    emu: OpenAIEmulator, client: relaykit.Client
) -> None:
    """A stream cut after 3 events raises StreamInterruptedError whose partial holds the text so far."""
    emu.inject(Fault.cut_stream(after_events=3))
    stream = client.chat.completions.create(model=MODEL, messages=HELLO, stream=True)
    received: list[str] = []
    with pytest.raises(relaykit.StreamInterruptedError) as caught:
        received.extend(chunk.text for chunk in stream)
    assert "".join(received) == "You said:"
    assert caught.value.partial.text == "You said:"


def test_fault_header_from_provider_settings_applies(emu: OpenAIEmulator) -> None:
    """A fault asked for with the x-relaykit-fault header (as another process would) applies."""
    settings = {"api_key": "test-key", "base_url": emu.base_url, "headers": {FAULT_HEADER: "status=429; retry_after=1"}}
    with relaykit.Client(providers={"openai": settings}) as faulty, pytest.raises(relaykit.RateLimitError) as caught:
        faulty.chat.completions.create(model=MODEL, messages=HELLO)
    assert caught.value.retry_after == 1.0


def test_strict_models_answer_404_model_not_found(emu: OpenAIEmulator, client: relaykit.Client) -> None:
    """With strict_models an id outside the catalogue is a NotFoundError."""
    emu.strict_models = True
    with pytest.raises(relaykit.NotFoundError) as caught:
        client.chat.completions.create(model="openai/no-such-model", messages=HELLO)
    assert caught.value.code == "model_not_found"


@pytest.mark.anyio
async def test_async_chat_stream_and_tool_calls(aclient: relaykit.AsyncClient) -> None:
    """The async client gets the same answers, streamed and assembled."""
    answer = await aclient.chat.completions.create(model=MODEL, messages=HELLO)
    assert answer.text == "You said: Hello there"
    stream = await aclient.chat.completions.create(
        model=MODEL, messages=HELLO, stream=True, stream_options={"include_usage": True}
    )
    texts = [chunk.text async for chunk in stream]
    assert "".join(texts) == "You said: Hello there"
    tools = await aclient.chat.completions.create(model=MODEL, messages=HELLO, tools=[WEATHER_TOOL], stream=True)
    final = await tools.get_final_completion()
    assert final.choices[0].message.tool_calls is not None
    assert json.loads(final.choices[0].message.tool_calls[0].function.arguments) == {"city": "example", "days": 1}


@pytest.mark.anyio
async def test_async_faults_raise_the_same_errors(emu: OpenAIEmulator, aclient: relaykit.AsyncClient) -> None:
    """429, drop and a cut stream raise the same errors through the async client."""
    emu.inject(Fault.status(429, retry_after=2))
    with pytest.raises(relaykit.RateLimitError) as limited:
        await aclient.chat.completions.create(model=MODEL, messages=HELLO)
    assert limited.value.retry_after == 2.0
    emu.inject(Fault.drop())
    with pytest.raises(relaykit.APIConnectionError):
        await aclient.chat.completions.create(model=MODEL, messages=HELLO)
    emu.inject(Fault.cut_stream(after_events=2))
    stream = await aclient.chat.completions.create(model=MODEL, messages=HELLO, stream=True)
    with pytest.raises(relaykit.StreamInterruptedError) as cut:
        async for _ in stream:
            pass
    assert cut.value.partial.text == "You"


# -- other endpoints, raw ------------------------------------------------------------------------


def test_missing_key_answers_401_with_a_null_code() -> None:
    """No Authorization header is OpenAI's 'You didn't provide an API key' 401."""
    with OpenAIEmulator() as emulator:
        response = httpx2.get(emulator.url("/v1/models"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] is None
    assert response.json()["error"]["message"].startswith("You didn't provide an API key")


def test_unknown_routes_and_bad_bodies_answer_the_error_envelope(http: httpx2.Client) -> None:
    """Unknown route is 404 'Invalid URL'; bad JSON and stream_options without stream are 400."""
    missing = http.post("/nowhere", json={})
    assert (missing.status_code, missing.json()["error"]["message"]) == (404, "Invalid URL (POST /v1/nowhere)")
    assert http.post("/chat/completions", content=b"{oops").status_code == 400
    body = {"model": "m", "messages": HELLO, "stream_options": {"include_usage": True}}
    rejected = http.post("/chat/completions", json=body)
    assert (rejected.status_code, rejected.json()["error"]["param"]) == (400, "stream_options")


def test_completions_answer_per_prompt_and_cap_at_16_words(http: httpx2.Client) -> None:
    """Legacy completions give n choices per prompt, echo, and default max_tokens 16 ends in 'length'."""
    body = {"model": "gpt-3.5-turbo-instruct", "prompt": ["a", "b"], "n": 2, "echo": True}
    choices = http.post("/completions", json=body).json()["choices"]
    assert [(c["index"], c["text"]) for c in choices] == [
        (0, "a You said: a"),
        (1, "a You said: a"),
        (2, "b You said: b"),
        (3, "b You said: b"),
    ]
    long = http.post("/completions", json={"model": "m", "prompt": " ".join(["w"] * 30)}).json()["choices"][0]
    assert (len(long["text"].split()), long["finish_reason"]) == (16, "length")


def test_completions_stream_ends_with_usage_and_done(http: httpx2.Client) -> None:
    """A streamed completion sends text pieces, a finish, the usage chunk and [DONE]."""
    body = {"model": "m", "prompt": "hi", "stream": True, "stream_options": {"include_usage": True}}
    with http.stream("POST", "/completions", json=body) as response:
        data = [event.data for event in httpx2.EventSource(response)]
    assert data[-1] == "[DONE]"
    chunks = [json.loads(d) for d in data[:-1]]
    assert "".join(c["choices"][0]["text"] for c in chunks[:-1]) == "You said: hi"
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["completion_tokens"] == 3


def test_embeddings_are_deterministic_unit_vectors_in_both_encodings(http: httpx2.Client) -> None:
    """Same input, same vector; dimensions honoured; base64 is the little-endian float32 of the floats."""
    body = {"model": "text-embedding-3-small", "input": ["alpha", "beta", "alpha"], "dimensions": 8}
    floats = [item["embedding"] for item in http.post("/embeddings", json=body).json()["data"]]
    assert len(floats[0]) == 8
    assert floats[0] == floats[2] != floats[1]
    assert math.isclose(sum(v * v for v in floats[0]), 1.0, rel_tol=1e-6)
    encoded = http.post("/embeddings", json={**body, "encoding_format": "base64"}).json()["data"][0]["embedding"]
    decoded = struct.unpack("<8f", base64.b64decode(encoded))
    assert all(math.isclose(a, b, abs_tol=1e-6) for a, b in zip(decoded, floats[0], strict=True))
    full = http.post("/embeddings", json={"model": "text-embedding-3-large", "input": "x"}).json()
    assert len(full["data"][0]["embedding"]) == 3072


def test_embedding_errors_name_the_field(http: httpx2.Client) -> None:
    """ada-002 refuses dimensions; an empty input is rejected."""
    fixed = http.post("/embeddings", json={"model": "text-embedding-ada-002", "input": "x", "dimensions": 8})
    assert (fixed.status_code, fixed.json()["error"]["param"]) == (400, "dimensions")
    empty = http.post("/embeddings", json={"model": "text-embedding-3-small", "input": ""})
    assert empty.status_code == 400


def test_image_generation_serves_urls_and_base64_pngs(http: httpx2.Client) -> None:
    """URLs point at PNGs the emulator serves; b64_json decodes to a PNG; gpt-image adds usage."""
    data = http.post("/images/generations", json={"prompt": "a red fox", "n": 2}).json()["data"]
    image = httpx2.get(data[0]["url"])
    assert (image.headers["content-type"], image.content[:8]) == ("image/png", b"\x89PNG\r\n\x1a\n")
    b64 = http.post("/images/generations", json={"prompt": "a red fox", "response_format": "b64_json"}).json()
    assert base64.b64decode(b64["data"][0]["b64_json"]).startswith(b"\x89PNG")
    gpt = http.post("/images/generations", json={"prompt": "a fox", "model": "gpt-image-1"}).json()
    assert "b64_json" in gpt["data"][0]
    assert gpt["usage"]["input_tokens"] == 2
    too_many = http.post("/images/generations", json={"prompt": "x", "model": "dall-e-3", "n": 2})
    assert (too_many.status_code, too_many.json()["error"]["param"]) == (400, "n")


def test_image_edits_and_variations_read_multipart(emu: OpenAIEmulator, http: httpx2.Client) -> None:
    """Edits need a prompt and an image; variations an image; both answer images."""
    png = base64.b64decode(
        http.post("/images/generations", json={"prompt": "x", "response_format": "b64_json"}).json()["data"][0][
            "b64_json"
        ]
    )
    files = {"image": ("in.png", png, "image/png")}
    edit = http.post("/images/edits", data={"prompt": "add a hat", "response_format": "b64_json"}, files=files)
    assert edit.status_code == 200
    assert base64.b64decode(edit.json()["data"][0]["b64_json"]).startswith(b"\x89PNG")
    assert emu.last_request.form().fields["prompt"] == ["add a hat"]
    variation = http.post("/images/variations", data={"n": "2"}, files=files)
    assert len(variation.json()["data"]) == 2
    missing = http.post("/images/edits", data={"prompt": "x"}, files={"mask": ("m.png", png, "image/png")})
    assert (missing.status_code, missing.json()["error"]["param"]) == (400, "image")


def test_speech_is_real_audio_per_format(http: httpx2.Client) -> None:
    """wav parses with the wave module; mp3 is MPEG frames; pcm is raw 16-bit samples."""
    body = {"model": "tts-1", "input": "Hello brave new world", "voice": "alloy"}
    wav = http.post("/audio/speech", json={**body, "response_format": "wav"})
    assert wav.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(wav.content)) as reader:
        assert (reader.getframerate(), reader.getnchannels(), reader.getnframes()) == (24_000, 1, 24_000)
    mp3 = http.post("/audio/speech", json=body)
    assert (mp3.headers["content-type"], mp3.content[:2]) == ("audio/mpeg", b"\xff\xfb")
    pcm = http.post("/audio/speech", json={**body, "response_format": "pcm", "speed": 2.0})
    assert len(pcm.content) == 24_000  # 4 words x 0.125 s x 24 kHz x 2 bytes
    bad = http.post("/audio/speech", json={**body, "voice": "nobody"})
    assert (bad.status_code, bad.json()["error"]["param"]) == (400, "voice")


def test_speech_streams_audio_deltas_as_sse(http: httpx2.Client) -> None:
    """stream_format sse sends speech.audio.delta events then speech.audio.done with usage."""
    body = {
        "model": "gpt-4o-mini-tts",
        "input": "Hi",
        "voice": "coral",
        "stream_format": "sse",
        "response_format": "pcm",
    }
    with http.stream("POST", "/audio/speech", json=body) as response:
        events = [json.loads(event.data) for event in httpx2.EventSource(response)]
    audio = b"".join(base64.b64decode(e["audio"]) for e in events if e["type"] == "speech.audio.delta")
    assert len(audio) == 12_000
    assert events[-1]["type"] == "speech.audio.done"
    assert events[-1]["usage"]["input_tokens"] == 1


@pytest.mark.parametrize(
    ("response_format", "expected"),
    [
        ("json", '{"text": "Bonjour tout le monde"'),
        ("text", "Bonjour tout le monde\n"),
        ("srt", "1\n00:00:00,000 --> 00:00:01,000\nBonjour tout le monde\n"),
        ("vtt", "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nBonjour tout le monde\n"),
        ("verbose_json", '{"task": "transcribe", "language": "fr", "duration": 1.0'),
    ],
)
def test_transcription_round_trips_speech_in_every_format(
    http: httpx2.Client, response_format: str, expected: str
) -> None:
    """Transcribing the emulator's own WAV gives its text back, in each response format."""
    speech = {"model": "tts-1", "input": "Bonjour tout le monde", "voice": "alloy", "response_format": "wav"}
    wav = http.post("/audio/speech", json=speech).content
    data = {
        "model": "whisper-1",
        "response_format": response_format,
        "language": "fr",
        "timestamp_granularities[]": "word",
    }
    response = http.post("/audio/transcriptions", data=data, files={"file": ("speech.wav", wav, "audio/wav")})
    assert response.status_code == 200
    assert response.text.startswith(expected)
    if response_format == "verbose_json":
        assert [w["word"] for w in response.json()["words"]] == ["Bonjour", "tout", "le", "monde"]


def test_translation_and_upload_errors(http: httpx2.Client) -> None:
    """Translations answer English text; a file without an audio extension is a 400."""
    files = {"file": ("note.mp3", b"ID3", "audio/mpeg")}
    translated = http.post("/audio/translations", data={"model": "whisper-1"}, files=files)
    assert translated.json() == {"text": "This is an emulated transcript of note.mp3."}
    wrong = http.post("/audio/transcriptions", data={"model": "whisper-1"}, files={"file": ("note.txt", b"x")})
    assert (wrong.status_code, wrong.json()["error"]["param"]) == (400, "file")
    srt = http.post("/audio/transcriptions", data={"model": "gpt-4o-transcribe", "response_format": "srt"}, files=files)
    assert srt.status_code == 400


def test_moderations_flag_listed_words(http: httpx2.Client) -> None:
    """Inputs with a listed word are flagged in its category; others are not."""
    results = http.post("/moderations", json={"input": ["I will kill the bug", "Have a nice day"]}).json()["results"]
    assert results[0]["flagged"] is True
    assert [name for name, hit in results[0]["categories"].items() if hit] == ["violence"]
    assert results[1]["flagged"] is False
    parts = [{"type": "text", "text": "hello"}, {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]
    multimodal = http.post("/moderations", json={"input": parts}).json()["results"]
    assert len(multimodal) == 1
    assert multimodal[0]["category_applied_input_types"]["violence"] == ["text", "image"]


def test_models_list_and_retrieve(http: httpx2.Client) -> None:
    """The catalogue lists and retrieves; an unknown id is 404 model_not_found."""
    listed = http.get("/models").json()
    assert listed["object"] == "list"
    assert "gpt-4o-mini" in [m["id"] for m in listed["data"]]
    assert http.get("/models/gpt-4o").json() == {
        "id": "gpt-4o",
        "object": "model",
        "created": 1_700_000_000,
        "owned_by": "system",
    }
    missing = http.get("/models/ft:gpt-4o:acme/custom")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "model_not_found")


def test_custom_catalogue_replaces_the_default() -> None:
    """models= sets what /v1/models lists."""
    with OpenAIEmulator(api_key=None, models=["deepseek-chat"]) as emulator:
        listed: dict[str, Any] = httpx2.get(emulator.url("/v1/models")).json()
    assert [m["id"] for m in listed["data"]] == ["deepseek-chat"]
