"""Documentation that must not drift from the code."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from relaykit import hookspecs

DOCS = Path(__file__).resolve().parents[1] / "docs"
HOOKS = sorted(
    name for name, value in vars(hookspecs).items() if inspect.isfunction(value) and hasattr(value, "relaykit_spec")
)


def test_hookspecs_are_found() -> None:
    """The hook list this module checks is not empty."""
    assert "register_providers" in HOOKS


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_docstring_and_a_docs_section(hook: str) -> None:
    """Each hook is documented in its docstring and under its own heading in docs/hooks.md."""
    assert inspect.getdoc(getattr(hookspecs, hook))
    assert f"## {hook}" in (DOCS / "hooks.md").read_text(encoding="utf-8")


def test_every_provider_page_exists_for_first_party_plugins() -> None:
    """Each first-party provider family has a page under docs/providers/."""
    for page in ("openai.md", "anthropic.md", "ernie.md", "spark.md"):
        assert (DOCS / "providers" / page).is_file()
