"""The benchmark's loopback server: canned OpenAI and Anthropic answers, as fast as Python serves them.

A raw asyncio protocol (uvloop when installed), HTTP/1.1 keep-alive, no framework: it reads a
request, looks at its path and whether the body asks for a stream, and writes a prebuilt answer.

- ``POST /v1/chat/completions``: an OpenAI chat completion (JSON), or with ``"stream": true`` an SSE
  stream of `CHUNKS` content chunks (each a chunk of the chunked body) ending with ``[DONE]``.
- ``POST /v1/messages``: the same in Anthropic's Messages dialect.
- ``GET /__cpu``: this process's CPU seconds so far, so the runner can show the server's CPU share.

    python bench/server.py [--port 0] [--cpu 1]    # prints "port N" once listening
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from typing import Any

CHUNKS = 500
MODEL = "gpt-4o-mini"
CLAUDE = "claude-sonnet-4-5"
WORDS = ("Hello", " there", ",", " this", " is", " a", " benchmark", " answer", " 你好", ".")


def _http(status: str, content_type: str, body: bytes, request_id: str) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {len(body)}\r\n"
        f"x-request-id: {request_id}\r\nrequest-id: {request_id}\r\n\r\n"
    )
    return head.encode() + body


def _chunked(content_type: str, events: list[bytes], request_id: str) -> bytes:
    head = (
        f"HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ntransfer-encoding: chunked\r\n"
        f"cache-control: no-cache\r\nx-request-id: {request_id}\r\nrequest-id: {request_id}\r\n\r\n"
    ).encode()
    return head + b"".join(b"%X\r\n%s\r\n" % (len(event), event) for event in events) + b"0\r\n\r\n"


def _sse(data: object, event: str | None = None) -> bytes:
    name = f"event: {event}\n" if event else ""
    return f"{name}data: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n".encode()


def openai_json() -> bytes:
    answer = {
        "id": "chatcmpl-bench0001",
        "object": "chat.completion",
        "created": 1767225600,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "".join(WORDS), "refusal": None, "annotations": []},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": 25,
            "completion_tokens": 12,
            "total_tokens": 37,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        },
        "service_tier": "default",
        "system_fingerprint": "fp_bench",
    }
    return _http("200 OK", "application/json", json.dumps(answer).encode(), "req_bench")


def openai_stream(chunks: int = CHUNKS) -> bytes:
    base = {"id": "chatcmpl-bench0001", "object": "chat.completion.chunk", "created": 1767225600, "model": MODEL}
    events = [
        _sse({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]})
    ]
    for index in range(chunks):
        delta = {"content": WORDS[index % len(WORDS)]}
        events.append(_sse({**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}))
    events.append(_sse({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    events.append(b"data: [DONE]\n\n")
    return _chunked("text/event-stream; charset=utf-8", events, "req_bench")


def anthropic_json() -> bytes:
    answer = {
        "id": "msg_bench0001",
        "type": "message",
        "role": "assistant",
        "model": CLAUDE,
        "content": [{"type": "text", "text": "".join(WORDS)}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 25,
            "output_tokens": 12,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        },
    }
    return _http("200 OK", "application/json", json.dumps(answer).encode(), "req_bench")


def anthropic_stream(chunks: int = CHUNKS) -> bytes:
    start = {
        "type": "message_start",
        "message": {
            "id": "msg_bench0001",
            "type": "message",
            "role": "assistant",
            "model": CLAUDE,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 25, "output_tokens": 1},
        },
    }
    events = [
        _sse(start, "message_start"),
        _sse(
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
            "content_block_start",
        ),
    ]
    for index in range(chunks):
        delta = {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": WORDS[index % len(WORDS)]},
        }
        events.append(_sse(delta, "content_block_delta"))
    events += [
        _sse({"type": "content_block_stop", "index": 0}, "content_block_stop"),
        _sse(
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": chunks},
            },
            "message_delta",
        ),
        _sse({"type": "message_stop"}, "message_stop"),
    ]
    return _chunked("text/event-stream; charset=utf-8", events, "req_bench")


ANSWERS = {
    (b"/v1/chat/completions", False): openai_json(),
    (b"/v1/chat/completions", True): openai_stream(),
    (b"/v1/messages", False): anthropic_json(),
    (b"/v1/messages", True): anthropic_stream(),
}
NOT_FOUND = _http("404 Not Found", "application/json", b'{"error": {"message": "not found"}}', "req_bench")


class Server(asyncio.Protocol):
    """One connection: parse requests off the buffer, answer each from `ANSWERS`."""

    def __init__(self) -> None:
        self.buffer = b""
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:  # uvloop's transports are not asyncio.Transport
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            lower = head.lower()
            at = lower.find(b"content-length:")
            length = (
                int(lower[at + 15 : lower.find(b"\r\n", at) if lower.find(b"\r\n", at) > 0 else None]) if at >= 0 else 0
            )
            if b"transfer-encoding: chunked" in lower:
                body, consumed = _dechunk(self.buffer, end + 4)
                if body is None:
                    return
            else:
                consumed = end + 4 + length
                if len(self.buffer) < consumed:
                    return
                body = self.buffer[end + 4 : consumed]
            self.buffer = self.buffer[consumed:]
            self.answer(head, body)

    def answer(self, head: bytes, body: bytes) -> None:
        assert self.transport is not None
        path = head.split(b" ", 2)[1].split(b"?")[0]
        if path == b"/__cpu":
            cpu = json.dumps({"cpu": time.process_time()}).encode()
            self.transport.write(_http("200 OK", "application/json", cpu, "cpu"))
            return
        stream = b'"stream":true' in body or b'"stream": true' in body
        self.transport.write(ANSWERS.get((path, stream), NOT_FOUND))


def _dechunk(buffer: bytes, start: int) -> tuple[bytes | None, int]:
    parts: list[bytes] = []
    at = start
    while True:
        line_end = buffer.find(b"\r\n", at)
        if line_end < 0:
            return None, 0
        size = int(buffer[at:line_end].split(b";")[0], 16)
        if len(buffer) < line_end + 2 + size + 2:
            return None, 0
        if size == 0:
            trailer_end = buffer.find(b"\r\n", line_end + 2)
            if trailer_end < 0:
                return None, 0
            return b"".join(parts), trailer_end + 2
        parts.append(buffer[line_end + 2 : line_end + 2 + size])
        at = line_end + 2 + size + 2


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Server, "127.0.0.1", port, backlog=1024)
    print(f"port {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description="The benchmark's loopback server.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cpu", type=int, default=None, help="pin the server to this CPU")
    args = parser.parse_args()
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    try:
        asyncio.run(serve(args.port))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
