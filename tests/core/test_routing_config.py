"""Routes in configuration: ``[router]``, ``[routes.*]``, list-valued aliases, and keyword merging."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import relaykit
from relaykit._config import Config
from relaykit._routing._config import Deployment, RouterPolicy
from relaykit.plugin import ProviderRegistry
from relaykit_anthropic import ANTHROPIC
from relaykit_openai import OPENAI, OPENAI_COMPATIBLE

PROVIDERS = {"openai": {"api_key": "sk-test"}, "anthropic": {"api_key": "sk-ant-test"}}

FULL = """
[providers.openai]
api_key_env = "OPENAI_API_KEY"

[router]
max_attempts = 8
retries = 1
cooldown = 12.5

[aliases]
cheap = "openai/gpt-4o-mini"
fast = ["openai/gpt-4o-mini", "anthropic/claude-haiku-4-5"]

[routes.smart]
strategy = "weighted"
retries = 3
first_chunk_timeout = 5
continuation = true
deployments = [
  "openai/gpt-4o",
  { model = "anthropic/claude-sonnet-4-5", priority = 1, weight = 2.5, params = { max_tokens = 1024 }, provider_options = { top_k = 40 } },
]
"""


def _registry() -> ProviderRegistry:
    return ProviderRegistry.of(OPENAI, OPENAI_COMPATIBLE, ANTHROPIC)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "relaykit.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _config_error(tmp_path: Path, text: str) -> relaykit.ConfigurationError:
    path = _write(tmp_path, text)
    with pytest.raises(relaykit.ConfigurationError) as caught:
        Config.from_file(path)
    assert str(path) in str(caught.value)
    assert caught.value.path == str(path)
    return caught.value


def test_router_section_sets_defaults_and_routes_override_them(tmp_path: Path) -> None:
    """[router] keys become every route's policy; a route's own keys override them one by one."""
    config = Config.from_file(_write(tmp_path, FULL))
    smart = config.routes["smart"]
    assert smart.policy == RouterPolicy(
        max_attempts=8, retries=3, cooldown=12.5, first_chunk_timeout=5.0, continuation=True
    )
    assert smart.strategy == "weighted"
    assert smart.key == "routes.smart.deployments"


def test_deployments_parse_strings_and_tables(tmp_path: Path) -> None:
    """A deployment is 'provider/model' or a table with weight, priority, params and provider_options."""
    smart = Config.from_file(_write(tmp_path, FULL)).routes["smart"]
    assert smart.deployments == (
        Deployment(model="openai/gpt-4o", index=0),
        Deployment(
            model="anthropic/claude-sonnet-4-5",
            weight=2.5,
            priority=1,
            params={"max_tokens": 1024},
            provider_options={"top_k": 40},
            index=1,
        ),
    )
    assert smart.deployments[1].provider == "anthropic"
    assert smart.cooldown_key(smart.deployments[1]) == "smart#1:anthropic/claude-sonnet-4-5"


def test_list_valued_alias_is_a_route_with_the_default_policy(tmp_path: Path) -> None:
    """An alias whose value is a list becomes an ordered route; string aliases stay aliases."""
    config = Config.from_file(_write(tmp_path, FULL))
    fast = config.routes["fast"]
    assert [d.model for d in fast.deployments] == ["openai/gpt-4o-mini", "anthropic/claude-haiku-4-5"]
    assert fast.strategy == "ordered"
    assert fast.policy == RouterPolicy(max_attempts=8, retries=1, cooldown=12.5)
    assert fast.key == "aliases.fast"
    assert config.aliases == {"cheap": "openai/gpt-4o-mini"}
    assert "fast" not in config.aliases


def test_policy_defaults_without_a_router_section() -> None:
    """Without [router] every key has its documented default."""
    route = Config.from_mapping({"routes": {"r": {"deployments": ["openai/gpt-4o"]}}}).routes["r"]
    assert route.policy.model_dump() == {
        "max_attempts": 6,
        "timeout": 120.0,
        "retries": 2,
        "backoff_initial": 0.25,
        "backoff_max": 8.0,
        "backoff_jitter": 0.5,
        "max_retry_after": 30.0,
        "cooldown_failures": 3,
        "cooldown": 30.0,
        "first_chunk_timeout": 30.0,
        "continuation": False,
    }


def test_config_repr_lists_route_names(tmp_path: Path) -> None:
    """The Config repr names the routes (and never provider sections' contents)."""
    assert "routes=['fast', 'smart']" in repr(Config.from_file(_write(tmp_path, FULL)))


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        ('[routes.smart]\ndeployments = ["gpt-4o"]', "routes.smart.deployments.0", "must be 'provider/model'"),
        ('[routes.smart]\ndeployments = ["openai/"]', "routes.smart.deployments.0", "must be 'provider/model'"),
        ("[routes.smart]\ndeployments = [{ weight = 2 }]", "routes.smart.deployments.0.model", "required"),
        (
            '[routes.smart]\ndeployments = ["openai/a", { model = "openai/b", wieght = 2 }]',
            "routes.smart.deployments.1.wieght",
            "Extra inputs",
        ),
        (
            '[routes.smart]\ndeployments = [{ model = "openai/b", weight = 0 }]',
            "routes.smart.deployments.0.weight",
            "greater than 0",
        ),
        ("[routes.smart]\ndeployments = []", "routes.smart.deployments", "non-empty list"),
        ('[routes.smart]\nstrategy = "ordered"', "routes.smart.deployments", "non-empty list"),
        ('[routes.smart]\ndeployments = "openai/gpt-4o"', "routes.smart.deployments", "non-empty list"),
        (
            '[routes.smart]\nstrategy = "random"\ndeployments = ["openai/a"]',
            "routes.smart.strategy",
            "'ordered' or 'weighted'",
        ),
        ('[routes.smart]\nretires = 2\ndeployments = ["openai/a"]', "routes.smart.retires", "Extra inputs"),
        (
            '[routes.smart]\nmax_attempts = 0\ndeployments = ["openai/a"]',
            "routes.smart.max_attempts",
            "greater than or equal to 1",
        ),
        ("[router]\nretires = 2", "router.retires", "Extra inputs"),
        ('[router]\ntimeout = "soon"', "router.timeout", "valid number"),
        ("[router]\nfirst_chunk_timeout = 0", "router.first_chunk_timeout", "greater than 0"),
        ('router = "fast"', "router", "must be a table"),
        ("routes = 3", "routes", "must be a table"),
        ("[routes]\nsmart = 3", "routes.smart", "must be a table"),
        (
            '[aliases]\nsmart = ["openai/a"]\n[routes.smart]\ndeployments = ["openai/b"]',
            "routes.smart",
            "also defined as an alias",
        ),
        (
            '[aliases]\nsmart = "openai/a"\n[routes.smart]\ndeployments = ["openai/b"]',
            "routes.smart",
            "also defined as an alias",
        ),
        ('[aliases]\nfast = ["openai/a", "b"]', "aliases.fast.1", "must be 'provider/model'"),
        ("[aliases]\nfast = []", "aliases.fast", "non-empty list"),
        ("[aliases]\nfast = 3", "aliases.fast", "or a list of them"),
    ],
)
def test_every_routing_error_names_the_file_and_the_dotted_key(
    tmp_path: Path, text: str, key: str, message: str
) -> None:
    """A bad routing key fails with ConfigurationError naming the file, the dotted key and the problem."""
    error = _config_error(tmp_path, text)
    assert error.key == key
    assert f"key {key!r}" in str(error)
    assert message in str(error)


