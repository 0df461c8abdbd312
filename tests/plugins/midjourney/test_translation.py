"""Requests to the midjourney-proxy wire: routes, bodies, auth, validation."""

from __future__ import annotations

import pytest

import relaykit
from relaykit._types._midjourney import (
    MidjourneyActionRequest,
    MidjourneyBlendRequest,
    MidjourneyButton,
    MidjourneyChangeRequest,
    MidjourneyDescribeRequest,
    MidjourneyImagineRequest,
    MidjourneyListRequest,
    MidjourneyModalRequest,
    MidjourneySeedRequest,
    MidjourneyShortenRequest,
    MidjourneySwapFaceRequest,
)
from relaykit_midjourney import midjourney_flow

from ._helpers import KEY, PNG, PNG_DATA_URL, TASK_ID, context, drive, envelope, json_answer, request


def test_imagine_posts_prompt_and_reference_images_as_data_urls() -> None:
    """imagine goes to submit/imagine with the prompt, data-URL images and the bot type."""
    req = request(
        MidjourneyImagineRequest, model="mj/midjourney", prompt="a boat --ar 16:9", base64_array=[PNG], state="job-1"
    )
    task, sent = drive(midjourney_flow(req, context(bot_type="NIJI_JOURNEY")), [envelope(1)])
    assert sent[0].url == "https://proxy.example/mj/submit/imagine"
    assert sent[0].json == {
        "prompt": "a boat --ar 16:9",
        "base64Array": [PNG_DATA_URL],
        "botType": "NIJI_JOURNEY",
        "state": "job-1",
    }
    assert (task.id, task.status, task.kind) == (TASK_ID, "queued", "midjourney.imagine")


@pytest.mark.parametrize(
    ("auth", "secret", "bearer"),
    [("both", True, True), ("mj-api-secret", True, False), ("bearer", False, True)],
)
def test_auth_setting_chooses_the_headers(auth: str, secret: bool, bearer: bool) -> None:
    """The key goes as mj-api-secret, Authorization: Bearer, or both, as the auth setting says."""
    req = request(MidjourneyShortenRequest, model="mj/midjourney", prompt="a cat")
    _, sent = drive(midjourney_flow(req, context(auth=auth)), [envelope(1)])
    assert (sent[0].headers.get("mj-api-secret") == KEY) is secret
    assert (sent[0].headers.get("authorization") == f"Bearer {KEY}") is bearer


def test_blend_describe_swap_and_shorten_bodies() -> None:
    """blend, describe, insight-face swap and shorten carry their fields under the proxy's names."""
    cases = [
        (
            request(MidjourneyBlendRequest, model="m/m", base64_array=[PNG, PNG], dimensions="PORTRAIT"),
            "submit/blend",
            {"base64Array": [PNG_DATA_URL, PNG_DATA_URL], "dimensions": "PORTRAIT"},
        ),
        (request(MidjourneyDescribeRequest, model="m/m", base64=PNG), "submit/describe", {"base64": PNG_DATA_URL}),
        (
            request(MidjourneySwapFaceRequest, model="m/m", source=PNG, target=PNG_DATA_URL),
            "insight-face/swap",
            {"sourceBase64": PNG_DATA_URL, "targetBase64": PNG_DATA_URL},
        ),
        (request(MidjourneyShortenRequest, model="m/m", prompt="a cat"), "submit/shorten", {"prompt": "a cat"}),
    ]
    for req, path, body in cases:
        _, sent = drive(midjourney_flow(req, context()), [envelope(1)])
        assert sent[0].url.endswith(path)
        assert {k: v for k, v in sent[0].json.items() if k != "botType"} == body


