"""What every stream accumulator keeps besides the choices: the answer's identity and usage."""

from __future__ import annotations

from typing import Any

from ._chat import Usage

__all__ = ["StreamMeta"]


class StreamMeta:
    """The first non-empty id, model, timestamp, provider and fingerprint of a stream; its last usage."""

    def __init__(self) -> None:
        self.id = ""
        self.model = ""
        self.created = 0
        self.provider: str | None = None
        self.system_fingerprint: str | None = None
        self.usage: Usage | None = None
        self.chunks = 0
        self._identified = False

    def _track(self, chunk: Any) -> None:
        """Count `chunk` and take what it says about the answer (the first value of each wins)."""
        self.chunks += 1
        if not self._identified:  # checked per chunk only until the stream has said who it is
            self.id = self.id or chunk.id
            self.model = self.model or chunk.model
            self.created = self.created or chunk.created
            self.provider = self.provider or chunk.provider
            self._identified = bool(self.id and self.model and self.created and self.provider)
        if self.system_fingerprint is None and chunk.system_fingerprint:
            self.system_fingerprint = chunk.system_fingerprint
        if chunk.usage is not None:
            self.usage = chunk.usage
