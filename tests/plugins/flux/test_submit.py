"""Pure translation tests of the Flux submit flows: bodies field by field, sizes, images, refusals."""

from __future__ import annotations

from typing import Any

import pytest
import structlog

import relaykit
from relaykit import InvalidRequestError, MediaEditRequest, MediaGenerateRequest, Task
from relaykit.plugin import Capability, HttpRequest
from relaykit_flux import FLUX
from relaykit_flux._submit import edit, generate

from ._helpers import JOB, KEY, PNG, PNG_B64, POLLING_URL, context, drive, json_answer, request, submitted


def _generate(
    model: str, answers: int = 1, *, options: dict[str, Any] | None = None, **fields: Any
) -> tuple[Task, list[HttpRequest]]:
    req = request(MediaGenerateRequest, model=f"flux/{model}", **fields)
    jobs = [submitted(f"{JOB[:-1]}{index}", f"{POLLING_URL[:-1]}{index}", cost=4.0) for index in range(answers)]
    return drive(generate(req, context(model, options=options)), jobs)


def _edit(model: str, **fields: Any) -> tuple[Task, list[HttpRequest]]:
    req = request(MediaEditRequest, model=f"flux/{model}", **fields)
    return drive(edit(req, context(model)), [submitted()])


def test_pro_1_1_body_carries_prompt_size_seed_and_format() -> None:
    """FLUX1.1 [pro]: JSON to /v1/flux-pro-1.1 with x-key; the answer becomes a queued task."""
    task, (sent,) = _generate(
        "flux-pro-1.1", prompt="isometric tiny city at dusk", size="1024x768", seed=42, output_format="png"
    )
    assert (sent.method, sent.url) == ("POST", "https://api.bfl.ai/v1/flux-pro-1.1")
    assert sent.headers == {"accept": "application/json", "x-key": KEY}
    assert sent.json == {
        "prompt": "isometric tiny city at dusk",
        "output_format": "png",
        "width": 1024,
        "height": 768,
        "seed": 42,
    }
    assert (task.provider, task.id, task.kind, task.status, task.model) == (
        "flux",
        JOB[:-1] + "0",
        "media.generate",
        "queued",
        "flux-pro-1.1",
    )
    assert task.poll_after == 1.0
    assert task.created_at is not None
    assert task.vendor_data == {
        "jobs": [{"id": JOB[:-1] + "0", "polling_url": POLLING_URL[:-1] + "0", "seed": 42, "cost": 4.0}],
        "output_format": "png",
        "aspect_ratio": None,
        "cost": 4.0,
        "width": 1024,
        "height": 768,
    }
    assert Task.from_json(task.to_json()) == task


def test_without_size_or_format_only_the_prompt_is_sent() -> None:
    """Unset fields are left to BFL's defaults (1024x768, jpeg); jpeg is assumed for the result."""
    task, (sent,) = _generate("flux-dev", prompt="a fox")
    assert sent.json == {"prompt": "a fox"}
    assert task.vendor_data["output_format"] == "jpeg"
    assert "width" not in task.vendor_data


def test_a_size_outside_flux1_limits_is_scaled_and_snapped_with_a_notice() -> None:
    """1920x1080 keeps its shape within 1440 px, sides in multiples of 32, and the change is logged."""
    with structlog.testing.capture_logs() as logs:
        _, (sent,) = _generate("flux-pro", prompt="a fox", size="1920x1080")
    assert (sent.json["width"], sent.json["height"]) == (1440, 800)
    (notice,) = logs
    assert (notice["event"], notice["field"], notice["action"]) == ("relaykit.request.adjusted", "size", "snapped")
    assert (notice["requested"], notice["sent"], notice["provider"]) == ("1920x1080", "1440x800", "flux")


@pytest.mark.parametrize(
    ("model", "size", "expected"),
    [
        ("flux-pro-1.1", "100x100", (256, 256)),
        ("flux-pro-1.1", "1000x700", (992, 704)),
        ("flux-2-pro", "1000x700", (1008, 704)),
        ("flux-2-pro", "4000x3000", (2352, 1776)),
        ("flux-2-flex", "40x40", (64, 64)),
        ("flux-2-klein-4b", "1024x1024", (1024, 1024)),
    ],
)
def test_sizes_fit_each_family(model: str, size: str, expected: tuple[int, int]) -> None:
    """FLUX 1.x: 256-1440 in 32s; FLUX.2: multiples of 16, at least 64, at most 4 MP."""
    _, (sent,) = _generate(model, prompt="a fox", size=size)
    assert (sent.json["width"], sent.json["height"]) == expected


