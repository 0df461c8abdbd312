"""Generate: the v2beta routes' multipart forms field by field, the answers, and legacy v1 JSON."""

from __future__ import annotations

import base64
from typing import Any

import pytest

import relaykit
from relaykit.plugin import FilePart, HttpRequest, run_to_completion
from relaykit_stability._generate import generate

from ._helpers import KEY, PNG, PNG_B64, context, image_answer, json_answer, request


def _generate(**fields: Any) -> relaykit.MediaGenerateRequest:
    return request(relaykit.MediaGenerateRequest, **fields)


def _first(req: relaykit.MediaGenerateRequest, model: str = "ultra", **ctx: Any) -> HttpRequest:
    effect = next(generate(req, context(model, **ctx)))
    assert isinstance(effect, HttpRequest)
    return effect


def test_ultra_text_to_image_is_a_multipart_form_without_files() -> None:
    """Every field is a text part; files=[] keeps the body multipart; Accept asks for bytes."""
    sent = _first(
        _generate(
            prompt="a lighthouse on a cliff",
            negative_prompt="blurry",
            aspect_ratio="16:9",
            seed=7,
            output_format="webp",
            style_preset="photographic",
        )
    )
    assert (sent.method, sent.url) == ("POST", "https://api.stability.ai/v2beta/stable-image/generate/ultra")
    assert sent.headers == {"accept": "image/*", "authorization": f"Bearer {KEY}"}
    assert sent.data == {
        "prompt": "a lighthouse on a cliff",
        "negative_prompt": "blurry",
        "aspect_ratio": "16:9",
        "output_format": "webp",
        "style_preset": "photographic",
        "seed": "7",
    }
    assert sent.files == []


def test_sd3_sends_the_model_and_image_to_image_mode() -> None:
    """The sd3 route carries the model id; an input image makes mode image-to-image with strength."""
    sent = _first(_generate(prompt="a fox", image=PNG, strength=0.35), "sd3.5-large-turbo")
    assert sent.url.endswith("/v2beta/stable-image/generate/sd3")
    assert sent.data == {"prompt": "a fox", "strength": "0.35", "model": "sd3.5-large-turbo", "mode": "image-to-image"}
    assert sent.files == [FilePart("image", "image.png", PNG, "image/png")]


def test_size_becomes_the_nearest_aspect_ratio_and_is_reported() -> None:
    """1920x1080 is sent as 16:9; the result says so; without either the default 1:1 is reported."""
    flow = generate(_generate(prompt="x", size="1920x1080"), context())
    assert next(flow).data["aspect_ratio"] == "16:9"  # type: ignore[union-attr]
    result = run_to_completion(generate(_generate(prompt="x", size="1920x1080"), context()), [image_answer()])
    assert result.aspect_ratio == "16:9"
    plain = run_to_completion(generate(_generate(prompt="x"), context("core")), [image_answer()])
    assert plain.aspect_ratio == "1:1"


def test_bytes_answers_read_finish_reason_and_seed_headers() -> None:
    """Raw bytes land in content with the MIME type; the headers give seed and the filter flag."""
    result = run_to_completion(
        generate(_generate(prompt="x"), context()), [image_answer(finish="CONTENT_FILTERED", seed="343940597")]
    )
    assert isinstance(result, relaykit.MediaResult)
    (image,) = result.images
    assert (image.content, image.mime_type, image.seed, image.content_filtered) == (PNG, "image/png", 343940597, True)
    assert result.content_filtered
    assert result.vendor_data["finish_reasons"] == ["CONTENT_FILTERED"]
    assert (result.kind, result.provider, result.model) == ("media.generate", "stability", "ultra")


def test_b64_json_asks_for_json_and_keeps_base64() -> None:
    """response_format b64_json sends Accept application/json and keeps the base64 as is."""
    req = _generate(prompt="x", response_format="b64_json", output_format="jpeg")
    assert _first(req).headers["accept"] == "application/json"
    answer = json_answer({"image": PNG_B64, "finish_reason": "SUCCESS", "seed": 1})
    result = run_to_completion(generate(req, context()), [answer])
    (image,) = result.images
    assert (image.b64_json, image.content, image.mime_type, image.seed) == (PNG_B64, None, "image/jpeg", 1)


def test_n_images_are_n_calls_with_consecutive_seeds() -> None:
    """Stability makes one image per call: n=3 with seed 10 sends seeds 10, 11, 12."""
    flow = generate(_generate(prompt="x", n=3, seed=10), context("core"))
    seeds = [flow.send(None if i == 0 else image_answer(seed=str(9 + i))).data["seed"] for i in range(3)]  # type: ignore[union-attr]
    assert seeds == ["10", "11", "12"]
    result = run_to_completion(generate(_generate(prompt="x", n=3), context("core")), [image_answer()] * 3)
    assert len(result.images) == 3


def test_provider_options_join_the_form_but_cannot_override_request_fields() -> None:
    """cfg_scale passes through; provider_options setting prompt is refused naming it."""
    sent = _first(_generate(prompt="x"), "sd3.5-medium", options={"cfg_scale": 4.5})
    assert sent.data["cfg_scale"] == "4.5"
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _first(_generate(prompt="x"), options={"prompt": "y"})
    assert caught.value.field == "provider_options.prompt"


