"""Module attributes loaded on first use (PEP 562), for relaykit's public modules.

`relaykit`, `relaykit.plugin` and `relaykit.hookspecs` name what they export and where it lives;
each name's module is imported the first time the name is asked for, so importing the package or
registering plugins stays cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_getattr"]


def lazy_getattr(namespace: dict[str, Any], exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__`: `exports` maps each name to the module (relative to relaykit) defining it.

    The value found is stored in `namespace` (the module's globals), so each name is looked up once.
    """
    module_name = namespace["__name__"]

    def module_getattr(name: str) -> Any:
        source = exports.get(name)
        if source is None:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"relaykit.{source}"), name)
        namespace[name] = value
        return value

    return module_getattr
