"""`Client` and `AsyncClient`: the OpenAI SDK's resource layout over every provider.

```python
with relaykit.Client() as client:
    answer = client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}]
    )
```

Both clients hold one pooled HTTP client each, resolve `provider/model` strings or aliases through
the configuration, validate every request before anything is sent, and run the provider's sans-IO
flow on their driver.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from ._config import Config
from ._driver import AccumulatorFactory, run_async, run_sync
from ._errors import RelaykitError
from ._events import ErrorEvent
from ._observe import Observer
from ._provider import CallContext, Capability, Operation
from ._resolve import Resolver, Target
from ._routing._config import Route
from ._routing._plan import Candidate
from ._routing._router import Router

if TYPE_CHECKING:
    import httpx2

    from ._plugins import ProviderRegistry
    from ._resources._audio import AsyncAudio, Audio
    from ._resources._chat import AsyncChat, Chat
    from ._resources._completions import AsyncCompletions, Completions
    from ._resources._embeddings import AsyncEmbeddings, Embeddings
    from ._resources._files import AsyncFiles, Files
    from ._resources._images import AsyncImages, Images
    from ._resources._media import AsyncMedia, Media
    from ._resources._midjourney import AsyncMidjourney, Midjourney
    from ._resources._models import AsyncModels, Models
    from ._resources._moderations import AsyncModerations, Moderations
    from ._resources._tasks import AsyncTasks, Tasks
    from ._resources._video import AsyncVideo, Video
    from ._transport import AsyncTransport
    from ._transport_aiohttp import AiohttpTransport

__all__ = ["AsyncClient", "Client"]


def _merge(
    config: Config,
    *,
    providers: Mapping[str, Mapping[str, Any]] | None,
    aliases: Mapping[str, str | list[Any]] | None,
    default_provider: str | None,
    routes: Mapping[str, Mapping[str, Any]] | None = None,
    router: Mapping[str, Any] | None = None,
) -> Config:
    merged_providers = {name: dict(section) for name, section in config.providers.items()}
    for name, section in (providers or {}).items():
        merged_providers.setdefault(name, {}).update(section)
    data: dict[str, Any] = {
        "providers": merged_providers,
        "aliases": {**config.aliases, **config.raw.get("aliases", {}), **(aliases or {})},
        "routes": {**config.raw.get("routes", {}), **(routes or {})},
        "router": {**config.raw.get("router", {}), **(router or {})},
    }
    if default_provider or config.default_provider:
        data["default_provider"] = default_provider or config.default_provider
    if config.async_http_backend is not None:
        data["async_http_backend"] = config.async_http_backend
    return Config.from_mapping(data, path=config.path)


class _BaseClient:
    def __init__(
        self,
        config: Config | str | os.PathLike[str] | None = None,
        *,
        providers: Mapping[str, Mapping[str, Any]] | None = None,
        aliases: Mapping[str, str | list[Any]] | None = None,
        default_provider: str | None = None,
        routes: Mapping[str, Mapping[str, Any]] | None = None,
        router: Mapping[str, Any] | None = None,
        registry: ProviderRegistry | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        if config is None:
            # Keyword configuration is complete in itself; only a bare Client() discovers a file.
            keywords = (providers, aliases, default_provider, routes, router)
            base = Config.discover() if all(value is None for value in keywords) else Config()
        elif isinstance(config, Config):
            base = config
        else:
            base = Config.from_file(config)
        self.config = _merge(
            base, providers=providers, aliases=aliases, default_provider=default_provider, routes=routes, router=router
        )
        self._resolver = Resolver(self.config, registry, environ)
        self._observer = Observer(self._resolver.registry.plugin_manager)
        self._router = Router(dict(self.config.routes), self._resolver, self._observer)

    @classmethod
    def from_config(cls, path: str | os.PathLike[str], **kwargs: Any) -> Any:
        """A client configured from a TOML file (keyword arguments add to or override it)."""
        return cls(Config.from_file(path), **kwargs)

    @property
    def resolver(self) -> Resolver:
        return self._resolver

    def _route(self, request: Any, model: str | None) -> Route | None:
        name = model if model is not None else getattr(request, "model", None)
        return self._router.route_for(name) if isinstance(name, str) else None

    def _failed(self, target: Target | None, exc: RelaykitError) -> None:
        self._observer.error(
            ErrorEvent(provider=target.provider if target else None, model=target.model if target else None, error=exc)
        )

    def _prepare(
        self, operation: Operation, request: Any, timeout: float | None, target: Target
    ) -> tuple[CallContext, Any]:
        """The call context and the provider's flow for `request` on `target` (nothing sent yet)."""
        if timeout is not None:
            target = Target(
                target.provider, target.spec, target.model, target.settings.model_copy(update={"timeout": timeout})
            )
        options_for = getattr(request, "options_for", None)
        ctx = target.context(options_for(target.spec.name, target.provider) if options_for else None)
        function = target.spec.load(operation)
        if _is_media(type(request)):  # core may first download the request's URL inputs
            from ._media_flow import media_flow

            return ctx, media_flow(function, request, ctx, target)
        return ctx, function(request, ctx)