def test_an_aspect_ratio_becomes_about_one_megapixel_for_pixel_models() -> None:
    """16:9 on a width/height model is sent as the nearest fitting size of that shape."""
    with structlog.testing.capture_logs() as logs:
        task, (sent,) = _generate("flux-pro-1.1", prompt="a fox", aspect_ratio="16:9")
    assert (sent.json["width"], sent.json["height"]) == (1376, 768)
    assert "aspect_ratio" not in sent.json
    assert task.vendor_data["aspect_ratio"] is None
    assert logs[0]["action"] == "converted"


def test_ultra_takes_the_nearest_ratio_and_reports_it() -> None:
    """A size becomes the nearest common ratio; without one, ultra's default 16:9 is reported."""
    task, (sent,) = _generate("flux-pro-1.1-ultra", prompt="a fox", size="1000x1300")
    assert sent.json == {"prompt": "a fox", "aspect_ratio": "3:4"}
    assert task.vendor_data["aspect_ratio"] == "3:4"
    default, (sent,) = _generate("flux-pro-1.1-ultra", prompt="a fox")
    assert "aspect_ratio" not in sent.json
    assert default.vendor_data["aspect_ratio"] == "16:9"


def test_any_ratio_within_21_9_and_9_21_is_sent_as_given() -> None:
    """BFL takes any ratio in the range; one outside is refused naming aspect_ratio."""
    _, (sent,) = _generate("flux-kontext-pro", prompt="a fox", aspect_ratio="7:5")
    assert sent.json["aspect_ratio"] == "7:5"
    with pytest.raises(InvalidRequestError) as caught:
        _generate("flux-kontext-pro", prompt="a fox", aspect_ratio="3:1")
    assert caught.value.field == "aspect_ratio"


def test_kontext_sends_input_images_as_base64_or_urls() -> None:
    """Bytes go as raw base64 (no data-URI prefix); URLs are passed for BFL to fetch."""
    task, (sent,) = _generate("flux-kontext-max", prompt="make it snowy", image=[PNG, "https://cdn.example/b.png"])
    assert sent.url == "https://api.bfl.ai/v1/flux-kontext-max"
    assert sent.json == {
        "prompt": "make it snowy",
        "input_image": PNG_B64,
        "input_image_2": "https://cdn.example/b.png",
    }
    assert task.vendor_data["aspect_ratio"] is None  # Kontext keeps the input image's shape


def test_kontext_without_an_image_reports_a_square() -> None:
    """Kontext text-to-image defaults to 1:1, which the task reports."""
    task, _ = _generate("flux-kontext-pro", prompt="a fox")
    assert task.vendor_data["aspect_ratio"] == "1:1"


def test_flux2_takes_eight_input_images_and_klein_four() -> None:
    """FLUX.2 pro: input_image..input_image_8; klein refuses a fifth, naming it."""
    _, (sent,) = _generate("flux-2-pro", prompt="a collage", image=[PNG] * 8)
    assert sorted(sent.json) == sorted(["prompt", "input_image", *(f"input_image_{i}" for i in range(2, 9))])
    with pytest.raises(InvalidRequestError) as caught:
        _generate("flux-2-klein-9b", prompt="a collage", image=[PNG] * 5)
    assert caught.value.field == "image.4"


def test_ultra_sends_the_image_prompt_and_strength_as_its_complement() -> None:
    """strength (how far to move away) becomes image_prompt_strength (how much the image weighs)."""
    _, (sent,) = _generate("flux-pro-1.1-ultra", prompt="a fox", image=PNG, strength=0.25)
    assert sent.json == {"prompt": "a fox", "image_prompt": PNG_B64, "image_prompt_strength": 0.75}


def test_pro_models_take_one_image_prompt_without_strength() -> None:
    """FLUX1.1 [pro] remixes one image; strength and a second image are refused."""
    _, (sent,) = _generate("flux-pro-1.1", prompt="a fox", image=PNG)
    assert sent.json == {"prompt": "a fox", "image_prompt": PNG_B64}
    for fields, field in (({"strength": 0.5}, "strength"), ({"image": [PNG, PNG]}, "image.1")):
        with pytest.raises(InvalidRequestError) as caught:
            _generate("flux-pro-1.1", prompt="a fox", **{"image": PNG, **fields})
        assert caught.value.field == field


