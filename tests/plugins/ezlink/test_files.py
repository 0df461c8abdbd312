"""EZLink file upload through `client.files.create`, sync and async, against the EZLink emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

import relaykit
from relaykit.plugin import HttpResponse, run_to_completion
from relaykit_ezlink._files import file_upload
from relaykit_ezlink.emulator import EZLinkEmulator

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@pytest.fixture(scope="module")
def emulator() -> Iterator[EZLinkEmulator]:
    with EZLinkEmulator() as emu:
        yield emu


def _providers(emu: EZLinkEmulator) -> dict[str, dict[str, object]]:
    return {"ezlink": emu.client_settings("ezlink")}


def test_upload_returns_the_storage_url_and_the_file_is_there(emulator: EZLinkEmulator, tmp_path: Path) -> None:
    """A path is uploaded as multipart; the FileObject's url serves the same bytes."""
    path = tmp_path / "cat.png"
    path.write_bytes(PNG)
    with relaykit.Client(providers=_providers(emulator)) as client:
        stored = client.files.create(provider="ezlink", file=path, purpose="vision")
    assert (stored.filename, stored.bytes, stored.purpose, stored.provider) == ("cat.png", len(PNG), "vision", "ezlink")
    form = emulator.last_request.form()
    assert form.get("purpose") == "vision"
    assert form.file("file") is not None
    assert stored.url is not None
    assert httpx2.get(stored.url).content == PNG


@pytest.mark.anyio
async def test_async_upload_matches_sync(emulator: EZLinkEmulator) -> None:
    """AsyncClient uploads bytes the same way."""
    async with relaykit.AsyncClient(providers=_providers(emulator)) as client:
        stored = await client.files.create(provider="ezlink", file=("dog.png", PNG), purpose="vision")
    assert stored.filename == "dog.png"
    assert stored.url


def test_a_missing_purpose_is_refused_before_sending(emulator: EZLinkEmulator) -> None:
    """purpose is required: InvalidRequestError naming it, and no request reaches the relay."""
    before = len(emulator.requests)
    with (
        relaykit.Client(providers=_providers(emulator)) as client,
        pytest.raises(relaykit.InvalidRequestError) as caught,
    ):
        client.files.create(provider="ezlink", file=PNG)
    assert caught.value.field == "purpose"
    assert len(emulator.requests) == before


def test_a_provider_that_stores_no_files_is_unsupported() -> None:
    """OpenAI's kind declares no file storage here: UnsupportedCapabilityError, nothing sent."""
    with (
        relaykit.Client(providers={"openai": {"api_key": "sk-test"}}) as client,
        pytest.raises(relaykit.UnsupportedCapabilityError),
    ):
        client.files.create(provider="openai", file=PNG, purpose="vision")


def test_success_false_is_a_bad_request_with_the_relays_message() -> None:
    """{"success": false, "message": ...} with 400 maps to BadRequestError carrying the message."""
    from relaykit import FileUploadRequest
    from relaykit._types._base import validate_request

    from ...helpers import make_context

    request = validate_request(FileUploadRequest, {"file": PNG, "purpose": "vision"})
    answer = HttpResponse(400, {"content-type": "application/json"}, b'{"success": false, "message": "file too large"}')
    with pytest.raises(relaykit.BadRequestError, match="file too large"):
        run_to_completion(file_upload(request, make_context()), [answer])


def test_quota_envelope_maps_like_every_relay_error() -> None:
    """A one-api quota envelope on upload is QuotaExceededError."""
    from relaykit import FileUploadRequest
    from relaykit._types._base import validate_request

    from ...helpers import make_context

    request = validate_request(FileUploadRequest, {"file": PNG, "purpose": "vision"})
    body = b'{"error": {"message": "user quota is not enough (request id: 2025)", "type": "one_api_error", "code": "insufficient_user_quota"}}'
    answer = HttpResponse(403, {"content-type": "application/json"}, body)
    with pytest.raises(relaykit.QuotaExceededError):
        run_to_completion(file_upload(request, make_context()), [answer])