def test_a_deployment_naming_an_unknown_provider_fails_when_the_client_is_built(tmp_path: Path) -> None:
    """A typo in a deployment's provider is a ConfigurationError at Client(), not a silent skip later."""
    path = _write(tmp_path, '[routes.smart]\ndeployments = ["openai/gpt-4o", "antropic/claude-sonnet-4-5"]')
    with pytest.raises(relaykit.ConfigurationError, match="unknown provider 'antropic'") as caught:
        relaykit.Client.from_config(path, providers=PROVIDERS, registry=_registry())
    assert caught.value.key == "routes.smart.deployments.1"
    assert caught.value.path == str(path)


def test_an_unknown_provider_in_a_list_alias_names_the_alias_item() -> None:
    """The same check names ``aliases.NAME.INDEX`` for a list-valued alias."""
    with pytest.raises(relaykit.ConfigurationError) as caught:
        relaykit.Client(providers=PROVIDERS, aliases={"fast": ["nope/model"]}, registry=_registry())
    assert caught.value.key == "aliases.fast.0"


def test_a_configured_provider_name_may_be_used_in_deployments() -> None:
    """A [providers.NAME] section of any kind names deployments as well as a registered kind does."""
    client = relaykit.Client(
        providers={**PROVIDERS, "relay": {"kind": "openai-compatible", "base_url": "https://relay.test/v1"}},
        routes={"smart": {"deployments": ["relay/gpt-4o", "anthropic/claude-sonnet-4-5"]}},
        registry=_registry(),
    )
    assert [d.provider for d in client.config.routes["smart"].deployments] == ["relay", "anthropic"]