def test_a_url_for_a_base64_only_model_is_refused_when_the_flow_is_driven_directly() -> None:
    """Core downloads URLs for models without media.url_input; a plugin never fetches one itself."""
    with pytest.raises(InvalidRequestError) as caught:
        _generate("flux-dev", prompt="a fox", image="https://cdn.example/a.png")
    assert caught.value.field == "image"


def test_negative_prompt_is_dropped_with_a_notice() -> None:
    """BFL has no negative prompt: it is left out and a relaykit.request.adjusted event says so."""
    with structlog.testing.capture_logs() as logs:
        _, (sent,) = _generate("flux-pro-1.1", prompt="a fox", negative_prompt="blurry")
    assert sent.json == {"prompt": "a fox"}
    assert [(log["event"], log["field"], log["action"]) for log in logs] == [
        ("relaykit.request.adjusted", "negative_prompt", "dropped")
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"style_preset": "anime"}, "style_preset"), ({"output_format": "webp"}, "output_format")],
)
def test_what_bfl_cannot_honour_is_refused_before_sending(fields: dict[str, Any], field: str) -> None:
    """Style presets and WEBP output are refused naming the field; nothing is yielded."""
    req = request(MediaGenerateRequest, prompt="a fox", **fields)
    with pytest.raises(InvalidRequestError) as caught:
        next(generate(req, context()))
    assert caught.value.field == field


def test_n_images_are_n_submissions_with_consecutive_seeds_in_one_task() -> None:
    """n=3 posts three jobs (seeds wrap at 2**32); the task is the first job's id and lists all three."""
    task, sent = _generate("flux-pro-1.1", 3, prompt="a fox", n=3, seed=4_294_967_295)
    assert [request.json["seed"] for request in sent] == [4_294_967_295, 0, 1]
    assert [job["id"] for job in task.vendor_data["jobs"]] == [JOB[:-1] + str(i) for i in range(3)]
    assert task.id == JOB[:-1] + "0"
    assert task.vendor_data["cost"] == 12.0


def test_a_null_cost_is_not_counted() -> None:
    """flux-kontext-max answers cost null: the job keeps it, the task sums none."""
    req = request(MediaGenerateRequest, model="flux/flux-kontext-max", prompt="a fox")
    task, _ = drive(
        generate(req, context("flux-kontext-max")), [json_answer({"id": JOB, "polling_url": POLLING_URL, "cost": None})]
    )
    assert task.vendor_data["jobs"][0]["cost"] is None
    assert "cost" not in task.vendor_data


def test_provider_options_add_fields_and_clamp_safety_tolerance() -> None:
    """Extra BFL fields are merged; safety_tolerance beyond the family's top is clamped and logged."""
    options = {"safety_tolerance": 9, "prompt_upsampling": True, "raw": True}
    with structlog.testing.capture_logs() as logs:
        _, (sent,) = _generate("flux-pro-1.1-ultra", prompt="a fox", options=options)
    assert sent.json == {"prompt": "a fox", "safety_tolerance": 6, "prompt_upsampling": True, "raw": True}
    assert (logs[0]["field"], logs[0]["action"], logs[0]["sent"]) == ("safety_tolerance", "clamped", 6)
    _, (sent,) = _generate("flux-2-max", prompt="a fox", options={"safety_tolerance": 6})
    assert sent.json["safety_tolerance"] == 5


@pytest.mark.parametrize("key", ["seed", "width", "prompt", "input_image", "image_prompt"])
def test_provider_options_may_not_set_what_the_request_owns(key: str) -> None:
    """A provider option that would override a request field is refused naming it."""
    req = request(MediaGenerateRequest, prompt="a fox")
    with pytest.raises(InvalidRequestError) as caught:
        next(generate(req, context(options={key: 1})))
    assert caught.value.field == f"provider_options.{key}"


def test_an_unknown_model_is_refused_naming_the_model() -> None:
    """An id outside the table and its families is refused before sending."""
    req = request(MediaGenerateRequest, model="flux/flux-schnell", prompt="a fox")
    with pytest.raises(InvalidRequestError) as caught:
        next(generate(req, context("flux-schnell")))
    assert caught.value.field == "model"
    assert "flux-pro-1.1" in str(caught.value)


