"""Error mapping and bad-input checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import relaykit

from ..._provider import Capability
from .._faults import Fault
from ._inputs import user
from ._meta import check
from ._run import KitRun

__all__ = ["BadInputChecks", "ErrorChecks", "probe"]

_STATUSES: list[tuple[int, type[relaykit.APIStatusError]]] = [
    (400, relaykit.BadRequestError),
    (401, relaykit.AuthenticationError),
    (403, relaykit.PermissionDeniedError),
    (404, relaykit.NotFoundError),
    (429, relaykit.RateLimitError),
    (500, relaykit.ServerError),
    (503, relaykit.OverloadedError),
    (529, relaykit.OverloadedError),
]
_RETRY_AFTER = {429: 7.0, 503: 3.0, 529: 11.0}
_IN_BAND: list[type[relaykit.APIStatusError]] = [
    relaykit.RateLimitError,
    relaykit.OverloadedError,
    relaykit.ServerError,
    relaykit.BadRequestError,
]


def probe(kit: KitRun) -> Callable[[relaykit.Client], Any]:
    """The cheapest call the target declares (chat, embeddings, moderation, models), for error checks."""
    if Capability.CHAT in kit.declared:
        return lambda c: c.chat.completions.create(model=kit.address(), messages=[user("Hi")], max_tokens=16)
    if Capability.EMBEDDINGS in kit.declared:
        return lambda c: c.embeddings.create(model=kit.address(Capability.EMBEDDINGS), input="Hi")
    if Capability.MODERATION in kit.declared:
        return lambda c: c.moderations.create(model=kit.address(Capability.MODERATION), input="Hi")
    if Capability.MODELS in kit.declared:
        return lambda c: c.models.list(kit.name)
    pytest.skip(f"{kit.name} declares none of chat, embeddings, moderation, models to provoke errors with")


class ErrorChecks:
    """Vendor failures become the right `relaykit.APIError`, with its fields, without secrets."""

    @check("errors", needs=("emulator",))
    @pytest.mark.parametrize(("status", "kind"), _STATUSES, ids=[str(status) for status, _ in _STATUSES])
    def test_error_status_maps_to_its_kind(self, kit: KitRun, status: int, kind: type[relaykit.APIStatusError]) -> None:
        """Each error status becomes its relaykit error, with status, provider, request id, Retry-After, no secrets.

        Fix: on any status >= 400, extract the vendor's message, code and type from its error
        envelope and raise ``relaykit.plugin.api_error(response, ctx, message, code=..., type_=...)``:
        it picks the class from the status, parses ``Retry-After`` and redacts `ctx.secrets()`.
        Do not pass a code that changes the class of a plain status (e.g. a generic 429 code
        meaning "quota" only when it does).
        """
        call = probe(kit)
        kit.warm_up(call)
        kit.inject_error(status, retry_after=_RETRY_AFTER.get(status))
        with pytest.raises(relaykit.APIError) as caught:
            call(kit.client)
        error = caught.value
        assert type(error) is kind, f"HTTP {status} raised {type(error).__name__}: {error}; expected {kind.__name__}"
        assert error.status == status, f"error.status is {error.status!r}"
        assert error.provider == kit.name, f"error.provider is {error.provider!r}"
        assert error.request_id == kit.last_request_id(), f"error.request_id is {error.request_id!r}"
        assert error.retry_after == _RETRY_AFTER.get(status), f"error.retry_after is {error.retry_after!r}"
        assert error.message, "the error has no message"
        kit.assert_no_secrets(error)

    @check("errors", Capability.CHAT, needs=("emulator", "script_error"))
    @pytest.mark.parametrize("kind", _IN_BAND, ids=[kind.__name__ for kind in _IN_BAND])
    def test_in_band_error_maps_to_its_kind(self, kit: KitRun, kind: type[relaykit.APIStatusError]) -> None:
        """An error reported inside a successful answer (a stream error event...) raises its kind.

        Fix: recognise the vendor's in-band errors (an error event in a stream, an error body or
        error code in a 200) and raise ``api_error(response, ctx, message, code=..., type_=...)``
        for them, passing the event as the response content; its code or type decides the class.
        """
        kit.warm_up(probe(kit))
        kit.script_chat_error(kind, "In-band trouble.")
        streamed = Capability.CHAT_STREAM in kit.declared

        def ask() -> None:
            answer = kit.client.chat.completions.create(
                model=kit.address(), messages=[user("Hi")], max_tokens=16, stream=streamed
            )
            if isinstance(answer, relaykit.Stream):
                with answer:
                    list(answer)

        with pytest.raises(relaykit.APIError) as caught:
            ask()
        error = caught.value
        assert type(error) is kind, f"an in-band {kind.__name__} raised {type(error).__name__}: {error}"
        assert error.provider == kit.name, f"error.provider is {error.provider!r}"
        assert not (error.status and error.status >= 400), f"an in-band error reports HTTP {error.status}"
        kit.assert_no_secrets(error)

    @check("errors", Capability.CHAT, Capability.CHAT_STREAM, needs=("emulator",))
    def test_stream_cut_mid_event_raises_stream_interrupted(self, kit: KitRun) -> None:
        """A stream whose connection breaks mid-event raises StreamInterruptedError, not a parse error.

        Fix: have the decoder's `close()` raise `StreamInterruptedError` when the stream ended
        before its end marker; never return a truncated answer as if it were complete.
        """
        kit.warm_up(probe(kit))
        count = "Count: one two three four five six seven eight nine ten."
        kit.script_chat(count)
        kit.inject(Fault.cut_stream(after_events=1))
        stream = kit.client.chat.completions.create(model=kit.address(), messages=[user(count)], stream=True)
        with pytest.raises(relaykit.StreamInterruptedError), stream:
            list(stream)

    @check("errors", needs=("emulator",))
    def test_malformed_answer_raises_response_format_error(self, kit: KitRun) -> None:
        """A 200 whose JSON is truncated raises ResponseFormatError with a redacted excerpt.

        Fix: parse with `HttpResponse.json()` (it raises `ResponseFormatError`), or raise it
        yourself with ``excerpt(response.content, ctx.secrets())`` when the shape is wrong.
        """
        call = probe(kit)
        kit.warm_up(call)
        kit.inject(Fault.malformed_json())
        with pytest.raises(relaykit.ResponseFormatError) as caught:
            call(kit.client)
        kit.assert_no_secrets(caught.value)

    @check("errors", needs=("emulator",))
    def test_dropped_connection_raises_connection_error(self, kit: KitRun) -> None:
        """A connection closed without an answer raises APIConnectionError.

        Fix: do not catch exceptions around your yields; the driver maps transport failures.
        """
        call = probe(kit)
        kit.warm_up(call)
        kit.inject(Fault.drop())
        with pytest.raises(relaykit.APIConnectionError):
            call(kit.client)


def _unanswered_call(kit: KitRun) -> dict[str, Any]:
    call = {"id": "call_kit", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
    return {"messages": [user("Hi"), {"role": "assistant", "content": None, "tool_calls": [call]}, user("Well?")]}


_BAD_CHAT: list[tuple[str, Callable[[KitRun], dict[str, Any]], str]] = [
    ("temperature", lambda kit: {"temperature": 3.5}, "temperature"),
    ("empty_messages", lambda kit: {"messages": []}, "messages"),
    ("unknown_field", lambda kit: {"frobnicate": True}, "frobnicate"),
    ("unanswered_tool_call", _unanswered_call, "messages"),
    ("provider_options_override", lambda kit: {"provider_options": {kit.name: {"messages": []}}}, "provider_options"),
]


class BadInputChecks:
    """Invalid requests are refused with `InvalidRequestError` (or unsupported ones with
    `UnsupportedCapabilityError`) and nothing is sent."""

    @check("bad_input", Capability.CHAT)
    @pytest.mark.parametrize(("fields", "field"), [(b, f) for _, b, f in _BAD_CHAT], ids=[i for i, _, _ in _BAD_CHAT])
    def test_invalid_chat_is_refused_before_sending(
        self, kit: KitRun, fields: Callable[[KitRun], dict[str, Any]], field: str
    ) -> None:
        """An invalid chat request raises InvalidRequestError naming the field, and nothing is sent.

        Fix: validate before the flow's first yield, and refuse with
        ``InvalidRequestError(message, field="provider_options.<key>")`` the `provider_options`
        keys that would override what relaykit sets from the request (model, messages...).
        """
        params: dict[str, Any] = {"model": kit.address(), "messages": [user("Hi")], "max_tokens": 16}
        params.update(fields(kit))
        with pytest.raises(relaykit.InvalidRequestError) as caught:
            kit.client.chat.completions.create(**params)
        assert (caught.value.field or "").startswith(field), f"the error names {caught.value.field!r}, not {field!r}"
        kit.assert_nothing_sent()

    @check("bad_input")
    def test_undeclared_capability_is_refused_before_sending(self, kit: KitRun) -> None:
        """An endpoint the provider does not offer raises UnsupportedCapabilityError, and nothing is sent.

        Fix: declare in `ProviderSpec.capabilities` (and `model_capabilities`) only what the
        vendor serves; relaykit refuses the rest before calling your flows.
        """
        offered = kit.spec.capabilities_for(kit.target.model)
        calls: list[tuple[Capability, Callable[[relaykit.Client], Any]]] = [
            (Capability.EMBEDDINGS, lambda c: c.embeddings.create(model=kit.address(), input="Hi")),
            (Capability.MODERATION, lambda c: c.moderations.create(model=kit.address(), input="Hi")),
            (Capability.IMAGE_GENERATE, lambda c: c.images.generate(model=kit.address(), prompt="A cat")),
            (Capability.SPEECH, lambda c: c.audio.speech.create(model=kit.address(), input="Hi", voice="alloy")),
        ]
        missing = [(capability, call) for capability, call in calls if capability not in offered]
        if not missing:
            pytest.skip(f"{kit.address()} offers embeddings, moderation, images and speech: nothing to refuse")
        with pytest.raises(relaykit.UnsupportedCapabilityError):
            missing[0][1](kit.client)
        kit.assert_nothing_sent()
