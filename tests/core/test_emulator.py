"""The emulator base of `relaykit.testing`, observed from a raw httpx2 client over real sockets."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx2
import pytest

from relaykit.testing import FAULT_HEADER, EmulatedError, Emulator, Fault, RecordedRequest, Reply, SSEEvent

KEY = {"authorization": "Bearer test-key"}


class EchoEmulator(Emulator):
    """A tiny dialect: echoes requests, streams numbered events."""

    def __init__(self, *, api_key: str | None = "test-key") -> None:
        super().__init__(api_key=api_key)
        self.route("POST", "/echo/{name}", self.echo)
        self.route("GET", "/events", self.events)
        self.route("GET", "/named", lambda r: Reply.sse([SSEEvent('{"n": 1}', event="ping", id="7"), "last"]))
        self.route("GET", "/slow", lambda r: Reply.sse([str(i) for i in range(50)], delay=0.2))
        self.route("GET", "/lines", lambda r: Reply.ndjson([{"n": 1}, {"n": 2}]))
        self.route("GET", "/teapot", self.teapot)
        self.route("GET", "/boom", self.boom)

    def echo(self, request: RecordedRequest) -> Reply:
        return Reply.json({"name": request.path_params["name"], "body": request.json(), "query": request.query})

    def events(self, request: RecordedRequest) -> Reply:
        count = int(request.query.get("count", ["5"])[0])
        return Reply.sse([f'{{"n": {i}}}' for i in range(count)] + ["[DONE]"])

    def teapot(self, request: RecordedRequest) -> Reply:
        raise EmulatedError(418, "I am a teapot.", error_code="teapot", param="pot")

    def boom(self, request: RecordedRequest) -> Reply:
        raise RuntimeError("handler bug")


@pytest.fixture(scope="module")
def server() -> Iterator[EchoEmulator]:
    with EchoEmulator() as emulator:
        yield emulator


@pytest.fixture
def emu(server: EchoEmulator) -> EchoEmulator:
    server.reset()
    return server


@pytest.fixture
def http(emu: EchoEmulator) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=emu.base_url, headers=KEY, timeout=5) as client:
        yield client


def _events(response: httpx2.Response) -> list[str]:
    return [line.removeprefix("data: ") for line in response.iter_lines() if line.startswith("data: ")]


def test_status_fault_answers_the_status_with_retry_after(emu: EchoEmulator, http: httpx2.Client) -> None:
    """A queued 429 fault answers 429, a Retry-After header and the error envelope."""
    emu.inject(Fault.status(429, retry_after=2))
    response = http.post("/echo/a", json={})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    assert response.json()["error"]["code"] == "rate_limit_exceeded"
    assert response.headers["x-request-id"].startswith("req_emu_")


@pytest.mark.parametrize(("status", "error_type"), [(500, "server_error"), (529, "overloaded_error")])
def test_server_status_faults_carry_their_error_type(
    emu: EchoEmulator, http: httpx2.Client, status: int, error_type: str
) -> None:
    """5xx faults (including Anthropic's 529) answer the envelope with the status's error type."""
    emu.inject(Fault.status(status))
    response = http.post("/echo/a", json={})
    assert response.status_code == status
    assert response.json()["error"]["type"] == error_type


def test_status_fault_sends_a_custom_body_and_headers(emu: EchoEmulator, http: httpx2.Client) -> None:
    """A status fault's own body and headers replace the envelope."""
    emu.inject(Fault.status(503, body={"message": "busy"}, headers={"x-should-retry": "true"}, retry_after=0.5))
    response = http.post("/echo/a", json={})
    assert (response.status_code, response.json()) == (503, {"message": "busy"})
    assert response.headers["x-should-retry"] == "true"
    assert response.headers["retry-after"] == "0.5"


def test_latency_fault_delays_the_normal_answer(emu: EchoEmulator, http: httpx2.Client) -> None:
    """A latency fault waits, then answers normally."""
    emu.inject(Fault.latency(0.15))
    started = time.monotonic()
    response = http.post("/echo/a", json={"x": 1})
    assert time.monotonic() - started >= 0.15
    assert response.json()["body"] == {"x": 1}


def test_drop_fault_closes_the_connection_without_a_response(emu: EchoEmulator, http: httpx2.Client) -> None:
    """A dropped connection is a transport error for the client, and the next request works."""
    emu.inject(Fault.drop())
    with pytest.raises(httpx2.TransportError):
        http.post("/echo/a", json={})
    assert http.post("/echo/a", json={}).status_code == 200


def test_malformed_json_fault_sends_truncated_json(emu: EchoEmulator, http: httpx2.Client) -> None:
    """A malformed-JSON fault answers 200 application/json that does not parse."""
    emu.inject(Fault.malformed_json())
    response = http.post("/echo/a", json={})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_cut_stream_sends_n_events_then_half_an_event_and_breaks(emu: EchoEmulator, http: httpx2.Client) -> None:
    """A cut stream delivers its first events, part of the next, then an unfinished chunked body."""
    emu.inject(Fault.cut_stream(after_events=2))
    received: list[str] = []
    with pytest.raises(httpx2.RemoteProtocolError), http.stream("GET", "/events") as response:
        received.extend(response.iter_text())  # keeps what arrived before the break
    text = "".join(received)
    assert text.startswith('data: {"n": 0}\n\ndata: {"n": 1}\n\ndata: {')
    assert '{"n": 2}' not in text


def test_cut_on_an_unstreamed_answer_sends_half_the_body(emu: EchoEmulator, http: httpx2.Client) -> None:
    """Cutting a JSON answer announces its full length and sends half of it."""
    emu.inject(Fault.cut_stream())
    with pytest.raises(httpx2.RemoteProtocolError):
        http.post("/echo/a", json={"padding": "x" * 100})


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("status=429; retry_after=1", "status"),
        ("latency=0.05", "latency"),
        ("drop", "drop"),
        ("malformed", "malformed_json"),
        ("cut=3", "cut_stream"),
    ],
)
def test_fault_header_requests_a_fault_per_request(
    emu: EchoEmulator, http: httpx2.Client, header: str, kind: str
) -> None:
    """The x-relaykit-fault header triggers each fault kind, and is recorded with the request."""
    try:
        with http.stream("GET", "/events", headers={FAULT_HEADER: header}) as response:
            response.read()
    except httpx2.TransportError:
        assert kind in {"drop", "cut_stream"}
    else:
        assert kind in {"status", "latency", "malformed_json"}
        assert response.status_code == (429 if kind == "status" else 200)
    recorded = emu.last_request.fault
    assert recorded is not None
    assert recorded.kind == kind


