"""Every OpenAI endpoint end to end: the public clients over real sockets against `OpenAIEmulator`.

One emulator serves the whole module (it is reset before each test). Most tests run twice, with
`relaykit.Client` and with `relaykit.AsyncClient`, through the `call` fixture; streams, whose
consumption differs, have one sync and one async test each.
"""

from __future__ import annotations

import base64
import inspect
import io
import json
import math
import struct
import wave
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx2
import pytest

import relaykit
from relaykit_openai.emulator import MODELS, OpenAIEmulator, png

CHAT = "openai/gpt-4o-mini"
INSTRUCT = "openai/gpt-3.5-turbo-instruct"
EMBEDDER = "openai/text-embedding-3-small"
DALL_E = "openai/dall-e-2"
WHISPER = "openai/whisper-1"
HELLO = [{"role": "user", "content": "Hello there"}]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city", "days"],
        },
    },
}
SQUARE_PNG = png((30, 90, 200), size=4)

Call = Callable[[Callable[[Any], Any]], Any]
"""Runs `scenario(client)` with one kind of client; an awaitable result is awaited."""


def _silence_wav(seconds: float = 0.1, rate: int = 16000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(bytes(2 * int(rate * seconds)))
    return buffer.getvalue()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _providers(emu: OpenAIEmulator) -> dict[str, dict[str, Any]]:
    return {"openai": {"api_key": "test-key", "base_url": emu.base_url}}


@pytest.fixture(scope="module")
def server() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator() as emulator:
        yield emulator


@pytest.fixture
def emu(server: OpenAIEmulator) -> OpenAIEmulator:
    server.reset()
    return server


@pytest.fixture
def client(emu: OpenAIEmulator) -> Iterator[relaykit.Client]:
    with relaykit.Client(providers=_providers(emu)) as sync_client:
        yield sync_client


@pytest.fixture
async def aclient(emu: OpenAIEmulator) -> AsyncIterator[relaykit.AsyncClient]:
    async with relaykit.AsyncClient(providers=_providers(emu)) as async_client:
        yield async_client


@pytest.fixture(params=["sync", "async"])
def call(request: pytest.FixtureRequest, emu: OpenAIEmulator) -> Iterator[Call]:
    """`call(lambda c: c.embeddings.create(...))` with a sync client, then with an async one."""
    if request.param == "sync":
        with relaykit.Client(providers=_providers(emu)) as sync_client:
            yield lambda scenario: scenario(sync_client)
        return

    # One event loop in a portal thread and one async client serve every call of the test.
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(relaykit.AsyncClient(providers=_providers(emu))) as async_client,
    ):

        def run_async(scenario: Callable[[Any], Any]) -> Any:
            async def main() -> Any:
                result = scenario(async_client)
                return await result if inspect.isawaitable(result) else result

            return portal.call(main)

        yield run_async


# -- chat -----------------------------------------------------------------------------------------


def test_chat_json_answer(call: Call, emu: OpenAIEmulator) -> None:
    """A JSON chat answer carries the text, usage, request id and the vendor model id sent."""
    answer = call(lambda c: c.chat.completions.create(model=CHAT, messages=HELLO, temperature=0.2))
    assert answer.text == "You said: Hello there"
    assert (answer.provider, answer.model) == ("openai", "gpt-4o-mini")
    assert answer.choices[0].finish_reason == "stop"
    assert answer.usage is not None
    assert (answer.usage.prompt_tokens, answer.usage.completion_tokens, answer.usage.total_tokens) == (2, 4, 6)
    assert answer.request_id is not None
    assert answer.request_id.startswith("req_emu_")
    assert emu.last_request.json()["temperature"] == 0.2


def test_chat_tool_call(call: Call) -> None:
    """With a tool offered the answer calls it with arguments built from its required schema."""
    answer = call(lambda c: c.chat.completions.create(model=CHAT, messages=HELLO, tools=[WEATHER]))
    choice = answer.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.tool_calls is not None
    (tool_call,) = choice.message.tool_calls
    assert tool_call.function.name == "get_weather"
    assert json.loads(tool_call.function.arguments) == {"city": "example", "days": 1}