def test_keyword_routes_and_router_merge_with_the_file(tmp_path: Path) -> None:
    """Keyword router= keys override the file's one by one; keyword routes= add routes or replace one whole."""
    path = _write(
        tmp_path,
        '[router]\nretries = 1\ncooldown = 5\n[routes.smart]\nretries = 4\ndeployments = ["openai/gpt-4o"]\n'
        '[routes.kept]\ndeployments = ["anthropic/claude-sonnet-4-5"]\n[aliases]\nfast = ["openai/gpt-4o-mini"]',
    )
    client = relaykit.Client.from_config(
        path,
        providers=PROVIDERS,
        router={"cooldown": 60, "max_attempts": 3},
        routes={"smart": {"deployments": ["anthropic/claude-sonnet-4-5"]}, "extra": {"deployments": ["openai/o3"]}},
        aliases={"quick": ["anthropic/claude-haiku-4-5", "openai/gpt-4o-mini"]},
        registry=_registry(),
    )
    routes = client.config.routes
    assert sorted(routes) == ["extra", "fast", "kept", "quick", "smart"]
    assert routes["smart"].deployments == (Deployment(model="anthropic/claude-sonnet-4-5"),)
    assert routes["smart"].policy == RouterPolicy(retries=1, cooldown=60, max_attempts=3)  # the file's retries=4 went
    assert routes["kept"].policy == RouterPolicy(retries=1, cooldown=60, max_attempts=3)
    assert routes["fast"].policy == routes["quick"].policy == routes["kept"].policy


def test_keyword_routes_alone_need_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keyword configuration with routes= is complete in itself: ./relaykit.toml is not read."""
    _write(tmp_path, "[router]\nretries = 9")
    monkeypatch.chdir(tmp_path)
    client = relaykit.Client(providers=PROVIDERS, routes={"r": {"deployments": ["openai/a"]}}, registry=_registry())
    assert client.config.routes["r"].policy.retries == 2


def test_keyword_routing_errors_name_the_key() -> None:
    """Keyword routes= are validated like the file, naming the dotted key."""
    bad: dict[str, Any] = {"smart": {"deployments": ["openai/a"], "strategy": "fastest"}}
    with pytest.raises(relaykit.ConfigurationError) as caught:
        relaykit.Client(providers=PROVIDERS, routes=bad, registry=_registry())
    assert caught.value.key == "routes.smart.strategy"
    with pytest.raises(relaykit.ConfigurationError) as caught:
        relaykit.Client(providers=PROVIDERS, router={"max_attempts": -1}, registry=_registry())
    assert caught.value.key == "router.max_attempts"


def test_a_route_name_is_routed_and_a_provider_model_string_is_not() -> None:
    """The client routes a model string only when it names a route."""
    client = relaykit.Client(providers=PROVIDERS, aliases={"fast": ["openai/a", "anthropic/b"]}, registry=_registry())
    assert client._route(None, "fast") is client.config.routes["fast"]
    assert client._route(None, "openai/a") is None
