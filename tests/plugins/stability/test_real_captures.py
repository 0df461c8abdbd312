"""Every capture in ../shared/real-responses/stability parses as the plugin reads Stability's answers.

The captures are read in place at test time (they are not part of this repository); the module is
skipped where that folder is absent. They are documentation examples from Stability's official
v2beta OpenAPI (no recorded traffic exists): error envelopes, a JSON image answer, a job id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import relaykit
from relaykit.plugin import HttpResponse, run_to_completion
from relaykit_stability._common import error_from, parse_output
from relaykit_stability._upscale import upscale

from ._helpers import PNG, context, request

CAPTURES = Path(__file__).resolve().parents[3].parent / "shared" / "real-responses" / "stability"

pytestmark = pytest.mark.skipif(not CAPTURES.is_dir(), reason=f"real captures not found at {CAPTURES}")

_EXPECTED: dict[int, type[relaykit.APIStatusError]] = {
    400: relaykit.BadRequestError,
    403: relaykit.ContentPolicyError,
    413: relaykit.BadRequestError,
    422: relaykit.BadRequestError,
    429: relaykit.RateLimitError,
    500: relaykit.ServerError,
}


def _cases(kind: str) -> list[Any]:
    if not CAPTURES.is_dir():
        return []
    cases = []
    for path in sorted(CAPTURES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        if case["kind"] == kind:
            cases.append(pytest.param(case, id=path.stem))
    return cases


def _response(case: dict[str, Any]) -> HttpResponse:
    headers = {k.lower(): str(v) for k, v in case["response"]["headers"].items()}
    return HttpResponse(case["response"]["status"], headers, json.dumps(case["response"]["body"]).encode())


@pytest.mark.parametrize("case", _cases("error"))
def test_real_error_envelopes_map_to_their_error(case: dict[str, Any]) -> None:
    """name is the code, errors[] the message, the status (and moderation names) the class."""
    body = case["response"]["body"]
    error = error_from(_response(case), context())
    expected = _EXPECTED[case["response"]["status"]]
    if body["name"] == "public_figure":
        expected = relaykit.ContentPolicyError
    assert type(error) is expected
    assert error.code == body["name"]
    assert error.message == "; ".join(body["errors"])


@pytest.mark.parametrize("case", _cases("image"))
def test_real_json_image_answers_parse(case: dict[str, Any]) -> None:
    """The JSON image answer keeps its base64, seed and finish reason."""
    body = case["response"]["body"]
    output, extra = parse_output(_response(case), context(), as_b64=True, mime="image/png")
    assert (output.b64_json, output.seed, output.content_filtered) == (body["image"], body["seed"], False)
    assert extra == {"finish_reason": body["finish_reason"]}


@pytest.mark.parametrize("case", _cases("task"))
def test_real_job_ids_become_queued_tasks(case: dict[str, Any]) -> None:
    """The start answer's 64-hex id is the task's id."""
    req = request(relaykit.MediaUpscaleRequest, model="stability/stable-image", mode="creative", image=PNG, prompt="x")
    task = run_to_completion(upscale(req, context("stable-image")), [_response(case)])
    assert isinstance(task, relaykit.Task)
    assert (task.id, task.status) == (case["response"]["body"]["id"], "queued")
