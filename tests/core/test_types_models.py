"""ModelInfo / ModelList, and the validation of models.retrieve and models.list arguments."""

from __future__ import annotations

import pytest

import relaykit
from relaykit import ModelInfo, ModelList, ModelListRequest, ModelRetrieveRequest
from relaykit._types._base import validate_request


def test_model_info_address_joins_provider_and_id() -> None:
    """address is the provider/model string the other resources accept."""
    info = ModelInfo(id="ft:gpt-4o-mini:acme::x1", provider="openai")
    assert info.address == "openai/ft:gpt-4o-mini:acme::x1"
    assert (info.object, info.created, info.owned_by) == ("model", None, None)


def test_model_list_ids_keep_the_listed_order() -> None:
    """ids lists the vendor ids in order."""
    listing = ModelList(data=[ModelInfo(id="b"), ModelInfo(id="a")])
    assert listing.ids == ["b", "a"]


def test_retrieve_request_needs_a_model() -> None:
    """An empty model string is refused, naming model."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        validate_request(ModelRetrieveRequest, {"model": ""})
    assert caught.value.field == "model"


def test_list_request_provider_must_be_a_name() -> None:
    """A provider that is not a string is refused, naming provider."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        validate_request(ModelListRequest, {"provider": 3})
    assert caught.value.field == "provider"