@pytest.mark.parametrize(
    ("model", "fields", "field"),
    [
        ("core", {"image": PNG, "strength": 0.5}, "image"),
        ("ultra", {"image": PNG}, "strength"),
        ("ultra", {"image": [PNG, PNG], "strength": 0.5}, "image.1"),
        ("sd3.5-large", {"image": PNG, "strength": 0.5, "aspect_ratio": "1:1"}, "aspect_ratio"),
        ("ultra", {"aspect_ratio": "4:3"}, "aspect_ratio"),
        ("ultra", {"style_preset": "watercolour"}, "style_preset"),
        ("ultra", {"negative_prompt": "x" * 10_001}, "negative_prompt"),
        ("ultra-max", {}, "model"),
    ],
)
def test_stability_limits_are_checked_before_sending(model: str, fields: dict[str, Any], field: str) -> None:
    """Core without image input, strength, one image, SD3's ratio, presets, lengths, route names."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _first(_generate(prompt="x", **fields), model)
    assert caught.value.field == field


def test_an_error_answer_is_mapped() -> None:
    """A 403 content_moderation envelope raises ContentPolicyError carrying the code."""
    envelope = {"id": "ed14", "name": "content_moderation", "errors": ["flagged"]}
    with pytest.raises(relaykit.ContentPolicyError) as caught:
        run_to_completion(generate(_generate(prompt="x"), context()), [json_answer(envelope, 403)])
    assert (caught.value.code, caught.value.status, caught.value.message) == ("content_moderation", 403, "flagged")


# -- legacy v1 -------------------------------------------------------------------------------------

V1 = "stable-diffusion-xl-1024-v1-0"


def test_v1_sends_weighted_text_prompts_and_samples_as_json() -> None:
    """The negative prompt is a text prompt of weight -1; n is samples; size is width and height."""
    req = _generate(
        prompt="a lighthouse", negative_prompt="blurry", n=2, size="1024x1024", seed=5, style_preset="enhance"
    )
    sent = _first(req, V1, options={"cfg_scale": 7, "steps": 30, "sampler": "K_DPMPP_2M"})
    assert sent.url == f"https://api.stability.ai/v1/generation/{V1}/text-to-image"
    assert sent.headers["accept"] == "application/json"
    assert sent.json == {
        "text_prompts": [{"text": "a lighthouse", "weight": 1}, {"text": "blurry", "weight": -1}],
        "samples": 2,
        "width": 1024,
        "height": 1024,
        "seed": 5,
        "style_preset": "enhance",
        "cfg_scale": 7,
        "steps": 30,
        "sampler": "K_DPMPP_2M",
    }


@pytest.mark.parametrize("wrapped", [True, False], ids=["artifacts", "bare-array"])
def test_v1_artifacts_become_outputs(wrapped: bool) -> None:
    """Each artifact's base64, seed and finishReason map to an output (the spec's bare array too)."""
    artifacts = [
        {"base64": PNG_B64, "seed": 1050625087, "finishReason": "SUCCESS"},
        {"base64": PNG_B64, "seed": 1050625088, "finishReason": "CONTENT_FILTERED"},
    ]
    answer = json_answer({"artifacts": artifacts} if wrapped else artifacts)
    result = run_to_completion(generate(_generate(prompt="x", n=2), context(V1)), [answer])
    assert [(o.content, o.seed, o.content_filtered) for o in result.images] == [
        (PNG, 1050625087, False),
        (PNG, 1050625088, True),
    ]
    b64 = run_to_completion(generate(_generate(prompt="x", response_format="b64_json"), context(V1)), [answer])
    assert base64.b64decode(b64.images[0].b64_json or "") == PNG


def test_v1_error_artifact_and_error_envelope() -> None:
    """An ERROR artifact is a ServerError; v1's {id, name, message} envelope is read."""
    error_artifact = json_answer({"artifacts": [{"base64": PNG_B64, "seed": 1, "finishReason": "ERROR"}]})
    with pytest.raises(relaykit.ServerError):
        run_to_completion(generate(_generate(prompt="x"), context(V1)), [error_artifact])
    envelope = json_answer({"id": "1", "name": "invalid_samples", "message": "samples: must be 1 to 10"}, 400)
    with pytest.raises(relaykit.BadRequestError, match="samples: must be 1 to 10") as caught:
        run_to_completion(generate(_generate(prompt="x"), context(V1)), [envelope])
    assert caught.value.code == "invalid_samples"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"size": "1000x1000"}, "size"),
        ({"aspect_ratio": "1:1"}, "aspect_ratio"),
        ({"output_format": "jpeg"}, "output_format"),
    ],
)
def test_v1_refuses_what_the_engines_cannot_take(fields: dict[str, Any], field: str) -> None:
    """Sizes off the 64 grid, aspect ratios and non-PNG output are refused before sending."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _first(_generate(prompt="x", **fields), V1)
    assert caught.value.field == field
