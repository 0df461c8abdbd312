"""Which tests run on both async HTTP backends: those that build a default-backend `AsyncClient`.

A test qualifies when its own code, one of its fixtures, or a test helper they call (followed
through the module globals, into other modules of `tests`) constructs ``AsyncClient(...)``
without ``http_client=``: such a client takes the process default backend, which the
``async_http_backend`` fixture sets. A client built over an ``httpx2.AsyncClient`` (a
``MockTransport``) is httpx2's by construction and its tests run once.
"""

from __future__ import annotations

import ast
import functools
import inspect
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

__all__ = ["builds_default_async_client"]


def builds_default_async_client(metafunc: pytest.Metafunc) -> bool:
    """Whether the test (or its fixtures, or the helpers they call) builds a default-backend AsyncClient."""
    functions: list[Any] = [metafunc.function]
    fixtures = getattr(metafunc, "_arg2fixturedefs", {})  # no public API lists a test's fixture functions
    for definitions in fixtures.values():
        functions.extend(definition.func for definition in definitions)
    return any(_builds(function, frozenset()) for function in functions)


def _builds(function: Any, seen: frozenset[Any]) -> bool:
    function = inspect.unwrap(getattr(function, "__func__", function))
    if not inspect.isfunction(function) or function in seen or not function.__module__.startswith("tests"):
        return False
    direct, names = _scan(function)
    if direct:
        return True
    seen = seen | {function}
    return any(_builds(helper, seen) for helper in _resolve(function, names))


def _resolve(function: Callable[..., Any], names: Iterable[str]) -> Iterable[Any]:
    scope = function.__globals__
    for name in names:
        value = scope.get(name)
        if inspect.isfunction(value):
            yield value
        elif inspect.isclass(value) and value.__module__.startswith("tests"):
            yield from (member for _, member in inspect.getmembers(value, inspect.isfunction))


@functools.cache
def _functions(filename: str) -> dict[int, ast.FunctionDef | ast.AsyncFunctionDef]:
    """The function definitions of a source file, by the first line of their code (decorators first)."""
    try:
        tree = ast.parse(Path(filename).read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return {}
    index: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            index[min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])] = node
    return index


@functools.cache
def _scan(function: Callable[..., Any]) -> tuple[bool, frozenset[str]]:
    """(builds a default-backend AsyncClient itself, the global names its code loads)."""
    code = function.__code__
    tree = _functions(code.co_filename).get(code.co_firstlineno)
    if tree is None:
        return False, frozenset()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _callee(node.func) == "AsyncClient":
            keywords = {keyword.arg for keyword in node.keywords}
            if "http_client" not in keywords or None in keywords:  # None: **kwargs may hold anything
                return True, frozenset()
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            names.add(node.id)
    return False, frozenset(names)


def _callee(node: ast.expr) -> str | None:
    if isinstance(node, ast.Attribute):
        owner = node.value
        return None if isinstance(owner, ast.Name) and owner.id.startswith("httpx") else node.attr
    return node.id if isinstance(node, ast.Name) else None