def test_chat_stream_with_usage_and_tool_calls_sync(client: relaykit.Client) -> None:
    """Sync streams: word deltas with a usage-only chunk, and a streamed tool call assembled."""
    stream = client.chat.completions.create(
        model=CHAT, messages=HELLO, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    assert "".join(chunk.text for chunk in chunks) == "You said: Hello there"
    assert chunks[-1].choices == []
    final = stream.get_final_completion()
    assert final.text == "You said: Hello there"
    assert final.usage is not None
    assert final.usage.total_tokens == 6
    tools = client.chat.completions.create(model=CHAT, messages=HELLO, tools=[WEATHER], stream=True)
    called = tools.get_final_completion().choices[0]
    assert called.finish_reason == "tool_calls"
    assert called.message.tool_calls is not None
    assert json.loads(called.message.tool_calls[0].function.arguments) == {"city": "example", "days": 1}


@pytest.mark.anyio
async def test_chat_stream_with_usage_and_tool_calls_async(aclient: relaykit.AsyncClient) -> None:
    """Async streams: word deltas with a usage-only chunk, and a streamed tool call assembled."""
    stream = await aclient.chat.completions.create(
        model=CHAT, messages=HELLO, stream=True, stream_options={"include_usage": True}
    )
    chunks = [chunk async for chunk in stream]
    assert "".join(chunk.text for chunk in chunks) == "You said: Hello there"
    assert chunks[-1].choices == []
    final = await stream.get_final_completion()
    assert final.usage is not None
    assert final.usage.total_tokens == 6
    tools = await aclient.chat.completions.create(model=CHAT, messages=HELLO, tools=[WEATHER], stream=True)
    called = (await tools.get_final_completion()).choices[0]
    assert called.message.tool_calls is not None
    assert json.loads(called.message.tool_calls[0].function.arguments) == {"city": "example", "days": 1}


# -- completions ----------------------------------------------------------------------------------


def test_completion_json_answer(call: Call, emu: OpenAIEmulator) -> None:
    """A legacy completion answers each prompt; stop goes on the wire as a list."""
    answer = call(lambda c: c.completions.create(model=INSTRUCT, prompt=["one", "two"], stop="zzz"))
    assert [(choice.index, choice.text) for choice in answer.choices] == [(0, "You said: one"), (1, "You said: two")]
    assert [choice.finish_reason for choice in answer.choices] == ["stop", "stop"]
    assert answer.model == "gpt-3.5-turbo-instruct"
    assert answer.usage is not None
    assert answer.usage.total_tokens == 8
    assert emu.last_request.json()["stop"] == ["zzz"]


def test_completion_stream_sync(client: relaykit.Client) -> None:
    """A sync completion stream joins its fragments and keeps the usage chunk."""
    stream = client.completions.create(model=INSTRUCT, prompt="hi", stream=True, stream_options={"include_usage": True})
    texts = [chunk.text for chunk in stream]
    assert "".join(texts) == "You said: hi"
    final = stream.get_final_completion()
    assert (final.text, final.choices[0].finish_reason) == ("You said: hi", "stop")
    assert final.usage is not None
    assert final.usage.completion_tokens == 3


@pytest.mark.anyio
async def test_completion_stream_async(aclient: relaykit.AsyncClient) -> None:
    """An async completion stream joins its fragments and keeps the usage chunk."""
    stream = await aclient.completions.create(
        model=INSTRUCT, prompt="hi", stream=True, stream_options={"include_usage": True}
    )
    texts = [chunk.text async for chunk in stream]
    assert "".join(texts) == "You said: hi"
    final = await stream.get_final_completion()
    assert final.usage is not None
    assert final.usage.completion_tokens == 3


# -- embeddings -----------------------------------------------------------------------------------


def test_float_embeddings(call: Call, emu: OpenAIEmulator) -> None:
    """encoding_format=float answers deterministic unit vectors of the model's full size."""
    result = call(
        lambda c: c.embeddings.create(model=EMBEDDER, input=["alpha", "beta", "alpha"], encoding_format="float")
    )
    vectors = result.vectors()
    assert [len(vector) for vector in vectors] == [1536] * 3
    assert vectors[0] == vectors[2] != vectors[1]
    assert math.isclose(sum(v * v for v in vectors[0]), 1.0, rel_tol=1e-6)
    assert emu.last_request.json()["encoding_format"] == "float"


def test_base64_embeddings_decode_to_the_float_vectors(call: Call, emu: OpenAIEmulator) -> None:
    """Unset format asks base64 on the wire and returns floats; base64 asked stays base64."""
    params = {"model": EMBEDDER, "input": "alpha"}
    floats = call(lambda c: c.embeddings.create(**params, encoding_format="float")).data[0].embedding
    decoded = call(lambda c: c.embeddings.create(**params))
    assert emu.last_request.json()["encoding_format"] == "base64"
    assert isinstance(decoded.data[0].embedding, list)
    encoded = call(lambda c: c.embeddings.create(**params, encoding_format="base64")).data[0]
    assert isinstance(encoded.embedding, str)
    assert base64.b64decode(encoded.embedding) == struct.pack("<1536f", *floats)
    for values in (decoded.data[0].embedding, encoded.as_floats()):
        assert all(math.isclose(a, b, abs_tol=1e-7) for a, b in zip(values, floats, strict=True))


def test_embedding_dimensions(call: Call, emu: OpenAIEmulator) -> None:
    """dimensions is sent and shortens each vector, renormalized."""
    result = call(lambda c: c.embeddings.create(model="openai/text-embedding-3-large", input="x", dimensions=8))
    (vector,) = result.vectors()
    assert len(vector) == 8
    assert math.isclose(sum(v * v for v in vector), 1.0, rel_tol=1e-5)
    assert emu.last_request.json()["dimensions"] == 8


# -- images ---------------------------------------------------------------------------------------


def test_image_generation_as_url_and_as_base64(call: Call) -> None:
    """A URL answer points at a PNG the emulator serves; a b64_json answer decodes to one."""
    by_url = call(lambda c: c.images.generate(model=DALL_E, prompt="a red fox", n=2))
    assert len(by_url.data) == 2
    assert by_url.data[0].url is not None
    downloaded = httpx2.get(by_url.data[0].url)
    assert _png_size(downloaded.content) == (32, 32)
    inline = call(lambda c: c.images.generate(model=DALL_E, prompt="a red fox", response_format="b64_json"))
    assert _png_size(inline.data[0].to_bytes()) == (32, 32)


@pytest.mark.parametrize("source", ["bytes", "file"])
def test_image_edit_uploads_a_png(call: Call, emu: OpenAIEmulator, tmp_path: Path, source: str) -> None:
    """A PNG given as bytes or as a file uploads the same content; the edit answers a PNG."""
    picture = tmp_path / "photo.png"
    picture.write_bytes(SQUARE_PNG)
    image = SQUARE_PNG if source == "bytes" else picture
    result = call(lambda c: c.images.edit(model=DALL_E, image=image, prompt="add a hat", response_format="b64_json"))
    assert _png_size(result.data[0].to_bytes()) == (32, 32)
    form = emu.last_request.form()
    (upload,) = form.files["image"]
    assert (upload.filename, upload.content, upload.content_type) == (
        "image.png" if source == "bytes" else "photo.png",
        SQUARE_PNG,
        "image/png",
    )
    assert form.get("prompt") == "add a hat"


def test_image_variation_from_a_file(call: Call, emu: OpenAIEmulator, tmp_path: Path) -> None:
    """Variations of an uploaded file come back as n distinct PNGs."""
    picture = tmp_path / "square.png"
    picture.write_bytes(SQUARE_PNG)
    result = call(lambda c: c.images.create_variation(model=DALL_E, image=picture, n=2, response_format="b64_json"))
    first, second = result.to_bytes()
    assert _png_size(first) == _png_size(second) == (32, 32)
    assert first != second
    assert emu.last_request.form().get("n") == "2"


# -- audio ----------------------------------------------------------------------------------------


def test_speech_written_to_a_file_transcribes_back_to_its_text(call: Call, tmp_path: Path) -> None:
    """Speech in wav, written with write_to, transcribes back to the spoken text (the emulator embeds it)."""
    speech = call(
        lambda c: c.audio.speech.create(
            model="openai/tts-1", input="Hello from the emulator", voice="alloy", response_format="wav"
        )
    )
    assert speech.content_type == "audio/wav"
    path = speech.write_to(tmp_path / "speech.wav")
    with wave.open(str(path)) as audio:
        assert (audio.getnchannels(), audio.getframerate(), audio.getnframes()) == (1, 24000, 24000)
    transcript = call(lambda c: c.audio.transcriptions.create(model=WHISPER, file=path))
    assert (transcript.text, transcript.format) == ("Hello from the emulator", "json")
    assert transcript.usage is not None
    assert (transcript.usage.type, transcript.usage.seconds) == ("duration", 1)
    subtitles = call(lambda c: c.audio.transcriptions.create(model=WHISPER, file=path, response_format="srt"))
    assert subtitles.text == "1\n00:00:00,000 --> 00:00:01,000\nHello from the emulator\n\n"


def test_speech_with_a_custom_voice_id(call: Call, emu: OpenAIEmulator) -> None:
    """A custom voice given as {"id": ...} is sent as an object and accepted."""
    speech = call(lambda c: c.audio.speech.create(model="openai/tts-1", input="Hi", voice={"id": "voice_123"}))
    assert speech.content
    assert emu.last_request.json()["voice"] == {"id": "voice_123"}


def test_translation_in_verbose_json(call: Call, tmp_path: Path) -> None:
    """A translation in verbose_json carries language, duration and a segment."""
    recording = tmp_path / "bonjour.wav"
    recording.write_bytes(_silence_wav())
    result = call(lambda c: c.audio.translations.create(model=WHISPER, file=recording, response_format="verbose_json"))
    assert isinstance(result, relaykit.Translation)
    assert result.text == "This is an emulated transcript of bonjour.wav."
    assert (result.format, result.language, result.duration) == ("verbose_json", "english", 0.1)
    assert result.segments is not None
    assert result.segments[0].text == result.text
    assert result.vendor_data == {"task": "translate"}


# -- moderation and models ------------------------------------------------------------------------


def test_moderation_flags_only_the_harmful_input(call: Call) -> None:
    """One result per input: the threatening one is flagged for violence, the other is clean."""
    result = call(
        lambda c: c.moderations.create(
            model="openai/omni-moderation-latest", input=["I will kill you", "Have a nice day"]
        )
    )
    assert result.flagged is True
    threat, kind = result.results
    assert threat.flagged is True
    assert {name for name, hit in threat.categories.items() if hit} == {"violence"}
    assert threat.category_scores["violence"] == 0.97
    assert kind.flagged is False
    assert kind.category_applied_input_types is not None
    assert kind.category_applied_input_types["violence"] == ["text"]


def test_models_list_and_retrieve(call: Call) -> None:
    """The catalogue lists every model; one retrieves with its owner and address."""
    listing = call(lambda c: c.models.list("openai"))
    assert listing.ids == list(MODELS)
    assert listing.data[0].address == "openai/gpt-4o"
    model = call(lambda c: c.models.retrieve("openai/whisper-1"))
    assert (model.id, model.owned_by, model.created, model.provider) == (
        "whisper-1",
        "openai-internal",
        1_700_000_000,
        "openai",
    )


def test_retrieving_an_unknown_model_raises_not_found(call: Call) -> None:
    """An id outside the catalogue is a NotFoundError with code model_not_found."""
    with pytest.raises(relaykit.NotFoundError) as caught:
        call(lambda c: c.models.retrieve("openai/no-such-model"))
    assert (caught.value.status, caught.value.code) == (404, "model_not_found")


# -- bookkeeping ----------------------------------------------------------------------------------


def test_each_call_sends_exactly_one_request_and_an_invalid_one_sends_none(
    call: Call, emu: OpenAIEmulator, tmp_path: Path
) -> None:
    """Every endpoint records one request per call; an unknown field is refused before sending."""
    recording = tmp_path / "hello.wav"
    recording.write_bytes(_silence_wav())
    calls: list[tuple[str, str, Callable[[Any], Any]]] = [
        ("POST", "/v1/chat/completions", lambda c: c.chat.completions.create(model=CHAT, messages=HELLO)),
        ("POST", "/v1/completions", lambda c: c.completions.create(model=INSTRUCT, prompt="x")),
        ("POST", "/v1/embeddings", lambda c: c.embeddings.create(model=EMBEDDER, input="x")),
        ("POST", "/v1/images/generations", lambda c: c.images.generate(model=DALL_E, prompt="x")),
        ("POST", "/v1/images/edits", lambda c: c.images.edit(model=DALL_E, image=SQUARE_PNG, prompt="x")),
        ("POST", "/v1/images/variations", lambda c: c.images.create_variation(model=DALL_E, image=SQUARE_PNG)),
        ("POST", "/v1/audio/speech", lambda c: c.audio.speech.create(model="openai/tts-1", input="x", voice="alloy")),
        ("POST", "/v1/audio/transcriptions", lambda c: c.audio.transcriptions.create(model=WHISPER, file=recording)),
        ("POST", "/v1/audio/translations", lambda c: c.audio.translations.create(model=WHISPER, file=recording)),
        ("POST", "/v1/moderations", lambda c: c.moderations.create(model="openai/omni-moderation-latest", input="x")),
        ("GET", "/v1/models", lambda c: c.models.list("openai")),
        ("GET", "/v1/models/gpt-4o", lambda c: c.models.retrieve("openai/gpt-4o")),
    ]
    for method, path, scenario in calls:
        before = len(emu.requests)
        call(scenario)
        assert [(r.method, r.path) for r in emu.requests[before:]] == [(method, path)]
    before = len(emu.requests)
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        call(lambda c: c.embeddings.create(model=EMBEDDER, input="x", colour="blue"))
    assert caught.value.field == "colour"
    assert len(emu.requests) == before
