"""One competitor of the benchmark in its own process, driven by `bench/run.py`.

    python bench/worker.py COMPETITOR URL            # commands on stdin, results on stdout (JSON lines)
    python bench/worker.py COMPETITOR URL --memory   # RSS after import, then after 10,000 calls

Competitors: ``relaykit`` (sync and async, each async backend), ``raw-httpx2`` and ``raw-aiohttp``
(the same request and ``json.loads``, the floor), ``openai`` (the official SDK) and ``litellm``.
Every competitor builds its clients once and reuses them, as an application would. Each command
answers a number: microseconds per call (``latency``), chunks per second (``stream``), requests per
second (``throughput``), or microseconds per translation (``translate``, relaykit only).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

CHUNKS = 500
MESSAGES = [{"role": "user", "content": "Say hello"}]
OPENAI_MODEL = "gpt-4o-mini"
CLAUDE_MODEL = "claude-sonnet-4-5"
KEY = "sk-bench-0123456789"


def _openai_body(stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"model": OPENAI_MODEL, "messages": MESSAGES}
    if stream:
        body["stream"] = True
    return body


def _anthropic_body(stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"model": CLAUDE_MODEL, "messages": MESSAGES, "max_tokens": 1024}
    if stream:
        body["stream"] = True
    return body


async def _count(stream: Any) -> int:
    """Count a stream's chunks as they arrive, keeping none (as the sync cases and raw clients do)."""
    count = 0
    async for _ in stream:
        count += 1
    return count


