"""OpenAI images: request translation (JSON and multipart), response parsing, errors, and the client."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

import relaykit
from relaykit._types._base import validate_request
from relaykit.plugin import CallContext, HttpRequest, HttpResponse, run_to_completion
from relaykit_openai._images import edit, generate, parse_images, variation

from ...helpers import make_context
from .multipart import read_multipart, text_fields

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
MASK = b"\x89PNG\r\n\x1a\n" + b"\x00\xff" * 32
B64 = base64.b64encode(PNG).decode()

URL_ANSWER: dict[str, Any] = {
    "created": 1718000000,
    "data": [{"url": "https://oaidalleapiprodscus.blob.core.windows.net/private/img-1.png", "revised_prompt": "A cat"}],
}
GPT_IMAGE_ANSWER: dict[str, Any] = {
    "created": 1718000001,
    "background": "opaque",
    "output_format": "png",
    "size": "1024x1024",
    "quality": "high",
    "data": [{"b64_json": B64}],
    "usage": {
        "input_tokens": 50,
        "output_tokens": 4160,
        "total_tokens": 4210,
        "input_tokens_details": {"text_tokens": 10, "image_tokens": 40},
    },
    "moderation_hint": "kept",
}


def _ctx(model: str = "gpt-image-1", **kwargs: Any) -> CallContext:
    return dataclasses.replace(make_context(**kwargs), model=model)


def _json(status: int, body: Any, **headers: str) -> HttpResponse:
    return HttpResponse(
        status=status, headers={"content-type": "application/json", **headers}, content=json.dumps(body).encode()
    )


def _first_request(flow: Any) -> HttpRequest:
    request = next(flow)
    assert isinstance(request, HttpRequest)
    return request


def _generate(**params: Any) -> relaykit.ImageGenerateRequest:
    return validate_request(relaykit.ImageGenerateRequest, {"model": "openai/dall-e-3", "prompt": "a cat", **params})


def _edit(**params: Any) -> relaykit.ImageEditRequest:
    values = {"model": "openai/gpt-image-1", "prompt": "add a hat", "image": PNG, **params}
    return validate_request(relaykit.ImageEditRequest, values)


# --- request translation -------------------------------------------------------------------------


def test_generate_posts_json_with_the_vendor_model_id_and_only_set_fields() -> None:
    """Generation is a JSON POST; the provider prefix is gone and unset fields are not sent."""
    request = _first_request(generate(_generate(n=1, size="1024x1792", style="natural"), _ctx("dall-e-3")))
    assert request.method == "POST"
    assert request.url == "https://api.openai.com/v1/images/generations"
    assert request.json == {"model": "dall-e-3", "prompt": "a cat", "n": 1, "size": "1024x1792", "style": "natural"}
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == "Bearer sk-test-0123456789abcdef"


def test_provider_options_join_the_generation_body() -> None:
    """`provider_options` for this provider become extra body fields."""
    ctx = _ctx(options={"partial_images_hint": 0, "safety_identifier": "u-1"})
    body = _first_request(generate(_generate(), ctx)).json
    assert body["safety_identifier"] == "u-1"
    assert body["partial_images_hint"] == 0


@pytest.mark.parametrize("option", ["model", "prompt", "stream"])
def test_provider_options_may_not_override_or_stream_a_generation(option: str) -> None:
    """Options cannot replace request fields nor switch on streaming (not decoded here)."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        next(generate(_generate(), _ctx(options={option: True})))
    assert caught.value.field == f"provider_options.{option}"


def test_edit_with_one_image_sends_an_image_part_and_text_fields() -> None:
    """One image goes up as the `image` part; the other fields are multipart text fields."""
    request = _first_request(edit(_edit(n=2, size="1024x1024", output_format="webp", output_compression=70), _ctx()))
    assert request.url == "https://api.openai.com/v1/images/edits"
    assert request.json is None
    assert "content-type" not in request.headers
    assert request.data == {
        "model": "gpt-image-1",
        "prompt": "add a hat",
        "n": "2",
        "size": "1024x1024",
        "output_format": "webp",
        "output_compression": "70",
    }
    assert request.files is not None
    [part] = request.files
    assert (part.field, part.filename, part.content_type, part.content) == ("image", "image.png", "image/png", PNG)


def test_edit_with_several_images_sends_repeated_image_array_parts_and_the_mask() -> None:
    """Several images go up as repeated `image[]` parts (GPT image models), then the mask."""
    images = [("a.png", PNG), ("b.png", PNG + b"2")]
    request = _first_request(edit(_edit(image=images, mask=("mask.png", MASK)), _ctx()))
    assert request.files is not None
    assert [(p.field, p.filename) for p in request.files] == [
        ("image[]", "a.png"),
        ("image[]", "b.png"),
        ("mask", "mask.png"),
    ]
    assert request.files[2].content == MASK


