"""Test kit: local vendor emulators with fault injection.

`Emulator` is a real HTTP server on 127.0.0.1 (an ephemeral port) that speaks a vendor dialect,
serves scripted or generated answers, records every request, and injects faults on request: an
error status (429 with ``Retry-After``, 500, 529...), added latency, a dropped connection, malformed
JSON, or a stream cut mid-event. Dialect plugins ship their own subclass; the OpenAI one
(``relaykit_openai.emulator.OpenAIEmulator``)::

    import relaykit
    from relaykit.testing import Fault

    with OpenAIEmulator() as emu:
        client = relaykit.Client(providers={"openai": {"api_key": "test-key", "base_url": emu.base_url}})
        emu.inject(Fault.status(429, retry_after=2))
        ...  # the next call raises relaykit.RateLimitError with retry_after == 2.0

Faults are queued with `Emulator.inject`, or asked for per request with the ``x-relaykit-fault``
header (``status=429; retry_after=1``, ``latency=0.2``, ``drop``, ``malformed``, ``cut=3``), which
lets another process trigger them. See `Fault` for what each does on the wire.

Cassettes (`use_cassette`, `relaykit_vcr`) replay recorded vendor exchanges with vcrpy, configured
the relaykit way; vcrpy is imported only when they are used.

An emulator whose chat answers can be scripted exactly implements `ChatScripting`. The conformance
kit, `relaykit.testing.kit`, is a separate module (a pytest plugin authors opt into): importing
`relaykit.testing` does not import it, nor pytest.
"""

from __future__ import annotations

from ._cassettes import RECORD_ENV, SECRET_HEADERS, SECRET_QUERY_PARAMETERS, relaykit_vcr, use_cassette
from ._emulator import Emulator, RouteHandler
from ._exchange import EmulatedError, Form, RecordedRequest, Reply, SSEEvent, UploadedFile
from ._faults import FAULT_HEADER, Fault, FaultKind
from ._scripting import ChatScripting, TaskScripting
from ._websocket import WebSocketHandler, WebSocketPeer

__all__ = [
    "FAULT_HEADER",
    "RECORD_ENV",
    "SECRET_HEADERS",
    "SECRET_QUERY_PARAMETERS",
    "ChatScripting",
    "EmulatedError",
    "Emulator",
    "Fault",
    "FaultKind",
    "Form",
    "RecordedRequest",
    "Reply",
    "RouteHandler",
    "SSEEvent",
    "TaskScripting",
    "UploadedFile",
    "WebSocketHandler",
    "WebSocketPeer",
    "relaykit_vcr",
    "use_cassette",
]