class Competitor:
    """What every competitor offers; a missing method means "not applicable" (the cell stays empty)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.loop = asyncio.new_event_loop()

    def run(self, coroutine: Awaitable[Any]) -> Any:
        return self.loop.run_until_complete(coroutine)

    # Each returns a callable doing one call (sync) or a coroutine function (async).
    def sync_call(self, dialect: str) -> Callable[[], Any] | None:
        return None

    def async_call(self, dialect: str, backend: str) -> Callable[[], Awaitable[Any]] | None:
        return None

    def sync_stream(self, dialect: str) -> Callable[[], int] | None:
        return None

    def async_stream(self, dialect: str, backend: str) -> Callable[[], Awaitable[int]] | None:
        return None


class Relaykit(Competitor):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        import relaykit

        self.relaykit = relaykit
        self.providers = {
            "openai": {"api_key": KEY, "base_url": f"{url}/v1"},
            "anthropic": {"api_key": KEY, "base_url": url},
        }
        self.client = relaykit.Client(providers=self.providers)
        self.async_clients: dict[str, Any] = {}

    def _async(self, backend: str) -> Any:
        if backend not in self.async_clients:
            self.async_clients[backend] = self.relaykit.AsyncClient(providers=self.providers, http_backend=backend)
        return self.async_clients[backend]

    @staticmethod
    def _model(dialect: str) -> str:
        return f"openai/{OPENAI_MODEL}" if dialect == "openai" else f"anthropic/{CLAUDE_MODEL}"

    def sync_call(self, dialect: str) -> Callable[[], Any]:
        create, model = self.client.chat.completions.create, self._model(dialect)
        return lambda: create(model=model, messages=MESSAGES)

    def async_call(self, dialect: str, backend: str) -> Callable[[], Awaitable[Any]]:
        create, model = self._async(backend).chat.completions.create, self._model(dialect)
        return lambda: create(model=model, messages=MESSAGES)

    def sync_stream(self, dialect: str) -> Callable[[], int]:
        create, model = self.client.chat.completions.create, self._model(dialect)

        def stream() -> int:
            return sum(1 for _ in create(model=model, messages=MESSAGES, stream=True))

        return stream

    def async_stream(self, dialect: str, backend: str) -> Callable[[], Awaitable[int]]:
        create, model = self._async(backend).chat.completions.create, self._model(dialect)

        async def stream() -> int:
            return await _count(await create(model=model, messages=MESSAGES, stream=True))

        return stream

    def translate(self, dialect: str, n: int) -> dict[str, float]:
        from translation import measure

        return measure(self.client, dialect, n)


class RawHttpx2(Competitor):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        import httpx2

        self.client = httpx2.Client()
        self.async_client = httpx2.AsyncClient()

    def _target(self, dialect: str, stream: bool) -> tuple[str, dict[str, str], dict[str, Any]]:
        """The URL, headers and body relaykit sends for the same call."""
        common = {"accept": "application/json", "content-type": "application/json", "user-agent": "relaykit/0.1.0"}
        if dialect == "openai":
            headers = {**common, "authorization": f"Bearer {KEY}"}
            return f"{self.url}/v1/chat/completions", headers, _openai_body(stream)
        headers = {**common, "anthropic-version": "2023-06-01", "x-api-key": KEY}
        return f"{self.url}/v1/messages", headers, _anthropic_body(stream)

    def sync_call(self, dialect: str) -> Callable[[], Any]:
        url, headers, body = self._target(dialect, False)
        post, loads = self.client.post, json.loads
        return lambda: loads(post(url, headers=headers, json=body).content)

    def async_call(self, dialect: str, backend: str) -> Callable[[], Awaitable[Any]] | None:
        if backend != "httpx2":
            return None
        url, headers, body = self._target(dialect, False)
        post = self.async_client.post

        async def call() -> Any:
            return json.loads((await post(url, headers=headers, json=body)).content)

        return call

    def sync_stream(self, dialect: str) -> Callable[[], int]:
        url, headers, body = self._target(dialect, True)

        def stream() -> int:
            count = 0
            with self.client.stream("POST", url, headers=headers, json=body) as response:
                for line in response.iter_lines():
                    if line.startswith("data:"):
                        data = line[5:].strip()
                        if data == "[DONE]":
                            break
                        json.loads(data)
                        count += 1
            return count

        return stream

    def async_stream(self, dialect: str, backend: str) -> Callable[[], Awaitable[int]] | None:
        if backend != "httpx2":
            return None
        url, headers, body = self._target(dialect, True)

        async def stream() -> int:
            count = 0
            async with self.async_client.stream("POST", url, headers=headers, json=body) as response:
                async for line in response.aiter_lines():
                    if line.startswith("data:"):
                        data = line[5:].strip()
                        if data == "[DONE]":
                            break
                        json.loads(data)
                        count += 1
            return count

        return stream


class RawAiohttp(RawHttpx2):
    def __init__(self, url: str) -> None:
        Competitor.__init__(self, url)
        import aiohttp

        self.aiohttp = aiohttp
        self.session: Any = None

    def _session(self) -> Any:
        if self.session is None:

            async def make() -> Any:
                return self.aiohttp.ClientSession()

            self.session = self.run(make())
        return self.session

    def sync_call(self, dialect: str) -> None:
        return None

    def sync_stream(self, dialect: str) -> None:
        return None

    def async_call(self, dialect: str, backend: str) -> Callable[[], Awaitable[Any]] | None:
        if backend != "aiohttp":
            return None
        url, headers, body = self._target(dialect, False)
        session = self._session()

        async def call() -> Any:
            async with session.post(url, headers=headers, json=body) as response:
                return json.loads(await response.read())

        return call

    def async_stream(self, dialect: str, backend: str) -> Callable[[], Awaitable[int]] | None:
        if backend != "aiohttp":
            return None
        url, headers, body = self._target(dialect, True)
        session = self._session()

        async def stream() -> int:
            count = 0
            async with session.post(url, headers=headers, json=body) as response:
                async for line in response.content:
                    if line.startswith(b"data:"):
                        data = line[5:].strip()
                        if data == b"[DONE]":
                            break
                        json.loads(data)
                        count += 1
            return count

        return stream


class OpenAISDK(Competitor):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        import openai

        self.client = openai.OpenAI(base_url=f"{url}/v1", api_key=KEY, max_retries=0)
        self.async_client = openai.AsyncOpenAI(base_url=f"{url}/v1", api_key=KEY, max_retries=0)

    def sync_call(self, dialect: str) -> Callable[[], Any] | None:
        create = self.client.chat.completions.create
        return (lambda: create(model=OPENAI_MODEL, messages=MESSAGES)) if dialect == "openai" else None  # type: ignore[arg-type]

    def async_call(self, dialect: str, backend: str) -> Callable[[], Awaitable[Any]] | None:
        if dialect != "openai" or backend != "httpx":
            return None
        create = self.async_client.chat.completions.create
        return lambda: create(model=OPENAI_MODEL, messages=MESSAGES)  # type: ignore[arg-type]

    def sync_stream(self, dialect: str) -> Callable[[], int] | None:
        if dialect != "openai":
            return None
        create = self.client.chat.completions.create
        return lambda: sum(1 for _ in create(model=OPENAI_MODEL, messages=MESSAGES, stream=True))  # type: ignore[arg-type]

    def async_stream(self, dialect: str, backend: str) -> Callable[[], Awaitable[int]] | None:
        if dialect != "openai" or backend != "httpx":
            return None
        create = self.async_client.chat.completions.create

        async def stream() -> int:
            return await _count(await create(model=OPENAI_MODEL, messages=MESSAGES, stream=True))  # type: ignore[arg-type]

        return stream


class LiteLLM(Competitor):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # never fetch the cost map
        import litellm

        litellm.telemetry = False
        litellm.suppress_debug_info = True
        self.litellm = litellm

    def _args(self, dialect: str) -> dict[str, Any]:
        if dialect == "openai":
            return {"model": f"openai/{OPENAI_MODEL}", "api_base": f"{self.url}/v1", "api_key": KEY}
        return {"model": f"anthropic/{CLAUDE_MODEL}", "api_base": f"{self.url}/v1/messages", "api_key": KEY}

    def sync_call(self, dialect: str) -> Callable[[], Any]:
        args, completion = self._args(dialect), self.litellm.completion
        return lambda: completion(messages=MESSAGES, **args)

    def async_call(self, dialect: str, backend: str) -> Callable[[], Awaitable[Any]] | None:
        if backend != "litellm":
            return None
        args, acompletion = self._args(dialect), self.litellm.acompletion
        return lambda: acompletion(messages=MESSAGES, **args)

    def sync_stream(self, dialect: str) -> Callable[[], int]:
        args, completion = self._args(dialect), self.litellm.completion
        return lambda: sum(1 for _ in completion(messages=MESSAGES, stream=True, **args))

    def async_stream(self, dialect: str, backend: str) -> Callable[[], Awaitable[int]] | None:
        if backend != "litellm":
            return None
        args, acompletion = self._args(dialect), self.litellm.acompletion

        async def stream() -> int:
            return await _count(await acompletion(messages=MESSAGES, stream=True, **args))

        return stream


COMPETITORS: dict[str, type[Competitor]] = {
    "relaykit": Relaykit,
    "raw-httpx2": RawHttpx2,
    "raw-aiohttp": RawAiohttp,
    "openai": OpenAISDK,
    "litellm": LiteLLM,
}


def _timed(call: Callable[[], Any], n: int, warmup: int) -> float:
    for _ in range(warmup):
        call()
    started = time.perf_counter()
    for _ in range(n):
        call()
    return time.perf_counter() - started


async def _timed_async(call: Callable[[], Awaitable[Any]], n: int, warmup: int) -> float:
    for _ in range(warmup):
        await call()
    started = time.perf_counter()
    for _ in range(n):
        await call()
    return time.perf_counter() - started


async def _concurrent(call: Callable[[], Awaitable[Any]], n: int, concurrency: int) -> float:
    await asyncio.gather(*(call() for _ in range(concurrency)))  # open the connections first
    counter = itertools.count()

    async def worker() -> None:
        while next(counter) < n:
            await call()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


def handle(competitor: Competitor, command: dict[str, Any]) -> float | dict[str, float] | None:
    """Run one measurement; None when it does not apply to this competitor."""
    op, n = command["op"], command["n"]
    dialect, backend, mode = command.get("dialect", "openai"), command.get("backend", ""), command.get("mode", "")
    warmup = max(2, n // 10)
    if op == "latency":
        if mode == "sync":
            call = competitor.sync_call(dialect)
            return None if call is None else _timed(call, n, warmup) / n * 1e6
        acall = competitor.async_call(dialect, backend)
        return None if acall is None else competitor.run(_timed_async(acall, n, warmup)) / n * 1e6
    if op == "stream":
        if mode == "sync":
            stream = competitor.sync_stream(dialect)
            return None if stream is None else n * CHUNKS / _timed(stream, n, 1)
        astream = competitor.async_stream(dialect, backend)
        return None if astream is None else n * CHUNKS / competitor.run(_timed_async(astream, n, 1))
    if op == "throughput":
        acall = competitor.async_call(dialect, backend)
        return None if acall is None else n / competitor.run(_concurrent(acall, n, command["concurrency"]))
    if op == "translate":
        translate = getattr(competitor, "translate", None)
        return None if translate is None else translate(dialect, n)  # type: ignore[no-any-return]
    raise ValueError(f"unknown op {op!r}")


def _rss() -> dict[str, float]:
    """Current and peak resident memory in MiB (Linux /proc)."""
    values: dict[str, float] = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line[:5]] = int(line.split()[1]) / 1024
    return {"rss": values.get("VmRSS", 0.0), "peak": values.get("VmHWM", 0.0)}


def memory(name: str, url: str, calls: int) -> dict[str, Any]:
    """RSS after import (relaykit: every plugin registered), then after `calls` sync calls."""
    if name == "relaykit":
        import relaykit

        relaykit.providers()
    elif name == "raw-httpx2":
        import httpx2  # noqa: F401
    elif name == "openai":
        import openai  # noqa: F401
    elif name == "litellm":
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        import litellm  # noqa: F401
    result: dict[str, Any] = {"import": _rss()}
    if calls and name in ("relaykit", "raw-httpx2"):
        competitor = COMPETITORS[name](url)
        call = competitor.sync_call("openai")
        assert call is not None
        marks = {calls // 10: "first_tenth", calls: "end"}
        for index in range(1, calls + 1):
            call()
            if index in marks:
                result[marks[index]] = _rss()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("competitor", choices=sorted(COMPETITORS))
    parser.add_argument("url")
    parser.add_argument("--memory", type=int, default=None, metavar="CALLS", help="measure RSS instead")
    parser.add_argument("--cpu", type=int, default=None, help="pin this process to one CPU")
    args = parser.parse_args()
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    if args.memory is not None:
        print(json.dumps(memory(args.competitor, args.url, args.memory)), flush=True)
        return
    competitor = COMPETITORS[args.competitor](args.url)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        try:
            result: Any = {"value": handle(competitor, command)}
        except Exception as exc:  # noqa: BLE001 - reported to the runner, which shows it in the table
            result = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
