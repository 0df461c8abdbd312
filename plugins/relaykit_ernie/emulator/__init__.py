"""Emulators for both generations of Baidu's Qianfan API: `ErnieEmulator` (v1) and `QianfanEmulator` (v2).

`ErnieEmulator` serves Qianfan v1 at its origin (``base_url`` has no path, like
``https://aip.baidubce.com``):

- ``POST /oauth/2.0/token``: checks ``grant_type=client_credentials`` and the client credentials
  (``invalid_client`` with ``unknown client id`` for a wrong API Key, ``Client authentication
  failed`` for a wrong Secret Key) and issues tokens valid ``token_lifetime`` seconds;
- ``POST /rpc/2.0/ai_custom/v1/wenxinworkshop/chat/{endpoint}`` for every endpoint of the plugin's
  table (plus ``endpoints`` given to the constructor): see ``emulator._chat``;
- ``POST /rpc/2.0/ai_custom/v1/wenxinworkshop/embeddings/{endpoint}``: see ``emulator._embeddings``.

Calls need ``?access_token=``: a missing one answers error 100, an unknown or invalidated one 110,
an expired one 111 (HTTP 200, as ERNIE does). `expire_tokens` and `invalidate_tokens` make the
tokens issued so far fail that way, so a client's refresh can be tested. Errors are ERNIE's
``{"error_code", "error_msg", "id"}``; `error_fault` injects any code inside an HTTP 200, and the
base's faults (status, latency, drop, malformed JSON, cut streams) work as everywhere. Both emulators
implement `relaykit.testing.ChatScripting` (``script_chat``, ``script_chat_error``), so the
conformance kit can script exact answers::

    import relaykit
    from relaykit_ernie.emulator import ErnieEmulator

    with ErnieEmulator() as emu:
        client = relaykit.Client(providers={"ernie": {
            "base_url": emu.base_url, "api_key": "test-key", "secret_key": "test-secret"}})
        client.chat.completions.create(model="ernie/ernie-4.0-8k", messages=[...])
        emu.expire_tokens()                                  # the next call refreshes its token
        emu.inject(ErnieEmulator.error_fault(18))            # the next call: QPS limit (RateLimitError)

`QianfanEmulator` serves v2 under ``/v2`` (see ``emulator._qianfan``).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

import relaykit
from relaykit.testing import Emulator, Fault, RecordedRequest, Reply
from relaykit_ernie._models import CHAT_ENDPOINTS, EMBEDDING_ENDPOINTS

from ._chat import UNSAFE_WORDS, ChatError, ScriptedChat, chat_reply, check_chat_body
from ._embeddings import v1_embedding_payload
from ._qianfan import QianfanEmulator

__all__ = ["UNSAFE_WORDS", "ErnieEmulator", "QianfanEmulator", "ScriptedChat"]

_MESSAGES = {
    1: "Unknown error",
    2: "Service temporarily unavailable",
    3: "Unsupported openapi method",
    4: "Open api request limit reached",
    6: "No permission to access data",
    17: "Open api daily request limit reached",
    18: "Open api qps request limit reached",
    19: "Open api total request limit reached",
    100: "Invalid parameter",
    110: "Access token invalid or no longer valid",
    111: "Access token expired",
    336000: "Internal error",
    336001: "Invalid Argument",
    336002: "Invalid JSON",
    336003: "Invalid parameter(s)",
    336005: "API name not exist",
    336100: "try again later",
    336501: "Rate limit reached for RPM",
    336502: "Rate limit reached for TPM",
}
# The v1 code a status fault stands for (its body is ERNIE's, its status the fault's).
_CODE_FOR_STATUS = {400: 336003, 401: 110, 403: 6, 404: 336005, 429: 18, 500: 336000, 503: 336100, 529: 336100}
# The v1 code that stands for each relaykit error, for `script_chat_error` (13, not 110/111: those
# would be answered by a token refresh).
_CODE_FOR_ERROR: dict[type[relaykit.APIStatusError], int] = {
    relaykit.BadRequestError: 336003,
    relaykit.AuthenticationError: 13,
    relaykit.PermissionDeniedError: 6,
    relaykit.NotFoundError: 336005,
    relaykit.RateLimitError: 18,
    relaykit.QuotaExceededError: 17,
    relaykit.OverloadedError: 336100,
    relaykit.ServerError: 336000,
}


class ErnieEmulator(Emulator):
    """Qianfan v1 (wenxinworkshop), served on 127.0.0.1; `base_url` is the bare origin.

    Args:
        api_key: the API Key the token endpoint accepts; None accepts any credentials and token.
        secret_key: the Secret Key the token endpoint accepts.
        token_lifetime: ``expires_in`` of issued tokens, in seconds (ERNIE: 30 days).
        endpoints: extra chat endpoints to serve (self-deployed services), besides the plugin's table.
        host: the address to listen on.
        port: the port; 0 picks a free one.
    """

    request_id_header: ClassVar[str] = "x-baidu-request-id"
    demo_model: ClassVar[str | None] = "ernie-4.0-8k"

    def __init__(
        self,
        *,
        api_key: str | None = "test-key",
        secret_key: str = "test-secret",  # noqa: S107 - fake credentials of a local emulator
        token_lifetime: int = 2_592_000,
        endpoints: Iterable[str] = (),
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(api_key=api_key, host=host, port=port)
        self.secret_key = secret_key
        self.token_lifetime = token_lifetime
        self.chat_endpoints = set(CHAT_ENDPOINTS.values()) | set(endpoints)
        self.embedding_endpoints = set(EMBEDDING_ENDPOINTS.values())
        self._tokens: dict[str, float] = {}  # token -> expiry (monotonic)
        self._revoked: dict[str, int] = {}  # token -> the error code it now gets (110 or 111)
        self._issued = 0
        self._token_lock = threading.Lock()
        self._scripts: deque[ScriptedChat] = deque()
        self.route("POST", "/oauth/2.0/token", self._token, auth=False)
        self.route("POST", "/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/{endpoint}", self._chat)
        self.route("POST", "/rpc/2.0/ai_custom/v1/wenxinworkshop/embeddings/{endpoint}", self._embeddings)

    # -- control ------------------------------------------------------------------------------

    @property
    def tokens_issued(self) -> int:
        """How many access tokens the token endpoint has issued."""
        with self._token_lock:
            return self._issued

    def expire_tokens(self) -> None:
        """Make every token issued so far answer 111 (expired)."""
        self._revoke(111)

    def invalidate_tokens(self) -> None:
        """Make every token issued so far answer 110 (invalid)."""
        self._revoke(110)

    @staticmethod
    def error_fault(code: int, message: str | None = None) -> Fault:
        """A fault answering HTTP 200 with ``{"error_code": code, "error_msg": ...}``, as ERNIE does."""
        text = message or _MESSAGES.get(code, "error")
        return Fault.status(200, body={"error_code": code, "error_msg": text, "id": f"as-fault{code}"})

    def client_settings(self, kind: str) -> dict[str, Any]:
        """`base_url`, `api_key` and the `secret_key` the token endpoint accepts."""
        return {**super().client_settings(kind), "secret_key": self.secret_key}

    def script_chat(
        self,
        text: str | None = None,
        *,
        tool_calls: Sequence[Mapping[str, Any]] = (),
        function_call: Mapping[str, str] | None = None,
        finish_reason: str | None = None,
        need_clear_history: bool = False,
    ) -> None:
        """Queue an exact answer for the next chat request (streamed or not); queued answers go first.

        Args:
            text: the ``result``.
            tool_calls: at most one call ``{"name", "arguments": dict or JSON string}`` (v1 makes
                one call per turn: more is a ValueError).
            function_call: the call in ERNIE's own shape, ``{"name", "arguments", "thoughts"?}``.
            finish_reason: defaults to ``function_call`` with a call, ``length`` when cut, else ``normal``.
            need_clear_history: answer as ERNIE does for unsafe input.
        """
        if len(tool_calls) > 1:
            raise ValueError("ERNIE v1 makes one function call per turn")
        call = dict(function_call) if function_call is not None else None
        if tool_calls:
            arguments = tool_calls[0].get("arguments", {})
            if not isinstance(arguments, str):
                arguments = json.dumps(arguments, ensure_ascii=False)
            call = {"name": str(tool_calls[0]["name"]), "arguments": arguments}
        with self._lock:
            self._scripts.append(ScriptedChat(text or "", call, finish_reason, need_clear_history))

    def script_chat_error(
        self, error: type[relaykit.APIStatusError], message: str = "The server had an error."
    ) -> None:
        """Make the next chat answer an ERNIE error code inside an HTTP 200 (see `_CODE_FOR_ERROR`).

        Raises:
            ValueError: no v1 code stands for `error` (context length, content policy).
        """
        code = _CODE_FOR_ERROR.get(error)
        if code is None:
            raise ValueError(f"ERNIE v1 has no error code that means {error.__name__}")
        with self._lock:
            self._scripts.append(ScriptedChat(error=(code, message)))

    def reset(self) -> None:
        """Forget requests, faults, scripted answers and issued tokens."""
        super().reset()
        with self._lock:
            self._scripts.clear()
        with self._token_lock:
            self._tokens.clear()
            self._revoked.clear()
            self._issued = 0

    # -- dialect hooks --------------------------------------------------------------------------

    def authorize(self, request: RecordedRequest) -> Reply | None:
        """Require a valid ``access_token`` query parameter (errors 100, 110, 111 in an HTTP 200)."""
        token = (request.query.get("access_token") or [""])[0]
        if not token:
            return self._error(100, "Invalid parameter")
        with self._token_lock:
            revoked = self._revoked.get(token)
            expiry = self._tokens.get(token)
        if revoked is not None:
            return self._error(revoked)
        if expiry is None:
            return self._error(110)
        if time.monotonic() >= expiry:
            return self._error(111)
        return None

    def error_reply(
        self,
        status: int,
        message: str | None = None,
        *,
        error_code: str | None = None,
        error_type: str | None = None,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """ERNIE's error body, with the fault's HTTP status (the v1 code the status stands for)."""
        code = int(error_code) if error_code and error_code.isdigit() else _CODE_FOR_STATUS.get(status, 336000)
        return self._error(code, message, status=status, headers=headers)

    def not_found(self, request: RecordedRequest) -> Reply:
        return self._error(3)

    # -- routes ---------------------------------------------------------------------------------

    def _token(self, request: RecordedRequest) -> Reply:
        def query(name: str) -> str:
            return (request.query.get(name) or [""])[0]

        if query("grant_type") != "client_credentials":
            return Reply.json(
                {"error": "unsupported_grant_type", "error_description": "unsupported grant type"}, status=400
            )
        if self.api_key is not None and query("client_id") != self.api_key:
            return Reply.json({"error": "invalid_client", "error_description": "unknown client id"}, status=401)
        if self.api_key is not None and query("client_secret") != self.secret_key:
            error = {"error": "invalid_client", "error_description": "Client authentication failed"}
            return Reply.json(error, status=401)
        token = f"24.{secrets.token_hex(16)}.{self.token_lifetime}.{int(time.time())}.{self.next_id()}-4242"
        with self._token_lock:
            self._tokens[token] = time.monotonic() + self.token_lifetime
            self._issued += 1
        return Reply.json(
            {
                "refresh_token": f"25.{secrets.token_hex(16)}",
                "expires_in": self.token_lifetime,
                "session_key": secrets.token_hex(8),
                "access_token": token,
                "scope": "public brain_all_scope wenxinworkshop_mgr",
                "session_secret": secrets.token_hex(8),
            }
        )

    def _chat(self, request: RecordedRequest) -> Reply:
        endpoint = request.path_params["endpoint"]
        if endpoint not in self.chat_endpoints:
            return self._error(336005)
        try:
            body = check_chat_body(_json(request))
        except ChatError as exc:
            return self._error(exc.code, exc.message)
        with self._lock:
            script = self._scripts.popleft() if self._scripts else None
        if script is not None and script.error is not None:
            return self._error(*script.error)
        return chat_reply(body, self._answer_id(), script)

    def _embeddings(self, request: RecordedRequest) -> Reply:
        endpoint = request.path_params["endpoint"]
        if endpoint not in self.embedding_endpoints:
            return self._error(336005)
        try:
            return Reply.json(v1_embedding_payload(endpoint, _json(request), self._answer_id()))
        except ChatError as exc:
            return self._error(exc.code, exc.message)

    def _error(
        self, code: int, message: str | None = None, *, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> Reply:
        body = {"error_code": code, "error_msg": message or _MESSAGES.get(code, "error"), "id": self._answer_id()}
        return Reply.json(body, status=status, headers=headers)

    def _answer_id(self) -> str:
        return f"as-emu{self.next_id():06d}"

    def _revoke(self, code: int) -> None:
        with self._token_lock:
            for token in self._tokens:
                self._revoked[token] = code


def _json(request: RecordedRequest) -> object:
    try:
        return request.json()
    except ValueError:
        return None
