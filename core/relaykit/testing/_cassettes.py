"""Cassettes: vcrpy configured the relaykit way, for this repository and for plugin authors.

```python
from relaykit.testing import use_cassette

def test_chat_replays(client):
    with use_cassette("cassettes/openai/chat/test_chat_replays.yaml"):
        client.chat.completions.create(...)
```

- Record mode is ``none`` (replay only: a request with no recorded match fails loudly) unless the
  environment variable ``RELAYKIT_RECORD`` names a vcrpy record mode (``once``, ``new_episodes``,
  ``all``). Re-recording is therefore one command for someone with keys, e.g.
  ``RELAYKIT_RECORD=all OPENAI_API_KEY=sk-... python -m pytest -m cassette``.
- Requests match on method, scheme, host, port, path, query and body: JSON bodies compared parsed
  (key order and whitespace do not matter), multipart uploads part by part (the random boundary
  does not matter; see `_cassette_match`).
- Secrets never reach a cassette: auth headers, cookies and secret query parameters are filtered,
  and the known key values are replaced wherever they appear.
- JSON bodies are stored pretty-printed and multi-line bodies (SSE streams) as YAML block text, so
  cassettes read (and hand-write) like the vendor documentation.

vcrpy and PyYAML are test dependencies (the ``dev`` extra), imported only when this is used.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["RECORD_ENV", "SECRET_HEADERS", "SECRET_QUERY_PARAMETERS", "relaykit_vcr", "use_cassette"]

RECORD_ENV = "RELAYKIT_RECORD"
SECRET_HEADERS = (
    "authorization",
    "x-api-key",
    "api-key",
    "x-key",
    "mj-api-secret",
    "cookie",
    "set-cookie",
    "openai-organization",
    "openai-project",
    "anthropic-organization-id",
)
SECRET_QUERY_PARAMETERS = ("access_token", "authorization", "api_key", "key", "client_id", "client_secret", "signature")
_DROPPED_RESPONSE_HEADERS = ("content-length", "content-encoding", "transfer-encoding", *SECRET_HEADERS)
_SECRET_ENV = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "STABILITY_API_KEY", "BFL_API_KEY")


def relaykit_vcr(*, record_mode: str | None = None, secrets: Iterable[str] = ()) -> Any:
    """A `vcr.VCR` with relaykit's matching, filtering and serialization."""
    import vcr

    from . import _cassette_match, _cassette_yaml

    mode = record_mode or os.environ.get(RECORD_ENV) or "none"
    known = [value for value in (*secrets, *(os.environ.get(name, "") for name in _SECRET_ENV)) if value]
    recorder = vcr.VCR(
        record_mode=mode,
        match_on=("method", "scheme", "host", "port", "path", "query", "relaykit_body"),
        filter_headers=[(name, "REDACTED") for name in SECRET_HEADERS],
        filter_query_parameters=[(name, "REDACTED") for name in SECRET_QUERY_PARAMETERS],
        filter_sensitive_data=[(value, "REDACTED") for value in known],
        before_record_request=_pretty_request,
        before_record_response=_pretty_response,
        decode_compressed_response=True,
        serializer="relaykit-yaml",
    )
    recorder.register_serializer("relaykit-yaml", _cassette_yaml)
    recorder.register_matcher("relaykit_body", _cassette_match.body)
    return recorder


@contextmanager
def use_cassette(path: str | os.PathLike[str], *, record_mode: str | None = None) -> Iterator[Any]:
    """Replay (or, with ``RELAYKIT_RECORD``, record) the cassette at `path`."""
    mode = record_mode or os.environ.get(RECORD_ENV) or "none"
    if mode == "none" and not Path(path).is_file():
        raise FileNotFoundError(f"cassette {path} does not exist; record it with {RECORD_ENV}=once and real keys")
    with relaykit_vcr(record_mode=mode).use_cassette(str(path)) as cassette:
        yield cassette


def _pretty_json(raw: bytes | str | None) -> bytes | str | None:
    if not raw:
        return raw
    try:
        pretty = json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except (ValueError, UnicodeDecodeError):
        return raw
    return pretty.encode("utf-8") if isinstance(raw, bytes) else pretty


_NOISE_REQUEST_HEADERS = ("host", "content-length", "accept-encoding", "connection", "user-agent")


def _pretty_request(request: Any) -> Any:
    for name in _NOISE_REQUEST_HEADERS:
        request.headers.pop(name, None)
    if "json" in request.headers.get("content-type", ""):
        request.body = _pretty_json(request.body)
    return request


def _pretty_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = {k: v for k, v in response["headers"].items() if k.lower() not in _DROPPED_RESPONSE_HEADERS}
    response["headers"] = headers
    content_type = " ".join(v for k, vs in headers.items() if k.lower() == "content-type" for v in vs)
    if "json" in content_type:
        response["body"]["string"] = _pretty_json(response["body"]["string"])
    return response