def test_a_new_flux2_id_takes_its_own_route_with_the_family_rules() -> None:
    """flux-2-* ids the table does not list yet post to /v1/<id> with FLUX.2's sizes."""
    _, (sent,) = _generate("flux-2-ultra-preview", prompt="a fox", size="1000x1000")
    assert sent.url == "https://api.bfl.ai/v1/flux-2-ultra-preview"
    assert (sent.json["width"], sent.json["height"]) == (1008, 1008)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("flux-pro-1.1", {Capability.MEDIA_GENERATE}),
        ("flux-pro-1.1-ultra", {Capability.MEDIA_GENERATE}),
        ("flux-dev", {Capability.MEDIA_GENERATE}),
        ("flux-kontext-pro", {Capability.MEDIA_GENERATE, Capability.MEDIA_URL_INPUT}),
        ("flux-2-klein-4b", {Capability.MEDIA_GENERATE, Capability.MEDIA_URL_INPUT}),
        ("flux-pro-1.0-fill", {Capability.MEDIA_EDIT_INPAINT}),
        ("flux-pro-1.0-expand", {Capability.MEDIA_EDIT_OUTPAINT}),
    ],
)
def test_capabilities_follow_the_model(model: str, expected: set[Capability]) -> None:
    """URL inputs only where BFL fetches them (Kontext, FLUX.2); fill inpaints, expand outpaints."""
    assert FLUX.capabilities_for(model) == expected


def test_inpaint_sends_image_mask_and_prompt_to_fill() -> None:
    """Fill gets the image and mask as raw base64 beside the prompt and seed."""
    task, (sent,) = _edit("flux-pro-1.0-fill", operation="inpaint", image=PNG, mask=PNG, prompt="a red door", seed=7)
    assert sent.url == "https://api.bfl.ai/v1/flux-pro-1.0-fill"
    assert sent.json == {"prompt": "a red door", "image": PNG_B64, "mask": PNG_B64, "seed": 7}
    assert task.kind == "media.edit.inpaint"


def test_outpaint_maps_up_and_down_to_top_and_bottom() -> None:
    """Expand's extents are top, bottom, left, right; unset sides and a missing prompt are left out."""
    task, (sent,) = _edit("flux-pro-1.0-expand", operation="outpaint", image=PNG, up=64, down=32, right=128)
    assert sent.url == "https://api.bfl.ai/v1/flux-pro-1.0-expand"
    assert sent.json == {"image": PNG_B64, "top": 64, "bottom": 32, "right": 128}
    assert (task.kind, task.vendor_data["aspect_ratio"]) == ("media.edit.outpaint", None)


@pytest.mark.parametrize(
    ("model", "fields", "field"),
    [
        ("flux-pro-1.0-fill", {"operation": "inpaint", "prompt": "x", "grow_mask": 5}, "grow_mask"),
        ("flux-pro-1.0-expand", {"operation": "outpaint", "left": 10, "creativity": 0.5}, "creativity"),
        ("flux-pro-1.0-expand", {"operation": "inpaint", "prompt": "x"}, "model"),
        ("flux-pro-1.1", {"operation": "inpaint", "prompt": "x"}, "model"),
    ],
)
def test_edit_refusals_name_the_field(model: str, fields: dict[str, Any], field: str) -> None:
    """What Fill and Expand cannot do, and a model of another operation, are refused before sending."""
    req = request(MediaEditRequest, model=f"flux/{model}", image=PNG, **fields)
    with pytest.raises(InvalidRequestError) as caught:
        next(edit(req, context(model)))
    assert caught.value.field == field


def test_a_webhook_submit_without_a_polling_url_is_still_a_task() -> None:
    """With webhook_url BFL may answer {id, status, webhook_url}: the job is polled on the base URL."""
    req = request(MediaGenerateRequest, prompt="a fox")
    ctx = context(options={"webhook_url": "https://hooks.example/bfl"})
    answer = json_answer({"id": JOB, "status": "Pending", "webhook_url": "https://hooks.example/bfl", "cost": 4})
    task, (sent,) = drive(generate(req, ctx), [answer])
    assert sent.json["webhook_url"] == "https://hooks.example/bfl"
    assert task.vendor_data["jobs"] == [
        {"id": JOB, "polling_url": None, "seed": None, "webhook_url": "https://hooks.example/bfl", "cost": 4}
    ]


@pytest.mark.parametrize("body", [{"polling_url": POLLING_URL}, {"finetune_id": "6fc5e628"}, ["not", "an", "object"]])
def test_a_submit_answer_without_a_job_id_is_a_response_format_error(body: Any) -> None:
    """No id, no task: ResponseFormatError with an excerpt."""
    req = request(MediaGenerateRequest, prompt="a fox")
    with pytest.raises(relaykit.ResponseFormatError) as caught:
        drive(generate(req, context()), [json_answer(body)])
    assert caught.value.body_excerpt