def test_variation_sends_the_image_part_and_fields() -> None:
    """A variation uploads the image with `n`, `size` and `response_format` as text fields."""
    params = {"model": "openai/dall-e-2", "image": PNG, "n": 3, "size": "512x512", "response_format": "b64_json"}
    request = _first_request(variation(validate_request(relaykit.ImageVariationRequest, params), _ctx("dall-e-2")))
    assert request.url == "https://api.openai.com/v1/images/variations"
    assert request.data == {"model": "dall-e-2", "n": "3", "size": "512x512", "response_format": "b64_json"}
    assert request.files is not None
    assert [p.field for p in request.files] == ["image"]


# --- response parsing ----------------------------------------------------------------------------


def test_url_answer_parses_with_revised_prompt() -> None:
    """A DALL-E answer with URLs and revised prompts parses; provider and request id are set."""
    result = run_to_completion(
        generate(_generate(), _ctx("dall-e-3")), [_json(200, URL_ANSWER, **{"x-request-id": "req_1"})]
    )
    assert result.created == 1718000000
    assert result.data[0].url == URL_ANSWER["data"][0]["url"]
    assert result.data[0].revised_prompt == "A cat"
    assert (result.provider, result.request_id) == ("openai", "req_1")


def test_gpt_image_answer_keeps_usage_format_and_unknown_keys() -> None:
    """Base64 images decode; usage and output details are typed; unknown keys land in vendor_data."""
    result = parse_images(_json(200, GPT_IMAGE_ANSWER), _ctx())
    assert result.data[0].to_bytes() == PNG
    assert result.to_bytes() == [PNG]
    assert result.usage is not None
    assert (result.usage.output_tokens, result.usage.input_tokens_details) == (
        4160,
        {"text_tokens": 10, "image_tokens": 40},
    )
    assert (result.output_format, result.size, result.quality, result.background) == (
        "png",
        "1024x1024",
        "high",
        "opaque",
    )
    assert result.vendor_data == {"moderation_hint": "kept"}


def test_empty_strings_from_relays_read_as_absent() -> None:
    """A relay's `"url": ""` next to base64 data is treated as no URL."""
    result = parse_images(
        _json(200, {"created": 1, "data": [{"url": "", "b64_json": B64, "revised_prompt": ""}]}), _ctx()
    )
    assert (result.data[0].url, result.data[0].revised_prompt) == (None, None)


@pytest.mark.parametrize(
    "body",
    [
        {"created": 1},
        {"created": 1, "data": "x"},
        {"created": 1, "data": [{"revised_prompt": "p"}]},
        {"created": 1, "data": [3]},
    ],
)
def test_answers_without_usable_images_are_format_errors(body: dict[str, Any]) -> None:
    """No data list, or an item with neither url nor b64_json, is a ResponseFormatError."""
    with pytest.raises(relaykit.ResponseFormatError):
        parse_images(_json(200, body), _ctx())


def test_content_policy_rejection_maps_to_content_policy_error() -> None:
    """OpenAI's 400 `content_policy_violation` becomes ContentPolicyError with its code."""
    error_body = {
        "error": {
            "message": "Your request was rejected as a result of our safety system.",
            "type": "invalid_request_error",
            "param": None,
            "code": "content_policy_violation",
        }
    }
    with pytest.raises(relaykit.ContentPolicyError) as caught:
        run_to_completion(generate(_generate(), _ctx()), [_json(400, error_body)])
    assert (caught.value.status, caught.value.code) == (400, "content_policy_violation")


def test_error_envelope_inside_a_200_is_raised() -> None:
    """A relay's error envelope with status 200 is an error, not an empty answer."""
    with pytest.raises(relaykit.APIStatusError, match="upstream failed"):
        parse_images(_json(200, {"error": {"message": "upstream failed", "type": "new_api_error"}}), _ctx())


# --- the public client ---------------------------------------------------------------------------

Handler = Callable[[httpx2.Request], httpx2.Response]


def _client(handler: Handler) -> relaykit.Client:
    return relaykit.Client(
        providers={"openai": {"api_key": "sk-test"}}, http_client=httpx2.Client(transport=httpx2.MockTransport(handler))
    )


def _async_client(handler: Handler) -> relaykit.AsyncClient:
    return relaykit.AsyncClient(
        providers={"openai": {"api_key": "sk-test"}},
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(handler)),
    )


class EditServer:
    """Records what an images/edits request carried and answers with one base64 image."""

    def __init__(self) -> None:
        self.seen: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.seen.append(request)
        return httpx2.Response(200, json=GPT_IMAGE_ANSWER)

    def check(self) -> None:
        [request] = self.seen
        assert request.url.path == "/v1/images/edits"
        assert request.headers["authorization"] == "Bearer sk-test"
        parts = read_multipart(request)
        assert text_fields(parts) == {"model": "gpt-image-1", "prompt": "把帽子改成红色", "quality": "low"}
        files = [(p.name, p.filename, p.content_type, p.content) for p in parts if p.filename]
        assert files == [
            ("image[]", "otter.png", "image/png", PNG),
            ("image[]", "image.png", "image/png", PNG),
            ("mask", "mask.png", "image/png", MASK),
        ]


