"""Finding the ``relaykit`` entry points without importing `importlib.metadata`.

`importlib.metadata` costs about 25 ms to import (it pulls in the `email` package to read
metadata files) before it scans anything; that was a tenth of relaykit's cold start. The
installed distributions that matter are plain ``*.dist-info`` / ``*.egg-info`` directories on
`sys.path`, so this module reads their ``entry_points.txt`` itself, with the same rules:
`sys.path` in order, the first copy of a distribution wins (names compared normalized), the
distribution's name is the ``Name`` of its metadata. When `sys.path` holds anything else (a zip
file, an egg), discovery falls back to `importlib.metadata`. A test checks both give the same
entry points in the test environment.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["EntryPointLike", "find_entry_points"]


class EntryPointLike(Protocol):
    """What `load_registry` needs of an entry point (`importlib.metadata.EntryPoint` fits too)."""

    @property
    def name(self) -> str: ...

    @property
    def value(self) -> str: ...

    @property
    def dist(self) -> Any: ...

    def load(self) -> Any: ...


@dataclass(frozen=True)
class _Distribution:
    name: str


@dataclass(frozen=True)
class FoundEntryPoint:
    """One ``name = module:attribute`` line of a distribution's ``entry_points.txt``."""

    name: str
    value: str
    group: str
    dist: _Distribution

    def load(self) -> Any:
        """Import the module and return the attribute, as `importlib.metadata.EntryPoint.load` does."""
        module, _, attribute = self.value.partition("[")[0].strip().partition(":")
        target: Any = importlib.import_module(module.strip())
        for part in filter(None, attribute.strip().split(".")):
            target = getattr(target, part)
        return target


_INFO = (".dist-info", ".egg-info")


def _normalized(folder: str) -> str:
    """The distribution name a metadata folder is for, normalized as `importlib.metadata` does."""
    stem = folder.rsplit(".", 1)[0].partition("-")[0]
    return re.sub(r"[-_.]+", "_", stem).lower()


def _metadata_name(folder: str) -> str | None:
    for filename in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(folder, filename), encoding="utf-8", errors="replace") as file:
                for line in file:
                    if line.startswith("Name:"):
                        return line[5:].strip()
                    if not line.strip():
                        break
        except OSError:
            continue
    return None


def _parse(text: str, group: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group and "=" in line:
            name, _, value = line.partition("=")
            found.append((name.strip(), value.strip()))
    return found


def _scan(group: str, paths: Iterable[str]) -> list[FoundEntryPoint] | None:
    found: list[FoundEntryPoint] = []
    seen: set[str] = set()
    for entry in paths:
        path = entry or "."
        if not os.path.isdir(path):
            if os.path.exists(path):
                return None  # a zip file or an egg: importlib.metadata knows how to read those
            continue
        try:
            names = os.listdir(path)
        except OSError:
            continue
        for name in names:
            if not name.endswith(_INFO):
                continue
            key = _normalized(name)
            if key in seen:
                continue
            seen.add(key)
            folder = os.path.join(path, name)
            try:
                with open(os.path.join(folder, "entry_points.txt"), encoding="utf-8") as file:
                    lines = _parse(file.read(), group)
            except OSError:
                continue
            if lines:
                dist = _Distribution(_metadata_name(folder) or name.partition("-")[0])
                found.extend(FoundEntryPoint(ep_name, value, group, dist) for ep_name, value in lines)
    return found


def find_entry_points(group: str) -> list[EntryPointLike]:
    """The entry points of `group` of the installed distributions."""
    found = _scan(group, sys.path)
    if found is not None:
        return list(found)
    from importlib.metadata import entry_points

    return list(entry_points(group=group))
