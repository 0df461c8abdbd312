"""Framing a streamed body into `StreamEvent`s: server-sent events and NDJSON lines. Pure, no I/O.

Fed the body's bytes as they arrive (in pieces of any size), each decoder returns the events those
bytes complete. They follow httpx2's own decoders exactly, so that both HTTP backends hand a flow's
decoder the same events for the same bytes:

- `SSEDecoder` (the WHATWG event-stream format): ``\\n``, ``\\r\\n`` and ``\\r`` end lines; a blank
  line dispatches the event when a field was set; ``data`` lines are joined with ``\\n``; the last
  ``id`` is kept for later events; comments (``:``) and unknown fields are ignored; an event left
  unterminated at the end of the body is dropped.
- `LineDecoder` (NDJSON): the lines of `str.splitlines`, blank ones skipped.
"""

from __future__ import annotations

import codecs

from ._flow import StreamEvent

__all__ = ["LineDecoder", "SSEDecoder"]


class SSEDecoder:
    """Bytes of a ``text/event-stream`` body in, complete `StreamEvent`s out."""

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending: list[str] = []
        self._trailing_cr = False
        self._event = ""
        self._data: list[str] = []
        self._id = ""
        self._dispatch = False

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        """The events that `chunk` completes."""
        text = self._text.decode(chunk)
        if text[-2:] == "\n\n" and not (self._pending or self._trailing_cr or self._dispatch) and "\r" not in text:
            events = self._data_only(text)
            if events is not None:
                return events
        return self._lines(self._split(text))

    def _data_only(self, text: str) -> list[StreamEvent] | None:
        """The fast path: whole events of one ``data:`` line, maybe after one ``event:`` line, as
        vendors send them.

        Taken only when nothing is pending and `text` ends an event, so that it gives exactly what
        the general path would; None sends anything else (comments, ``id:`` fields, several data
        lines, blank-line runs) the general way.
        """
        events: list[StreamEvent] = []
        event_id = self._id
        for block in text[:-2].split("\n\n"):
            name, data = "message", block
            if block[:6] == "event:":
                line, _, data = block.partition("\n")
                name = (line[7:] if line[6:7] == " " else line[6:]) or "message"
            if data[:5] != "data:" or "\n" in data:
                return None
            events.append(StreamEvent(data[6:] if data[5:6] == " " else data[5:], name, event_id))
        return events

    def flush(self) -> list[StreamEvent]:
        """The events completed by the end of the body (a last line ended by a lone ``\\r``)."""
        lines = self._split(self._text.decode(b"", final=True))
        if self._trailing_cr:
            self._pending.append("\n")
            self._trailing_cr = False
        if self._pending:
            lines.extend("".join(self._pending).split("\n"))
            self._pending = []
        return self._lines(lines)

    def _split(self, text: str) -> list[str]:
        if self._trailing_cr:
            text, self._trailing_cr = "\r" + text, False
        if "\r" in text:
            if text.endswith("\r"):
                text, self._trailing_cr = text[:-1], True
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if "\n" not in text:
            if text:
                self._pending.append(text)
            return []
        lines = text.split("\n")
        if self._pending:
            self._pending.append(lines[0])
            lines[0] = "".join(self._pending)
            self._pending = []
        last = lines.pop()
        if last:
            self._pending.append(last)
        return lines

    def _lines(self, lines: list[str]) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        for line in lines:
            if not line:
                if self._dispatch:
                    events.append(StreamEvent(data="\n".join(self._data), event=self._event or "message", id=self._id))
                    self._event, self._data, self._dispatch = "", [], False
                continue
            field, _, value = line.partition(":")
            if value[:1] == " ":
                value = value[1:]
            if field == "data":
                self._data.append(value)
                self._dispatch = True
            elif field == "event":
                self._event = value
                self._dispatch = True
            elif field == "id":
                if "\0" not in value:
                    self._id = value
                    self._dispatch = True
            elif field == "retry" and _is_int(value):
                self._dispatch = True
        return events


def _is_int(value: str) -> bool:
    """What httpx2 accepts as a ``retry`` value: anything `int` parses (" 5", "5 ", "+5")."""
    try:
        int(value)
    except ValueError:
        return False
    return True


_NEWLINES = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


class LineDecoder:
    """Bytes of an NDJSON body in, one `StreamEvent` per non-blank line out."""

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")("replace")
        self._buffer: list[str] = []
        self._trailing_cr = False

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        """The events for the lines that `chunk` completes."""
        return _events(self._split(self._text.decode(chunk)))

    def flush(self) -> list[StreamEvent]:
        """The event for a last line left unterminated."""
        lines = self._split(self._text.decode(b"", final=True))
        if self._buffer or self._trailing_cr:
            lines.append("".join(self._buffer))
            self._buffer, self._trailing_cr = [], False
        return _events(lines)

    def _split(self, text: str) -> list[str]:
        if self._trailing_cr:
            text, self._trailing_cr = "\r" + text, False
        if text.endswith("\r"):
            text, self._trailing_cr = text[:-1], True
        if not text:
            return []
        trailing_newline = text[-1] in _NEWLINES
        lines = text.splitlines()
        if len(lines) == 1 and not trailing_newline:
            self._buffer.append(lines[0])
            return []
        if self._buffer:
            lines[0] = "".join(self._buffer) + lines[0]
            self._buffer = []
        if not trailing_newline:
            self._buffer = [lines.pop()]
        return lines


def _events(lines: list[str]) -> list[StreamEvent]:
    return [StreamEvent(data=line) for line in lines if line.strip()]