def test_action_change_simple_change_and_modal_bodies() -> None:
    """Follow-ups name the task and the button, index, content or mask as the proxy expects."""
    cases = [
        (
            request(MidjourneyActionRequest, task_id="1", custom_id="MJ::JOB::upsample::1::h"),
            "submit/action",
            {"taskId": "1", "customId": "MJ::JOB::upsample::1::h"},
        ),
        (
            request(MidjourneyChangeRequest, task_id="1", action="UPSCALE", index=2),
            "submit/change",
            {"taskId": "1", "action": "UPSCALE", "index": 2},
        ),
        (
            request(MidjourneyChangeRequest, task_id="1", action="VARIATION", index=3, simple=True),
            "submit/simple-change",
            {"content": "1 V3"},
        ),
        (
            request(MidjourneyChangeRequest, task_id="1", action="REROLL", simple=True),
            "submit/simple-change",
            {"content": "1 R"},
        ),
        (
            request(MidjourneyModalRequest, task_id="9", prompt="a red hat", mask=PNG),
            "submit/modal",
            {"taskId": "9", "prompt": "a red hat", "maskBase64": PNG_DATA_URL},
        ),
    ]
    for req, path, body in cases:
        _, sent = drive(midjourney_flow(req, context()), [envelope(1)])
        assert sent[0].url.endswith(path)
        assert sent[0].json == body


def test_account_filter_and_provider_options_are_sent() -> None:
    """The account filter goes camelCased; provider_options add body fields."""
    req = request(
        MidjourneyImagineRequest,
        model="m/m",
        prompt="x",
        account_filter={"instance_id": "i1", "modes": ["RELAX"]},
        notify_hook="https://hook.example/mj",
    )
    _, sent = drive(midjourney_flow(req, context(options={"speed": "x"})), [envelope(1)])
    assert sent[0].json["accountFilter"] == {"instanceId": "i1", "modes": ["RELAX"]}
    assert sent[0].json["notifyHook"] == "https://hook.example/mj"
    assert sent[0].json["speed"] == "x"


def test_provider_options_may_not_override_request_fields() -> None:
    """provider_options setting prompt is refused naming the field."""
    req = request(MidjourneyImagineRequest, model="m/m", prompt="x")
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        drive(midjourney_flow(req, context(options={"prompt": "y"})), [])
    assert caught.value.field == "provider_options.prompt"


@pytest.mark.parametrize(
    ("model", "fields", "field"),
    [
        (MidjourneyBlendRequest, {"model": "m/m", "base64_array": [PNG]}, "base64_array"),
        (MidjourneyImagineRequest, {"model": "m/m", "prompt": ""}, "prompt"),
        (MidjourneyImagineRequest, {"model": "m/m", "prompt": "x", "bot_type": "DALL_E"}, "bot_type"),
        (MidjourneyDescribeRequest, {"model": "m/m", "base64": "https://x.example/a.png"}, "base64"),
        (MidjourneyChangeRequest, {"task_id": "1", "action": "UPSCALE"}, "index"),
        (MidjourneyChangeRequest, {"task_id": "1", "action": "REROLL", "index": 1}, "index"),
        (MidjourneyListRequest, {"model": "m/m", "ids": []}, "ids"),
    ],
)
def test_invalid_requests_name_the_field(model: type, fields: dict, field: str) -> None:
    """Bad requests are refused before sending, naming the field."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        request(model, **fields)
    assert caught.value.field is not None
    assert caught.value.field.startswith(field)


def test_list_and_seed_use_their_routes() -> None:
    """list posts ids to list-by-condition; seed reads the envelope's result."""
    listed, sent = drive(
        midjourney_flow(request(MidjourneyListRequest, model="m/m", ids=["1", "2"]), context()),
        [json_answer([{"id": "1", "status": "SUCCESS", "action": "IMAGINE", "imageUrl": "https://cdn.example/a.png"}])],
    )
    assert sent[0].url.endswith("task/list-by-condition")
    assert sent[0].json == {"ids": ["1", "2"]}
    assert [task.id for task in listed] == ["1"]
    assert listed[0].kind == "midjourney.imagine"
    seed, sent = drive(
        midjourney_flow(request(MidjourneySeedRequest, task_id="1"), context()),
        [envelope(1, "3562137490", "成功")],
    )
    assert sent[0].method == "GET"
    assert sent[0].url.endswith("task/1/image-seed")
    assert seed == "3562137490"


def test_button_reads_its_job_and_modal() -> None:
    """A button's custom id tells what it does and whether it opens a modal."""
    upscale = MidjourneyButton(customId="MJ::JOB::upsample::2::abc", label="U2")
    region = MidjourneyButton(customId="MJ::Inpaint::1::abc::SOLO", label="Vary (Region)")
    assert (upscale.job, upscale.opens_modal, upscale.name) == ("upsample", False, "U2")
    assert (region.job, region.opens_modal) == ("Inpaint", True)
