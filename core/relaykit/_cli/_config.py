"""``relaykit models``, ``relaykit config check`` and ``relaykit config init``."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from .._client import Client
from .._config import Config, default_config_path, provider_settings
from .._errors import ConfigurationError, RelaykitError
from .._plugins import get_registry
from ._common import client
from ._exit import EXIT_CONFIG

__all__ = ["config", "models"]

_STARTER = """\
# relaykit configuration (docs/configuration.md). relaykit reads $RELAYKIT_CONFIG, else ./relaykit.toml.
# Keys never go in this file: each provider reads its key from the environment variable named by
# api_key_env (the kind's default when left out). Check the file with:  relaykit config check

# The provider used for a model given without "provider/".
default_provider = "openai"

[providers.openai]                      # named after its kind, so no `kind` is needed
# api_key_env = "OPENAI_API_KEY"        # the default for this kind
# timeout = 600                         # read timeout, seconds
# connect_timeout = 10

# [providers.anthropic]
# api_key_env = "ANTHROPIC_API_KEY"

# An OpenAI-compatible relay or local server (Ollama, vLLM, ...):
# [providers.local]
# kind = "openai-compatible"
# base_url = "http://127.0.0.1:11434/v1"

[aliases]
fast = "openai/gpt-4o-mini"             # relaykit chat fast "Hi"

# A route: fall back from one vendor to another (docs/routing.md).
# [routes.smart]
# deployments = ["openai/gpt-4o", "anthropic/claude-sonnet-4-5"]
"""


@click.command()
@click.argument("provider", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the model list as JSON.")
def models(provider: str | None, as_json: bool) -> None:
    """List the models PROVIDER offers (default: default_provider), ready to pass as MODEL.

    \b
    Examples:
      relaykit models openai
      relaykit models anthropic --json | jq -r '.data[].id'
    """
    with client() as api:
        listed = api.models.list(provider)
    if as_json:
        click.echo(json.dumps(listed.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    table = Table(title=f"models of {provider or 'the default provider'}")
    for column in ("model", "owned by", "created"):
        table.add_column(column)
    for info in listed.data:
        table.add_row(info.address, info.owned_by or "", str(info.created or ""))
    Console().print(table)


@click.group()
def config() -> None:
    """Check the configuration, or write a starter file.

    \b
    Examples:
      relaykit config init
      relaykit config check
      RELAYKIT_CONFIG=prod.toml relaykit config check
    """


@config.command()
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The file to check (default: $RELAYKIT_CONFIG, else ./relaykit.toml).",
)
def check(path: Path | None) -> None:
    """Validate the TOML file and the environment; name every problem with its key; exit 3 on any.

    Checks the file's syntax and keys, each provider section against its kind's settings, that each
    provider's API key is in its environment variable, and the aliases, routes and default provider.

    \b
    Examples:
      relaykit config check
      relaykit config check --file staging.toml && echo ok
    """
    target = path or default_config_path()
    if target is None:
        raise click.ClickException(
            "no configuration file: set RELAYKIT_CONFIG or create ./relaykit.toml (relaykit config init)"
        )
    problems = _problems(target)
    if problems:
        for problem in problems:
            click.echo(f"{target}: {problem}", err=True)
        raise SystemExit(EXIT_CONFIG)
    click.echo(f"{target}: ok")


@config.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default=Path("relaykit.toml"))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: Path, force: bool) -> None:
    """Write a commented starter configuration to PATH (default ./relaykit.toml).

    \b
    Examples:
      relaykit config init
      relaykit config init ~/.config/relaykit.toml --force
    """
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; pass --force to overwrite it")
    path.write_text(_STARTER, encoding="utf-8")
    click.echo(f"wrote {path}; next: relaykit config check --file {path}")


def _problems(path: Path) -> list[str]:
    """Every problem found in the file at `path` and the environment, as ``key 'x': message``."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return ["configuration file not found"]
    except tomllib.TOMLDecodeError as exc:
        return [f"not valid TOML: {exc}"]
    problems: list[str] = []
    where = str(path)
    top_level = {key: value for key, value in data.items() if key != "providers"}
    problems += _attempt(lambda: Config.from_mapping({**top_level, "providers": {}}, path=where), where)
    sections = data.get("providers", {})
    if not isinstance(sections, dict):
        return [*problems, "key 'providers': must be a table of provider tables"]
    registry = get_registry()
    for name, section in sections.items():
        found = _attempt(lambda n=name, s=section: Config.from_mapping({"providers": {n: s}}, path=where), where)
        if found:
            problems += found
            continue
        kind = section.get("kind", name)
        spec = registry.get(kind) if isinstance(kind, str) else None
        if spec is None:
            problems.append(f"key 'providers.{name}.kind': unknown provider kind {kind!r} (see relaykit providers)")
            continue
        single = Config.from_mapping({"providers": {name: section}}, path=where)
        settings: Any = None

        def validate(n: str = name, c: Config = single, sp: Any = spec) -> None:
            nonlocal settings
            settings = provider_settings(c, n, sp, os.environ)

        found = _attempt(validate, where)
        problems += found
        if not found and spec.requires_api_key and getattr(settings, "api_key", None) is None:
            env = section.get("api_key_env") or spec.default_api_key_env
            problems.append(f"key 'providers.{name}.api_key_env': environment variable {env} is not set")
    if not problems:
        problems += _attempt(lambda: Client(Config.from_file(path)).close(), where)
    return problems


def _attempt(action: Any, where: str) -> list[str]:
    """Run `action`; a `ConfigurationError` becomes one problem line (without the file name)."""
    try:
        action()
    except ConfigurationError as exc:
        return [str(exc).removeprefix(f"{where}, ").removeprefix(f"{where}: ")]
    except RelaykitError as exc:
        return [str(exc)]
    return []
