"""Models: listing and retrieval, tolerant parsing, provider selection, and the public clients."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

import relaykit
from relaykit import ModelListRequest, ModelRetrieveRequest
from relaykit.plugin import CallContext, HttpRequest, HttpResponse, run_to_completion
from relaykit_openai._models import model_list, model_retrieve

from ...helpers import make_context
from ._clients import Recorder, async_client, json_reply, sync_client

LISTING = {
    "object": "list",
    "data": [
        {"id": "gpt-4o-mini", "object": "model", "created": 1721172741, "owned_by": "system"},
        {"id": "text-embedding-3-small", "object": "model", "created": 1705948997, "owned_by": "system"},
    ],
}
NO_SUCH_MODEL = {
    "error": {
        "message": "The model 'gpt-5-nope' does not exist",
        "type": "invalid_request_error",
        "param": "model",
        "code": "model_not_found",
    }
}
NO_ROUTE = {"error": {"message": "Not Found", "type": "invalid_request_error", "param": None, "code": None}}


def _ctx(model: str = "") -> CallContext:
    return dataclasses.replace(make_context(), model=model)


def _reply(payload: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        status=status, headers={"content-type": "application/json"}, content=json.dumps(payload).encode()
    )


def _list(payload: Any, status: int = 200) -> relaykit.ModelList:
    return run_to_completion(model_list(ModelListRequest(), _ctx()), [_reply(payload, status)])


def test_listing_parses_openais_shape() -> None:
    """The list answer becomes ModelInfo entries tagged with the provider."""
    listing = _list(LISTING)
    assert listing.ids == ["gpt-4o-mini", "text-embedding-3-small"]
    assert listing.data[0].created == 1721172741
    assert listing.data[0].owned_by == "system"
    assert listing.data[0].address == "openai/gpt-4o-mini"


@pytest.mark.parametrize(
    "payload",
    [
        [{"id": "llama3:8b"}, {"id": "qwen2:7b"}],
        {"models": [{"name": "llama3:8b"}, {"model": "qwen2:7b"}]},
        {"object": "list", "data": ["llama3:8b", "qwen2:7b"]},
    ],
    ids=["bare-array", "models-key-and-name", "plain-ids"],
)
def test_listing_tolerates_compatible_server_shapes(payload: Any) -> None:
    """Bare arrays, a models key, name/model for id and plain id strings are all read."""
    listing = _list(payload)
    assert listing.ids == ["llama3:8b", "qwen2:7b"]
    assert listing.data[0].created is None


def test_listing_keeps_unknown_keys_per_model() -> None:
    """Vendor keys of a model (vLLM's max_model_len) go to its vendor_data."""
    listing = _list({"data": [{"id": "m", "object": "model", "owned_by": "vllm", "max_model_len": 8192}]})
    assert listing.data[0].vendor_data == {"max_model_len": 8192}


@pytest.mark.parametrize("payload", [{"object": "list"}, {"data": [{"owned_by": "x"}]}, {"data": [3]}])
def test_unreadable_listing_is_a_response_format_error(payload: Any) -> None:
    """No list, or a model with no id, cannot be parsed."""
    with pytest.raises(relaykit.ResponseFormatError):
        _list(payload)


def test_server_without_the_route_raises_not_found_error() -> None:
    """Compatible servers that do not implement /models answer 404: NotFoundError."""
    with pytest.raises(relaykit.NotFoundError):
        _list(NO_ROUTE, status=404)


def test_retrieve_gets_one_model_by_its_quoted_id() -> None:
    """The vendor id goes in the path, quoted; the answer is one ModelInfo."""
    flow = model_retrieve(ModelRetrieveRequest(model="openai/ft:gpt-4o-mini:acme::x1"), _ctx("ft:gpt-4o-mini:acme::x1"))
    request = next(flow)
    assert isinstance(request, HttpRequest)
    assert (request.method, request.url) == ("GET", "https://api.openai.com/v1/models/ft:gpt-4o-mini:acme::x1")
    assert "content-type" not in request.headers
    flow = model_retrieve(ModelRetrieveRequest(model="vllm/meta-llama/Llama-3-8B"), _ctx("meta-llama/Llama-3-8B"))
    request = next(flow)
    assert isinstance(request, HttpRequest)
    assert request.url.endswith("/models/meta-llama%2FLlama-3-8B")


def test_retrieve_fills_a_missing_id_with_the_requested_one() -> None:
    """A model object without an id is the model that was asked for."""
    info = run_to_completion(
        model_retrieve(ModelRetrieveRequest(model="openai/gpt-4o"), _ctx("gpt-4o")), [_reply({"owned_by": "system"})]
    )
    assert (info.id, info.owned_by, info.provider) == ("gpt-4o", "system", "openai")


# Public clients ------------------------------------------------------------------------------


def test_sync_list_uses_the_named_provider() -> None:
    """client.models.list('openai') sends GET /models with the key and no body."""
    recorder = Recorder(json_reply(LISTING))
    with sync_client(recorder) as client:
        listing = client.models.list("openai")
    sent = recorder.requests[0]
    assert (sent.method, sent.url.path, sent.content) == ("GET", "/v1/models", b"")
    assert sent.headers["authorization"] == "Bearer sk-test-0123456789abcdef"
    assert listing.provider == "openai"
    assert listing.ids == ["gpt-4o-mini", "text-embedding-3-small"]


def test_sync_list_without_provider_uses_the_default_provider() -> None:
    """client.models.list() lists the configured default provider."""
    recorder = Recorder(json_reply(LISTING))
    with sync_client(recorder, default_provider="openai") as client:
        assert len(client.models.list().data) == 2


@pytest.mark.parametrize(
    ("provider", "options"), [("nonesuch", {}), (None, {})], ids=["unknown-provider", "no-default-provider"]
)
def test_list_with_no_usable_provider_names_the_provider_field(provider: str | None, options: Any) -> None:
    """An unknown provider, or none and no default, is an InvalidRequestError; nothing is sent."""
    recorder = Recorder(json_reply(LISTING))
    with sync_client(recorder, **options) as client, pytest.raises(relaykit.InvalidRequestError) as caught:
        client.models.list(provider)
    assert caught.value.field == "provider"
    assert recorder.requests == []


def test_sync_retrieve_and_404() -> None:
    """retrieve('provider/model') returns one model; an unknown id raises NotFoundError."""
    recorder = Recorder(
        lambda request: (
            json_reply(LISTING["data"][0])(request)
            if request.url.path.endswith("/gpt-4o-mini")
            else json_reply(NO_SUCH_MODEL, status=404)(request)
        )
    )
    with sync_client(recorder) as client:
        info = client.models.retrieve("openai/gpt-4o-mini")
        with pytest.raises(relaykit.NotFoundError) as caught:
            client.models.retrieve("openai/gpt-5-nope")
    assert info.address == "openai/gpt-4o-mini"
    assert caught.value.code == "model_not_found"
    assert [r.url.path for r in recorder.requests] == ["/v1/models/gpt-4o-mini", "/v1/models/gpt-5-nope"]


def test_retrieve_with_an_empty_model_sends_nothing() -> None:
    """An empty model string is an InvalidRequestError naming model; nothing is sent."""
    recorder = Recorder(json_reply(LISTING))
    with sync_client(recorder) as client, pytest.raises(relaykit.InvalidRequestError) as caught:
        client.models.retrieve("")
    assert caught.value.field == "model"
    assert recorder.requests == []


def test_compatible_server_without_models_route_raises_not_found() -> None:
    """An openai-compatible server answering 404 to /models raises NotFoundError."""
    recorder = Recorder(json_reply(NO_ROUTE, status=404))
    client = sync_client(
        recorder, providers={"local": {"kind": "openai-compatible", "base_url": "http://127.0.0.1:9/v1"}}
    )
    with client, pytest.raises(relaykit.NotFoundError):
        client.models.list("local")
    assert str(recorder.requests[0].url) == "http://127.0.0.1:9/v1/models"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_async_list_and_retrieve() -> None:
    """AsyncClient: list and retrieve answer like the sync client."""
    recorder = Recorder(
        lambda request: json_reply(LISTING if request.url.path == "/v1/models" else LISTING["data"][1])(request)
    )
    async with async_client(recorder, default_provider="openai") as client:
        listing = await client.models.list()
        info = await client.models.retrieve("openai/text-embedding-3-small")
    assert listing.ids == ["gpt-4o-mini", "text-embedding-3-small"]
    assert info.created == 1705948997


@pytest.mark.anyio
async def test_async_404_and_invalid_request() -> None:
    """Async: 404 raises NotFoundError; an unknown provider sends nothing."""
    recorder = Recorder(json_reply(NO_SUCH_MODEL, status=404))
    async with async_client(recorder) as client:
        with pytest.raises(relaykit.NotFoundError):
            await client.models.retrieve("openai/gpt-5-nope")
        with pytest.raises(relaykit.InvalidRequestError):
            await client.models.list("nonesuch")
    assert len(recorder.requests) == 1