def _edit_params(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "otter.png"
    path.write_bytes(PNG)
    return {
        "model": "openai/gpt-image-1",
        "prompt": "把帽子改成红色",
        "image": [path, PNG],
        "mask": ("mask.png", MASK),
        "quality": "low",
    }


def test_client_generate_sends_json_and_returns_typed_images() -> None:
    """`client.images.generate` posts JSON and returns an ImagesResponse."""
    seen: list[dict[str, Any]] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(json.loads(request.read()))
        return httpx2.Response(200, json=URL_ANSWER)

    with _client(handler) as client:
        result = client.images.generate(model="openai/dall-e-3", prompt="a cat", quality="hd")
    assert seen == [{"model": "dall-e-3", "prompt": "a cat", "quality": "hd"}]
    assert isinstance(result, relaykit.ImagesResponse)
    assert result.data[0].revised_prompt == "A cat"


def test_client_edit_uploads_every_part_as_multipart(tmp_path: Path) -> None:
    """`client.images.edit` sends paths, bytes and the mask as real multipart parts."""
    server = EditServer()
    with _client(server) as client:
        result = client.images.edit(**_edit_params(tmp_path))
    server.check()
    assert result.data[0].to_bytes() == PNG


def test_client_create_variation_uploads_one_image() -> None:
    """`client.images.create_variation` sends the single `image` part."""
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json=URL_ANSWER)

    with _client(handler) as client:
        client.images.create_variation(model="openai/dall-e-2", image=("v.png", PNG), n=2)
    parts = read_multipart(seen[0])
    assert seen[0].url.path == "/v1/images/variations"
    assert text_fields(parts) == {"model": "dall-e-2", "n": "2"}
    assert [(p.name, p.filename, p.content) for p in parts if p.filename] == [("image", "v.png", PNG)]


def test_client_rate_limit_carries_retry_after() -> None:
    """A 429 with Retry-After becomes RateLimitError with retry_after in seconds."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        body = {
            "error": {"message": "Rate limit reached for images", "type": "requests", "code": "rate_limit_exceeded"}
        }
        return httpx2.Response(429, json=body, headers={"retry-after": "7", "x-request-id": "req_429"})

    with _client(handler) as client, pytest.raises(relaykit.RateLimitError) as caught:
        client.images.generate(model="openai/dall-e-3", prompt="a cat")
    assert (caught.value.retry_after, caught.value.request_id, caught.value.status) == (7.0, "req_429", 429)


def test_invalid_requests_send_nothing(tmp_path: Path) -> None:
    """A missing file, a bad field or a model without image capability never reaches the network."""
    calls: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        return httpx2.Response(200, json=URL_ANSWER)

    with _client(handler) as client:
        with pytest.raises(relaykit.InvalidRequestError) as caught:
            client.images.edit(model="openai/gpt-image-1", prompt="p", image=tmp_path / "missing.png")
        assert caught.value.field == "image"
        with pytest.raises(relaykit.InvalidRequestError):
            client.images.generate(model="openai/dall-e-3", prompt="p", n=0)
        with pytest.raises(relaykit.UnsupportedCapabilityError):
            client.images.generate(model="openai/text-embedding-3-small", prompt="p")
    assert calls == []


@pytest.mark.anyio
async def test_async_client_edit_uploads_the_same_parts(tmp_path: Path) -> None:
    """AsyncClient sends the same multipart body and returns the same result."""
    server = EditServer()
    async with _async_client(server) as client:
        result = await client.images.edit(**_edit_params(tmp_path))
    server.check()
    assert result.usage is not None
    assert result.usage.total_tokens == 4210


@pytest.mark.anyio
async def test_async_client_generate_and_variation_match_sync() -> None:
    """AsyncClient generation and variation parse like the sync client."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json=URL_ANSWER)

    async with _async_client(handler) as client:
        generated = await client.images.generate(model="openai/dall-e-3", prompt="a cat")
        varied = await client.images.create_variation(model="openai/dall-e-2", image=PNG)
    assert generated.data == varied.data
    assert generated.data[0].revised_prompt == "A cat"


@pytest.mark.anyio
async def test_async_client_errors_and_invalid_requests(tmp_path: Path) -> None:
    """AsyncClient maps a 429 with Retry-After, and sends nothing for a missing file."""
    calls: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        return httpx2.Response(
            429, json={"error": {"message": "slow down", "type": "requests"}}, headers={"retry-after": "3"}
        )

    async with _async_client(handler) as client:
        with pytest.raises(relaykit.InvalidRequestError) as caught:
            await client.images.create_variation(model="openai/dall-e-2", image=str(tmp_path / "gone.png"))
        assert caught.value.field == "image"
        assert calls == []
        with pytest.raises(relaykit.RateLimitError) as limited:
            await client.images.generate(model="openai/dall-e-3", prompt="a cat")
    assert limited.value.retry_after == 3.0
    assert len(calls) == 1
