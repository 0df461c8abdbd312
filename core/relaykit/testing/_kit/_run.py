"""`KitRun`: one target brought up for the checks: its emulator (or cassettes), clients, and records.

Every request the clients send passes through an httpx2 event hook, so a check can see what
reached the wire (and that nothing did) whether an emulator or a cassette answers.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import pytest

from ..._errors import APIStatusError, RelaykitError
from ..._provider import CallContext, Capability, ProviderSpec
from .._cassettes import RECORD_ENV, relaykit_vcr
from .._emulator import Emulator
from .._faults import Fault
from .._scripting import ChatScripting
from ._meta import CheckInfo, check_pin, too_new
from ._target import Target

if TYPE_CHECKING:
    import httpx2

    import relaykit
    from relaykit.plugin import ProviderRegistry

__all__ = ["KIT_API_KEY", "KIT_HEADER_SECRET", "KitRun", "SentRequest", "json_strings"]

T = TypeVar("T")

KIT_API_KEY = "kit-key-5f2c9a71d3"
"""The key the kit configures. No redaction *pattern* matches it: only `CallContext.secrets()`
(which `api_error` and `excerpt` use) keeps it out of errors, which is what the kit checks."""
KIT_HEADER = "x-kit-trace"
KIT_HEADER_SECRET = "kit-header-8e41b07c"  # noqa: S105 - a fake secret the checks look for
"""An extra header value: relaykit treats extra header values as secrets too."""
_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class SentRequest:
    """A request as it left the client: method, URL and body (empty for multipart uploads)."""

    method: str
    url: str
    content: bytes

    def json_strings(self) -> list[str]:
        """Every string in the JSON body, in document order ([] when the body is not JSON)."""
        try:
            return json_strings(json.loads(self.content))
        except ValueError:
            return []


class KitRun:
    """A `Target` brought up: start with ``with``; the checks use its clients and records."""

    def __init__(self, target: Target, *, preview: bool = False) -> None:
        check_pin(target.kit_version)
        self.target = target
        self.preview = preview
        self.spec: ProviderSpec = target.spec()
        self.name = self.spec.name
        self.declared = target.declared(self.spec)
        self.emulator: Emulator | None = None
        self.sent: list[SentRequest] = []
        self.received: list[Mapping[str, str]] = []
        self._client: relaykit.Client | None = None
        self._http: httpx2.Client | None = None
        self._settings: dict[str, Any] = {}
        self.secrets: tuple[str, ...] = ()
        """The credentials of the configured provider: what no error may show."""

    # -- lifecycle --------------------------------------------------------------------------------

    def __enter__(self) -> Self:
        import httpx2

        import relaykit

        settings: dict[str, Any] = {"timeout": _TIMEOUT, "connect_timeout": _TIMEOUT}
        extra = self.target.settings
        try:
            if self.target.emulator is not None:
                self.emulator = self.target.emulator(api_key=KIT_API_KEY).start()
                settings.update(api_key=KIT_API_KEY, base_url=self.emulator.base_url)
                settings["headers"] = {KIT_HEADER: KIT_HEADER_SECRET}
                extra = extra(self.emulator) if callable(extra) else extra
            else:
                settings["api_key"] = self._cassette_key()
            assert not callable(extra)
            self._settings = {**settings, **extra}
            self.secrets = self._secrets()
            self._http = httpx2.Client(event_hooks={"request": [self._on_request], "response": [self._on_response]})
            providers = {self.name: self._settings}
            self._client = relaykit.Client(providers=providers, registry=self._registry(), http_client=self._http)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._client is not None:
            self._client.close()
        if self._http is not None:
            self._http.close()
        if self.emulator is not None:
            self.emulator.stop()

    @property
    def client(self) -> relaykit.Client:
        """The sync client, configured for the target under the provider name `name`."""
        if self._client is None:
            raise RuntimeError("KitRun is not started; use it in a with block")
        return self._client

    def new_client(self) -> relaykit.Client:
        """Another sync client for the same provider and settings, sharing nothing with `client`."""
        import relaykit

        return relaykit.Client(providers={self.name: self._settings}, registry=self._registry())

    def run_async(self, scenario: Callable[[relaykit.AsyncClient], Awaitable[T]]) -> T:
        """Run `scenario` with a fresh `AsyncClient` on an event loop of its own, and return its result."""
        import anyio
        import httpx2

        import relaykit

        async def main() -> T:
            async def on_request(request: httpx2.Request) -> None:
                self._on_request(request)

            async def on_response(response: httpx2.Response) -> None:
                self._on_response(response)

            providers = {self.name: self._settings}
            async with httpx2.AsyncClient(event_hooks={"request": [on_request], "response": [on_response]}) as http:
                client = relaykit.AsyncClient(providers=providers, registry=self._registry(), http_client=http)
                async with client:
                    return await scenario(client)

        return anyio.run(main)

    def reset(self) -> None:
        """Forget what was sent and received, and the emulator's requests, faults and scripts."""
        self.sent.clear()
        self.received.clear()
        if self.emulator is not None:
            self.emulator.reset()

    # -- what a check asks ------------------------------------------------------------------------

    def skip_reason(self, info: CheckInfo | None) -> str | None:
        """Why a check does not apply to this target (None: it runs)."""
        if info is None:
            return None
        if too_new(info.since, self.target.kit_version) and not self.preview:
            return (
                f"added in conformance kit {info.since}; this suite pins kit {self.target.kit_version} "
                f"(Target.kit_version): pin '{info.since}' to run it, or try it with --relaykit-kit-preview"
            )
        missing = sorted(info.capabilities - self.declared)
        if missing:
            models = ", ".join(sorted({self.target.model_for(capability) for capability in missing}))
            return (
                f"{self.name} does not declare {', '.join(missing)} for {models} "
                "(ProviderSpec.capabilities and model_capabilities, or Target.capabilities)"
            )
        if self.emulator is None and info.needs:
            return "needs an emulator (fault injection or scripted answers); this target replays cassettes"
        if info.needs & {"script", "script_error"} and self._scripting() is None:
            return (
                f"{type(self.emulator).__name__} does not implement relaykit.testing.ChatScripting "
                "(script_chat, script_chat_error), so the kit cannot make it give this exact answer"
            )
        return None

    def address(self, capability: Capability = Capability.CHAT) -> str:
        """``provider/model`` for the model the checks of `capability` use."""
        return f"{self.name}/{self.target.model_for(capability)}"

    def script_chat(self, text: str | None = None, *, tool_calls: Sequence[Mapping[str, Any]] = ()) -> bool:
        """Script the next chat answer when the emulator can; False when it cannot (cassettes)."""
        scripting = self._scripting()
        if scripting is None:
            return False
        try:
            scripting.script_chat(text, tool_calls=tool_calls)
        except ValueError as exc:
            pytest.skip(f"{type(self.emulator).__name__} cannot give this answer: {exc}")
        return True

    def script_chat_error(self, error: type[APIStatusError], message: str) -> None:
        """Have the emulator report `error` in band in its next chat answer (ValueError: it cannot)."""
        scripting = self._scripting()
        if scripting is None:
            raise RelaykitError("this check needs an emulator that implements ChatScripting")
        try:
            scripting.script_chat_error(error, message)
        except ValueError as exc:
            pytest.skip(f"{type(self.emulator).__name__} cannot report {error.__name__} in band: {exc}")

    def warm_up(self, call: Callable[[relaykit.Client], Any]) -> None:
        """Make one successful `call` first, so that what a plugin caches (an access token...) is
        in place and the fault that follows hits the call itself."""
        call(self.client)
        self.sent.clear()
        self.received.clear()

    def inject(self, fault: Fault, *, times: int | None = 1) -> None:
        """Queue `fault` on the emulator for the next `times` requests."""
        self._emulator().inject(fault, times=times)

    def inject_error(self, status: int, *, retry_after: float | None = None) -> None:
        """Every request until the next reset gets the emulator's error envelope for `status`, echoing the
        secrets (every request: a plugin may rightly retry once, e.g. refreshing a token after a 401)."""
        emulator = self._emulator()
        message = f"Denied for credentials {' '.join(self.secrets)}; see the documentation."
        reply = emulator.error_reply(status, message)
        headers = {k: v for k, v in reply.headers.items() if k not in {"content-type", "content-length"}}
        try:
            body: Any = json.loads(reply.body)
        except ValueError:
            body = reply.body.decode("utf-8", "replace")
        emulator.inject(Fault.status(status, retry_after=retry_after, body=body, headers=headers), times=None)

    def last_request_id(self) -> str | None:
        """The request id the emulator put on its last answer."""
        header = self._emulator().request_id_header
        return self.received[-1].get(header) if self.received else None

    def assert_nothing_sent(self) -> None:
        """Fail when any request reached the wire (or the emulator) since the last reset."""
        assert not self.sent, (
            f"{self.sent[0].method} {self.sent[0].url} was sent although the request was refused; "
            "validate before the flow's first yield"
        )
        if self.emulator is not None:
            assert not self.emulator.requests, "the emulator received a request although the request was refused"

    def assert_no_secrets(self, error: BaseException) -> None:
        """Fail when the key or an extra header value shows in `error`, its repr or its fields."""
        shown = [str(error), repr(error), *(str(value) for value in vars(error).values() if value is not None)]
        for secret in self.secrets:
            leaks = [text for text in shown if secret in text]
            assert not leaks, (
                f"a secret ({secret[:8]}...) leaks into {type(error).__name__}: {leaks[0][:200]!r}; build errors "
                "with relaykit.plugin.api_error (or pass ctx.secrets() to redact/excerpt)"
            )

    @contextmanager
    def cassette(self, name: str) -> Iterator[None]:
        """Replay (or record) the cassette of check `name`; nothing for emulator targets."""
        folder = self.target.cassette_dir
        if folder is None:
            yield
            return
        path = folder / (re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") + ".yaml")
        mode = os.environ.get(RECORD_ENV) or "none"
        if mode == "none" and not path.is_file():
            env = self.spec.default_api_key_env or "the key's variable"
            raise AssertionError(f"no cassette {path}; record it with {RECORD_ENV}=once and a real key in {env}")
        recorder = relaykit_vcr(record_mode=mode, secrets=(str(self._settings.get("api_key") or ""),))
        with recorder.use_cassette(str(path)):
            yield

    # -- internals --------------------------------------------------------------------------------

    def _registry(self) -> ProviderRegistry | None:
        if not isinstance(self.target.provider, ProviderSpec):
            return None
        from ..._plugins import ProviderRegistry

        return ProviderRegistry.of(self.spec, distribution="relaykit conformance kit")

    def _secrets(self) -> tuple[str, ...]:
        """What `CallContext.secrets()` says must never show for the configured settings."""
        section = {name: value for name, value in self._settings.items() if name != "kind"}
        try:
            settings = self.spec.settings_model.model_validate(section)
        except ValueError:  # the client will say what is wrong; the key is a secret in any case
            return (str(section.get("api_key") or KIT_API_KEY),)
        context = CallContext(provider=self.name, kind=self.spec.name, model=self.target.model, settings=settings)
        return context.secrets()

    def _scripting(self) -> ChatScripting | None:
        emulator: object = self.emulator
        return emulator if isinstance(emulator, ChatScripting) else None

    def _emulator(self) -> Emulator:
        if self.emulator is None:
            raise RelaykitError("this check needs an emulator")
        return self.emulator

    def _cassette_key(self) -> str:
        if os.environ.get(RECORD_ENV) and self.spec.default_api_key_env:
            return os.environ.get(self.spec.default_api_key_env, KIT_API_KEY)
        return KIT_API_KEY

    def _on_request(self, request: httpx2.Request) -> None:
        try:
            content = request.content
        except Exception:  # noqa: BLE001 - a streamed (multipart) body is not kept
            content = b""
        self.sent.append(SentRequest(request.method, str(request.url), content))

    def _on_response(self, response: httpx2.Response) -> None:
        self.received.append(dict(response.headers))


def json_strings(value: Any) -> list[str]:
    """Every string in a JSON value (keys excluded), in document order."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in json_strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in json_strings(item)]
    return []