def test_invalid_fault_header_answers_400_naming_the_header(emu: EchoEmulator, http: httpx2.Client) -> None:
    """An unreadable fault header is a 400 whose param is the header."""
    response = http.post("/echo/a", json={}, headers={FAULT_HEADER: "explode=1"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == FAULT_HEADER
    assert "unknown fault" in response.json()["error"]["message"]


def test_header_fault_wins_without_consuming_the_queued_one(emu: EchoEmulator, http: httpx2.Client) -> None:
    """A header fault applies first; the queued fault then serves the next request."""
    emu.inject(Fault.status(500))
    assert http.post("/echo/a", json={}, headers={FAULT_HEADER: "status=418"}).status_code == 418
    assert http.post("/echo/a", json={}).status_code == 500
    assert http.post("/echo/a", json={}).status_code == 200


def test_injected_faults_are_consumed_times_then_in_order(emu: EchoEmulator, http: httpx2.Client) -> None:
    """times=2 serves two requests; queued faults are then taken in order."""
    emu.inject(Fault.status(500), times=2)
    emu.inject(Fault.status(503))
    statuses = [http.post("/echo/a", json={}).status_code for _ in range(4)]
    assert statuses == [500, 500, 503, 200]


def test_a_fault_for_every_request_lasts_until_cleared(emu: EchoEmulator, http: httpx2.Client) -> None:
    """times=None repeats a fault until clear_faults()."""
    emu.inject(Fault.status(500), times=None)
    assert [http.post("/echo/a", json={}).status_code for _ in range(3)] == [500, 500, 500]
    emu.clear_faults()
    assert http.post("/echo/a", json={}).status_code == 200


def test_a_fault_for_a_path_skips_other_paths(emu: EchoEmulator, http: httpx2.Client) -> None:
    """A fault bound to a path glob waits for a matching request."""
    emu.inject(Fault.status(500), path="/echo/*")
    assert http.get("/events").status_code == 200
    assert http.post("/echo/b", json={}).status_code == 500


def test_requests_are_recorded_with_everything_received(emu: EchoEmulator, http: httpx2.Client) -> None:
    """Method, path, query, headers, body and path parameters are recorded; JSON parses."""
    http.post("/echo/caf%C3%A9", params={"q": ["1", "2"]}, json={"text": "你好"}, headers={"X-Trace": "t1"})
    request = emu.requests[-1]
    assert (request.method, request.path, request.query) == ("POST", "/echo/caf%C3%A9", {"q": ["1", "2"]})
    assert request.path_params == {"name": "café"}
    assert request.header("X-TRACE") == "t1"
    assert request.content_type == "application/json"
    assert request.json() == {"text": "你好"}
    assert request.fault is None


def test_multipart_bodies_parse_into_fields_and_binary_files(emu: EchoEmulator, http: httpx2.Client) -> None:
    """RecordedRequest.form() returns text fields and files byte for byte."""
    content = bytes(range(256)) * 4 + b"\r\n--boundary\r\n\r\n"
    http.post("/echo/a", data={"prompt": "héllo", "n": "2"}, files={"image": ("a.png", content, "image/png")})
    form = emu.last_request.form()
    assert form.fields == {"prompt": ["héllo"], "n": ["2"]}
    upload = form.file("image[]", "image")
    assert upload is not None
    assert (upload.filename, upload.content_type, upload.content) == ("a.png", "image/png", content)


def test_sse_replies_carry_event_names_and_ids(http: httpx2.Client) -> None:
    """SSEEvent writes event and id lines; plain strings are data-only events."""
    with http.stream("GET", "/named") as response:
        events = list(httpx2.EventSource(response))
    assert [(e.event, e.id, e.data) for e in events] == [("ping", "7", '{"n": 1}'), ("message", "7", "last")]


def test_ndjson_replies_stream_one_object_per_line(http: httpx2.Client) -> None:
    """Reply.ndjson streams newline-delimited JSON."""
    response = http.get("/lines")
    assert response.headers["content-type"] == "application/x-ndjson"
    assert [json.loads(line) for line in response.text.splitlines()] == [{"n": 1}, {"n": 2}]


def test_unknown_routes_and_methods_answer_404_and_405(http: httpx2.Client) -> None:
    """A path no route serves is 404; a known path with another method is 405 with Allow."""
    assert http.get("/nowhere").status_code == 404
    response = http.get("/echo/a")
    assert (response.status_code, response.headers["allow"]) == (405, "POST")


def test_requests_without_the_key_get_401(emu: EchoEmulator) -> None:
    """The default check wants Authorization: Bearer <api_key>."""
    response = httpx2.post(emu.url("/echo/a"), json={}, headers={"authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_an_emulator_without_a_key_accepts_any_request() -> None:
    """api_key=None turns authentication off."""
    with EchoEmulator(api_key=None) as open_emu:
        assert httpx2.post(open_emu.url("/echo/a"), json={}).status_code == 200


def test_emulated_errors_answer_the_error_envelope(http: httpx2.Client) -> None:
    """A handler raising EmulatedError answers its status, message, code and param."""
    response = http.get("/teapot")
    assert response.status_code == 418
    error = response.json()["error"]
    assert (error["message"], error["code"], error["param"]) == ("I am a teapot.", "teapot", "pot")


def test_a_failing_handler_answers_500_and_keeps_the_exception(emu: EchoEmulator, http: httpx2.Client) -> None:
    """A handler bug is a 500 naming the exception, kept in emu.errors for the test to see."""
    response = http.get("/boom")
    assert response.status_code == 500
    assert "RuntimeError: handler bug" in response.json()["error"]["message"]
    assert [str(e) for e in emu.errors] == ["handler bug"]


def test_a_later_route_overrides_an_earlier_one() -> None:
    """Tests can replace one endpoint of a dialect."""
    with EchoEmulator(api_key=None) as custom:
        custom.route("POST", "/echo/{name}", lambda r: Reply.text("overridden", status=202))
        response = httpx2.post(custom.url("/echo/a"), json={})
    assert (response.status_code, response.text) == (202, "overridden")


def test_published_files_are_served_without_authentication(emu: EchoEmulator) -> None:
    """publish() returns a URL the emulator serves to anyone."""
    url = emu.publish(b"\x89PNG data", "image/png", suffix=".png")
    response = httpx2.get(url)
    assert response.status_code == 200
    assert (response.headers["content-type"], response.content) == ("image/png", b"\x89PNG data")


def test_two_emulators_run_at_once_on_ephemeral_ports(emu: EchoEmulator) -> None:
    """Each emulator binds its own free port on 127.0.0.1."""
    with EchoEmulator(api_key=None) as other:
        assert other.port != emu.port
        assert other.base_url == f"http://127.0.0.1:{other.port}"
        assert httpx2.post(other.url("/echo/x"), json={}).json()["name"] == "x"
        assert other.requests != emu.requests


def test_stop_closes_keep_alive_connections_and_ends_every_thread() -> None:
    """After stop() no connection thread remains and the port refuses connections."""
    before = {t for t in threading.enumerate() if t.name.startswith("relaykit-emulator")}
    emulator = EchoEmulator(api_key=None).start()
    url = emulator.url("/echo/a")
    with httpx2.Client() as client:
        assert client.post(url, json={}).status_code == 200  # the connection stays open (keep-alive)
        emulator.stop()
        after = {t for t in threading.enumerate() if t.name.startswith("relaykit-emulator")}
        assert after <= before
        with pytest.raises(httpx2.TransportError):
            client.post(url, json={})
    assert not emulator.running


def test_stop_interrupts_a_slow_stream_promptly() -> None:
    """A stream with a long per-event delay does not hold stop() up."""
    emulator = EchoEmulator(api_key=None).start()
    with httpx2.Client() as client, client.stream("GET", emulator.url("/slow")) as response:
        assert response.status_code == 200
        started = time.monotonic()
        emulator.stop()
        assert time.monotonic() - started < 1.0
        with pytest.raises(httpx2.TransportError):
            response.read()


def test_urls_need_a_running_emulator() -> None:
    """base_url before start() says how to start it."""
    with pytest.raises(RuntimeError, match="start"):
        _ = EchoEmulator().base_url


@pytest.mark.parametrize(
    "fault",
    [
        Fault.status(429, retry_after=1),
        Fault.status(429, retry_after=0.25, error_code="insufficient_quota"),
        Fault.latency(0.2),
        Fault.drop(),
        Fault.malformed_json(),
        Fault.cut_stream(after_events=3),
    ],
)
def test_faults_round_trip_through_the_header_form(fault: Fault) -> None:
    """Fault.parse(fault.to_header()) gives the same fault back."""
    assert Fault.parse(fault.to_header()) == fault


@pytest.mark.parametrize("text", ["", "status", "status=abc", "latency=-1", "drop=1", "cut=2; when=now", "boom"])
def test_unreadable_fault_headers_raise_value_error(text: str) -> None:
    """Fault.parse names the header in its error."""
    with pytest.raises(ValueError, match=FAULT_HEADER):
        Fault.parse(text)


def test_fault_constructors_reject_impossible_values() -> None:
    """Negative delays, counts and non-HTTP statuses are refused."""
    for build in (lambda: Fault.status(42), lambda: Fault.latency(-1), lambda: Fault.cut_stream(-1)):
        with pytest.raises(ValueError):  # noqa: PT011
            build()
    with pytest.raises(ValueError, match="times"):
        Emulator().inject(Fault.drop(), times=0)
