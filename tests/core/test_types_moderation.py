"""ModerationRequest validation and the ModerationResponse shape."""

from __future__ import annotations

from typing import Any

import pytest

import relaykit
from relaykit import ModerationRequest, ModerationResponse
from relaykit._types._base import validate_request


def _field_of_error(**fields: Any) -> str | None:
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        validate_request(ModerationRequest, fields)
    return caught.value.field


@pytest.mark.parametrize(
    "value",
    [
        "I want to hurt them.",
        ["first", "second"],
        [{"type": "text", "text": "caption"}, {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}}],
    ],
)
def test_every_input_form_validates(value: Any) -> None:
    """A string, strings, or text and image_url parts are all inputs."""
    request = validate_request(ModerationRequest, {"input": value})
    assert request.model is None


def test_model_is_optional_and_kept_when_given() -> None:
    """model may be left out, or given as provider/model."""
    request = validate_request(ModerationRequest, {"input": "x", "model": "openai/omni-moderation-latest"})
    assert request.model == "openai/omni-moderation-latest"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"input": "x", "threshold": 0.5}, "threshold"),
        ({"input": 5}, "input"),
        ({"input": []}, "input"),
        ({"input": "x", "model": ""}, "model"),
        ({"input": [{"type": "image_url", "image_url": {"url": ""}}]}, "input.0.image_url.url"),
        ({"input": [{"type": "image_url", "image_url": {"url": "u", "detail": "low"}}]}, "input.0.image_url.detail"),
        ({"input": [{"type": "text"}]}, "input.0.text"),
        ({}, "input"),
    ],
)
def test_invalid_request_names_the_field(fields: dict[str, Any], field: str) -> None:
    """Unknown, ill-typed, empty or missing fields are refused, naming the dotted field."""
    assert _field_of_error(**fields) == field


def test_response_reports_any_flagged_result() -> None:
    """`flagged` is true when any result is; applied input types are lists per category."""
    response = ModerationResponse.model_validate(
        {
            "id": "modr-1",
            "model": "omni-moderation-latest",
            "results": [
                {"flagged": False, "categories": {"hate": False}, "category_scores": {"hate": 0.01}},
                {
                    "flagged": True,
                    "categories": {"violence": True},
                    "category_scores": {"violence": 0.95},
                    "category_applied_input_types": {"violence": ["text", "image"]},
                },
            ],
        }
    )
    assert response.flagged
    assert response.results[1].category_applied_input_types == {"violence": ["text", "image"]}
