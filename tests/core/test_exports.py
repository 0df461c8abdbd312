"""The public surface: `relaykit.__all__` is complete, sorted and importable."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import relaykit


def test_all_is_sorted_and_every_name_resolves() -> None:
    """__all__ is sorted, lists exactly the lazy exports, and every name imports."""
    assert relaykit.__all__ == sorted(relaykit.__all__)
    assert set(relaykit.__all__) == {*relaykit._EXPORTS, "__version__"}
    for name in relaykit.__all__:
        assert getattr(relaykit, name) is not None


def test_type_checking_imports_match_the_lazy_export_table() -> None:
    """The names type checkers see are exactly the names exported at run time."""
    source = Path(relaykit.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    checked: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom):
                    checked.update(alias.asname or alias.name for alias in statement.names)
    assert checked == set(relaykit.__all__) - {"__version__"}


def test_public_classes_say_they_live_in_a_relaykit_module() -> None:
    """Exported classes come from relaykit's own modules."""
    for name in relaykit.__all__:
        value = getattr(relaykit, name)
        if isinstance(value, type):
            assert value.__module__.startswith("relaykit"), name


def test_import_relaykit_loads_neither_the_http_client_nor_plugins() -> None:
    """`import relaykit` stays cheap: httpx2 and plugin modules load on first use."""
    code = "import sys, relaykit; print(sorted(m for m in sys.modules if m.startswith(('httpx2', 'relaykit_'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout  # noqa: S603
    assert "httpx2" not in out
    assert "relaykit_openai" not in out
