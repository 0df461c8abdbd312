"""Moderation: the wire body, the answer, the default model and provider, and the public clients."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

import relaykit
from relaykit import ModerationRequest
from relaykit._types._base import validate_request
from relaykit.plugin import CallContext, HttpResponse, run_to_completion
from relaykit_openai._moderations import build_moderation_body, moderation

from ...helpers import make_context
from ._clients import MODEL_NOT_FOUND, Recorder, async_client, json_reply, sync_client

CATEGORIES = ["harassment", "harassment/threatening", "hate", "self-harm/intent", "violence", "violence/graphic"]


def _result(flagged: bool, **scores: float) -> dict[str, Any]:
    names = {name.replace("/", "_").replace("-", "_"): name for name in CATEGORIES}
    score_of = {names[key]: value for key, value in scores.items()}
    return {
        "flagged": flagged,
        "categories": {name: score_of.get(name, 0.0) > 0.5 for name in CATEGORIES},
        "category_scores": {name: score_of.get(name, 0.0001) for name in CATEGORIES},
        "category_applied_input_types": {name: ["text"] for name in CATEGORIES},
    }


ANSWER = {
    "id": "modr-4821",
    "model": "omni-moderation-2024-09-26",
    "results": [_result(True, violence=0.953, harassment_threatening=0.61), _result(False)],
}


def _ctx(model: str = "omni-moderation-latest", **options: Any) -> CallContext:
    return dataclasses.replace(make_context(options=options), model=model)


def _request(**fields: Any) -> ModerationRequest:
    return validate_request(ModerationRequest, {"input": "I want to kill them.", **fields})


def _reply(payload: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        status=status, headers={"content-type": "application/json"}, content=json.dumps(payload).encode()
    )


def test_body_sends_the_vendor_model_and_input_parts() -> None:
    """Text and image parts are sent as given, with the vendor model id."""
    parts = [{"type": "text", "text": "看这个"}, {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}}]
    assert build_moderation_body(_request(input=parts), _ctx("text-moderation-stable")) == {
        "model": "text-moderation-stable",
        "input": parts,
    }


def test_body_without_a_model_uses_openais_default() -> None:
    """A default-provider call (no model) is sent as omni-moderation-latest."""
    assert build_moderation_body(_request(), _ctx(""))["model"] == "omni-moderation-latest"


def test_provider_options_may_not_replace_the_input() -> None:
    """Vendor extras cannot set input."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        build_moderation_body(_request(), _ctx(input="other"))
    assert caught.value.field == "provider_options.input"


def test_answer_parses_one_result_per_input() -> None:
    """Categories, scores and applied input types are parsed per input."""
    result = run_to_completion(moderation(_request(input=["a", "b"]), _ctx()), [_reply(ANSWER)])
    assert result.flagged
    assert [r.flagged for r in result.results] == [True, False]
    assert result.results[0].categories["violence"] is True
    assert result.results[0].category_scores["harassment/threatening"] == pytest.approx(0.61)
    assert result.results[0].category_applied_input_types == {name: ["text"] for name in CATEGORIES}
    assert (result.id, result.model, result.provider) == ("modr-4821", "omni-moderation-2024-09-26", "openai")


def test_answer_without_results_is_a_response_format_error() -> None:
    """A 200 without a results list cannot be parsed."""
    with pytest.raises(relaykit.ResponseFormatError, match="results"):
        run_to_completion(moderation(_request(), _ctx()), [_reply({"id": "modr-1", "model": "m"})])


def test_404_model_not_found_raises_not_found_error() -> None:
    """An unknown moderation model maps to NotFoundError."""
    with pytest.raises(relaykit.NotFoundError):
        run_to_completion(moderation(_request(), _ctx("nonexistent")), [_reply(MODEL_NOT_FOUND, status=404)])


# Public clients ------------------------------------------------------------------------------


def test_sync_client_sends_the_body_and_parses_the_answer() -> None:
    """client.moderations.create posts to /moderations and returns a ModerationResponse."""
    recorder = Recorder(json_reply(ANSWER))
    with sync_client(recorder) as client:
        result = client.moderations.create(model="openai/omni-moderation-latest", input=["a", "b"])
    assert recorder.requests[0].url.path == "/v1/moderations"
    assert recorder.body == {"model": "omni-moderation-latest", "input": ["a", "b"]}
    assert isinstance(result, relaykit.ModerationResponse)
    assert result.results[0].flagged


def test_sync_client_without_model_uses_the_default_provider() -> None:
    """No model: the default provider answers with its default moderation model."""
    recorder = Recorder(json_reply(ANSWER))
    with sync_client(recorder, default_provider="openai") as client:
        client.moderations.create(input="I want to kill them.")
    assert recorder.body == {"model": "omni-moderation-latest", "input": "I want to kill them."}


def test_no_model_and_no_default_provider_is_an_invalid_request_naming_model() -> None:
    """Without a model or a default provider nothing can be chosen: InvalidRequestError, nothing sent."""
    recorder = Recorder(json_reply(ANSWER))
    with sync_client(recorder) as client, pytest.raises(relaykit.InvalidRequestError) as caught:
        client.moderations.create(input="x")
    assert caught.value.field == "model"
    assert recorder.requests == []


def test_sync_404_raises_not_found_error() -> None:
    """A 404 model_not_found answer raises NotFoundError."""
    client = sync_client(Recorder(json_reply(MODEL_NOT_FOUND, status=404)))
    with client, pytest.raises(relaykit.NotFoundError) as caught:
        client.moderations.create(model="openai/nonexistent", input="x")
    assert caught.value.status == 404


def test_invalid_request_sends_nothing() -> None:
    """A malformed image part raises InvalidRequestError naming it, and nothing is sent."""
    recorder = Recorder(json_reply(ANSWER))
    with sync_client(recorder) as client, pytest.raises(relaykit.InvalidRequestError) as caught:
        client.moderations.create(model="openai/omni-moderation-latest", input=[{"type": "image_url", "image_url": {}}])
    assert caught.value.field == "input.0.image_url.url"
    assert recorder.requests == []


def test_chat_model_cannot_moderate_when_narrowed_out() -> None:
    """A model narrowed to another capability is refused before sending."""
    recorder = Recorder(json_reply(ANSWER))
    with sync_client(recorder) as client, pytest.raises(relaykit.UnsupportedCapabilityError):
        client.moderations.create(model="openai/text-embedding-3-small", input="x")
    assert recorder.requests == []


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_async_client_moderates_with_the_default_provider() -> None:
    """AsyncClient: same body and answer, default provider included."""
    recorder = Recorder(json_reply(ANSWER))
    async with async_client(recorder, default_provider="openai") as client:
        result = await client.moderations.create(input=["a", "b"])
    assert recorder.body == {"model": "omni-moderation-latest", "input": ["a", "b"]}
    assert result.flagged


@pytest.mark.anyio
async def test_async_404_and_invalid_request() -> None:
    """Async: 404 raises NotFoundError; an invalid request sends nothing."""
    recorder = Recorder(json_reply(MODEL_NOT_FOUND, status=404))
    async with async_client(recorder) as client:
        with pytest.raises(relaykit.NotFoundError):
            await client.moderations.create(model="openai/nonexistent", input="x")
        with pytest.raises(relaykit.InvalidRequestError):
            await client.moderations.create(model="openai/omni-moderation-latest", input=[])
    assert len(recorder.requests) == 1
