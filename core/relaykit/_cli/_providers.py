"""``relaykit providers``: the provider kinds the installed plugins registered."""

from __future__ import annotations

import json
import os
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from .._config import Config
from .._plugins import get_registry
from .._provider import ProviderSpec

__all__ = ["providers"]


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per provider) for scripts.")
def providers(as_json: bool) -> None:
    """List providers: registered kinds and configured names, their plugin, capabilities and status.

    \b
    Examples:
      relaykit providers
      relaykit providers --json | jq '.[].name'
    """
    registry = get_registry()
    config = Config.discover()
    names = sorted(set(registry) | set(config.providers))
    rows: list[dict[str, Any]] = []
    for name in names:
        kind = config.kind_of(name)
        spec = registry.get(kind)
        if spec is None:
            continue
        rows.append(
            {
                "name": name,
                "kind": kind,
                "distribution": spec.distribution,
                "description": spec.description,
                "capabilities": sorted(cap.value for cap in spec.capabilities),
                "status": _status(name, spec, config),
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="relaykit providers")
    for column in ("provider", "plugin", "capabilities", "configured"):
        table.add_column(column, overflow="fold")
    for row in rows:
        name = row["name"] if row["kind"] == row["name"] else f"{row['name']} ({row['kind']})"
        table.add_row(name, row["distribution"] or "?", _grouped(row["capabilities"]), row["status"])
    Console().print(table)


def _status(name: str, spec: ProviderSpec, config: Config) -> str:
    """Whether the provider can be called as configured now, and if not, what is missing."""
    section = config.providers.get(name, {})
    if "base_url" not in section and spec.default_base_url is None:
        return "no: declare it in relaykit.toml with a base_url"
    env = section.get("api_key_env") or spec.default_api_key_env
    if not spec.requires_api_key or "api_key" in section:
        return "yes"
    if env and os.environ.get(env):
        return f"yes ({env})"
    return f"no: set {env}" if env else "no: set api_key_env"


def _grouped(capabilities: list[str]) -> str:
    """`chat, chat.stream, chat.tools` -> `chat (stream, tools)`: one line per capability family."""
    families: dict[str, list[str]] = {}
    for capability in capabilities:
        family, _, detail = capability.partition(".")
        families.setdefault(family, [])
        if detail:
            families[family].append(detail)
    return "\n".join(f"{family} ({', '.join(details)})" if details else family for family, details in families.items())
