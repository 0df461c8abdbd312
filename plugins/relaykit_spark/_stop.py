"""Stop sequences, applied by relaykit to the text Spark sends (neither Spark API takes ``stop``).

The answer ends right before the first stop sequence, with finish reason ``stop``, as a vendor that
honours ``stop`` would end it. Streamed text that could be the start of a stop sequence is held back
until the next piece shows whether it is. The vendor may have generated (and billed) more than is
shown; a WebSocket session is closed as soon as a sequence is met, so its final usage frame, and
with it the usage, is not read.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["StopCutter", "cut"]


class StopCutter:
    """Cuts streamed text at the first of `stops` (empty: passes text through)."""

    def __init__(self, stops: Sequence[str]) -> None:
        self._stops = [stop for stop in stops if stop]
        self._held = ""
        self.stopped = False
        """True once a stop sequence was met: nothing more is to be shown."""

    def feed(self, text: str) -> str:
        """The part of `text` (after what was held back) that may be shown now."""
        if not self._stops or self.stopped:
            return "" if self.stopped else text
        buffer = self._held + text
        found = [buffer.find(stop) for stop in self._stops if stop in buffer]
        if found:
            self._held, self.stopped = "", True
            return buffer[: min(found)]
        keep = _partial_stop(buffer, self._stops)
        self._held = buffer[len(buffer) - keep :] if keep else ""
        return buffer[: len(buffer) - keep]

    def flush(self) -> str:
        """What was held back, at the end of the text."""
        held, self._held = self._held, ""
        return held


def cut(text: str, stops: Sequence[str]) -> tuple[str, bool]:
    """`text` up to the first of `stops`, and whether one was met."""
    cutter = StopCutter(stops)
    shown = cutter.feed(text)
    return (shown, True) if cutter.stopped else (shown + cutter.flush(), False)


def _partial_stop(buffer: str, stops: Sequence[str]) -> int:
    """The length of the longest end of `buffer` that begins some stop sequence."""
    longest = 0
    for stop in stops:
        for size in range(min(len(stop) - 1, len(buffer)), longest, -1):
            if buffer.endswith(stop[:size]):
                longest = size
                break
    return longest