_MEDIA_TYPES: dict[type, bool] = {}


def _is_media(kind: type) -> bool:
    """Whether requests of this class carry image inputs (`image_inputs`), remembered per class.

    Looked up once per class: a miss on a pydantic model class goes through its slow `__getattr__`.
    """
    found = _MEDIA_TYPES.get(kind)
    if found is None:
        found = _MEDIA_TYPES[kind] = hasattr(kind, "image_inputs")
    return found


class Client(_BaseClient):
    """The synchronous client. Use it as a context manager, or call `close()`."""

    def __init__(
        self,
        config: Config | str | os.PathLike[str] | None = None,
        *,
        providers: Mapping[str, Mapping[str, Any]] | None = None,
        aliases: Mapping[str, str | list[Any]] | None = None,
        default_provider: str | None = None,
        routes: Mapping[str, Mapping[str, Any]] | None = None,
        router: Mapping[str, Any] | None = None,
        http_client: httpx2.Client | None = None,
        registry: ProviderRegistry | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            config,
            providers=providers,
            aliases=aliases,
            default_provider=default_provider,
            routes=routes,
            router=router,
            registry=registry,
            environ=environ,
        )
        from ._transport import SyncTransport

        self._transport = SyncTransport(http_client, self._observer)

    @cached_property
    def chat(self) -> Chat:
        """`chat`, as in the OpenAI SDK (its module is imported on first use)."""
        from ._resources._chat import Chat

        return Chat(self)

    @cached_property
    def completions(self) -> Completions:
        """`completions`, as in the OpenAI SDK (its module is imported on first use)."""
        from ._resources._completions import Completions

        return Completions(self)

    @cached_property
    def embeddings(self) -> Embeddings:
        """`embeddings`, as in the OpenAI SDK (its module is imported on first use)."""
        from ._resources._embeddings import Embeddings

        return Embeddings(self)

    @cached_property
    def images(self) -> Images:
        """`images`, as in the OpenAI SDK (its module is imported on first use)."""
        from ._resources._images import Images

        return Images(self)

    @cached_property
    def audio(self) -> Audio:
        """`audio`, as in the OpenAI SDK (its module is imported on first use)."""
        from ._resources._audio import Audio

        return Audio(self)

    @cached_property
    def moderations(self) -> Moderations:
        """`moderations`, as in the OpenAI SDK (its module is imported on first use)."""
        from ._resources._moderations import Moderations

        return Moderations(self)

    @cached_property
    def models(self) -> Models:
        """`models`, as in the OpenAI SDK (its module is imported on first use)."""
        from ._resources._models import Models

        return Models(self)

    @cached_property
    def media(self) -> Media:
        """`media`: normalized image operations (generate, edit, upscale, control); see docs/media.md."""
        from ._resources._media import Media

        return Media(self)

    @cached_property
    def video(self) -> Video:
        """`video`: normalized video generation (text-to-video, image-to-video); see docs/media.md."""
        from ._resources._video import Video

        return Video(self)

    @cached_property
    def midjourney(self) -> Midjourney:
        """`midjourney`: Midjourney's own operations (imagine, buttons, blend...); see docs/providers/midjourney.md."""
        from ._resources._midjourney import Midjourney

        return Midjourney(self)

    @cached_property
    def files(self) -> Files:
        """`files`: upload a file to a provider that stores files (`create`)."""
        from ._resources._files import Files

        return Files(self)

    @cached_property
    def tasks(self) -> Tasks:
        """`tasks`: refresh and wait on long-running `Task`s, also ones saved elsewhere; see docs/media.md."""
        from ._resources._tasks import Tasks

        return Tasks(self)

    def _execute(
        self,
        operation: Operation,
        request: Any,
        needs: Iterable[Capability] = (),
        *,
        timeout: float | None = None,
        accumulator: AccumulatorFactory = None,
        model: str | None = None,
        target: Target | None = None,
    ) -> Any:
        if target is None:
            route = self._route(request, model)
            if route is not None:
                return self._routed(route, operation, request, needs, timeout=timeout, accumulator=accumulator)
            target = self._resolver.target(model if model is not None else request.model, operation, needs)
        try:
            return self._run(operation, request, target, timeout, accumulator)
        except RelaykitError as exc:
            self._failed(target, exc)
            raise

    def _routed(
        self,
        route: Route,
        operation: Operation,
        request: Any,
        needs: Iterable[Capability],
        *,
        timeout: float | None,
        accumulator: AccumulatorFactory,
    ) -> Any:
        def attempt(candidate: Candidate, attempt_timeout: float | None) -> Any:
            return self._run(operation, candidate.request, candidate.target, attempt_timeout, accumulator)

        return self._router.run_sync(
            route, operation, request, needs, attempt, timeout=timeout, accumulator=accumulator
        )

    def _run(
        self, operation: Operation, request: Any, target: Target, timeout: float | None, accumulator: AccumulatorFactory
    ) -> Any:
        ctx, flow = self._prepare(operation, request, timeout, target)
        return run_sync(flow, ctx, self._transport, accumulator)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncClient(_BaseClient):
    """The asynchronous client: the same resources as `Client`, awaited.

    `http_backend` picks its HTTP client: "httpx2", or "aiohttp" (the ``aiohttp`` extra; several
    times the concurrent throughput). Unset, the ``async_http_backend`` configuration key decides,
    else httpx2. A given `http_client` (an `httpx2.AsyncClient`) implies httpx2.
    """

    def __init__(
        self,
        config: Config | str | os.PathLike[str] | None = None,
        *,
        providers: Mapping[str, Mapping[str, Any]] | None = None,
        aliases: Mapping[str, str | list[Any]] | None = None,
        default_provider: str | None = None,
        routes: Mapping[str, Mapping[str, Any]] | None = None,
        router: Mapping[str, Any] | None = None,
        http_client: httpx2.AsyncClient | None = None,
        http_backend: Literal["httpx2", "aiohttp"] | None = None,
        registry: ProviderRegistry | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            config,
            providers=providers,
            aliases=aliases,
            default_provider=default_provider,
            routes=routes,
            router=router,
            registry=registry,
            environ=environ,
        )
        from ._backend import choose_async_backend

        backend = choose_async_backend(http_backend, self.config.async_http_backend, http_client, self.config.path)
        self._transport: AsyncTransport | AiohttpTransport
        if backend == "aiohttp":
            from ._transport_aiohttp import AiohttpTransport

            self._transport = AiohttpTransport(self._observer)
        else:
            from ._transport import AsyncTransport

            self._transport = AsyncTransport(http_client, self._observer)

    @cached_property
    def chat(self) -> AsyncChat:
        """`chat`, as in the OpenAI SDK (its module is imported on first use)."""
        from ._resources._chat import AsyncChat

        return AsyncChat(self)

    @cached_property
    def completions(self) -> AsyncCompletions:
        """`completions`, as in the OpenAI SDK (its module is imported on first use)."""
        from ._resources._completions import AsyncCompletions

        return AsyncCompletions(self)

    @cached_property
    def embeddings(self) -> AsyncEmbeddings:
        """`embeddings`, as in the OpenAI SDK (its module is imported on first use)."""
        from ._resources._embeddings import AsyncEmbeddings

        return AsyncEmbeddings(self)

    @cached_property
    def images(self) -> AsyncImages:
        """`images`, as in the OpenAI SDK (its module is imported on first use)."""
        from ._resources._images import AsyncImages

        return AsyncImages(self)

    @cached_property
    def audio(self) -> AsyncAudio:
        """`audio`, as in the OpenAI SDK (its module is imported on first use)."""
        from ._resources._audio import AsyncAudio

        return AsyncAudio(self)

    @cached_property
    def moderations(self) -> AsyncModerations:
        """`moderations`, as in the OpenAI SDK (its module is imported on first use)."""
        from ._resources._moderations import AsyncModerations

        return AsyncModerations(self)

    @cached_property
    def models(self) -> AsyncModels:
        """`models`, as in the OpenAI SDK (its module is imported on first use)."""
        from ._resources._models import AsyncModels

        return AsyncModels(self)

    @cached_property
    def media(self) -> AsyncMedia:
        """`media`: normalized image operations (generate, edit, upscale, control); see docs/media.md."""
        from ._resources._media import AsyncMedia

        return AsyncMedia(self)

    @cached_property
    def video(self) -> AsyncVideo:
        """`video`: normalized video generation (text-to-video, image-to-video); see docs/media.md."""
        from ._resources._video import AsyncVideo

        return AsyncVideo(self)

    @cached_property
    def midjourney(self) -> AsyncMidjourney:
        """`midjourney`: Midjourney's own operations; see docs/providers/midjourney.md."""
        from ._resources._midjourney import AsyncMidjourney

        return AsyncMidjourney(self)

    @cached_property
    def files(self) -> AsyncFiles:
        """`files`: upload a file to a provider that stores files (`create`), awaited."""
        from ._resources._files import AsyncFiles

        return AsyncFiles(self)

    @cached_property
    def tasks(self) -> AsyncTasks:
        """`tasks`: refresh and wait on long-running `Task`s, also ones saved elsewhere; see docs/media.md."""
        from ._resources._tasks import AsyncTasks

        return AsyncTasks(self)

    async def _execute(
        self,
        operation: Operation,
        request: Any,
        needs: Iterable[Capability] = (),
        *,
        timeout: float | None = None,
        accumulator: AccumulatorFactory = None,
        model: str | None = None,
        target: Target | None = None,
    ) -> Any:
        # The direct path runs the flow in this coroutine (no `_run` layer, no closure): each
        # coroutine and cell lives as long as the request is in flight.
        if target is None:
            route = self._route(request, model)
            if route is not None:
                return await self._routed(route, operation, request, needs, timeout=timeout, accumulator=accumulator)
            target = self._resolver.target(model if model is not None else request.model, operation, needs)
        try:
            ctx, flow = self._prepare(operation, request, timeout, target)
            return await run_async(flow, ctx, self._transport, accumulator)
        except RelaykitError as exc:
            self._failed(target, exc)
            raise

    async def _routed(
        self,
        route: Route,
        operation: Operation,
        request: Any,
        needs: Iterable[Capability],
        *,
        timeout: float | None,
        accumulator: AccumulatorFactory,
    ) -> Any:
        async def attempt(candidate: Candidate, attempt_timeout: float | None) -> Any:
            ctx, flow = self._prepare(operation, candidate.request, attempt_timeout, candidate.target)
            return await run_async(flow, ctx, self._transport, accumulator)

        return await self._router.run_async(
            route, operation, request, needs, attempt, timeout=timeout, accumulator=accumulator
        )

    async def close(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
