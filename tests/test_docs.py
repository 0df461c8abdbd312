"""Documentation that must not drift from the code."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from relaykit import hookspecs
from relaykit.testing.kit import Conformance

DOCS = Path(__file__).resolve().parents[1] / "docs"
HOOKS = sorted(
    name for name, value in vars(hookspecs).items() if inspect.isfunction(value) and hasattr(value, "relaykit_spec")
)
CHECKS = sorted(name for name in dir(Conformance) if name.startswith("test_"))


def test_hookspecs_are_found() -> None:
    """The hook list this module checks is not empty."""
    assert "register_providers" in HOOKS


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_docstring_and_a_docs_section(hook: str) -> None:
    """Each hook is documented in its docstring and under its own heading in docs/plugins/hooks.md."""
    assert inspect.getdoc(getattr(hookspecs, hook))
    assert f"## {hook}" in (DOCS / "plugins" / "hooks.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("check", CHECKS)
def test_every_conformance_check_is_listed_in_the_kit_page(check: str) -> None:
    """Each check of the conformance kit has a row in docs/plugins/testing.md, and a docstring saying how to fix it."""
    assert f"`{check}`" in (DOCS / "plugins" / "testing.md").read_text(encoding="utf-8")
    assert "Fix:" in (inspect.getdoc(getattr(Conformance, check)) or "")


@pytest.mark.parametrize("page", ["plugins/writing.md", "plugins/testing.md", "plugins/example/README.md"])
def test_plugin_pages_link_to_existing_files(page: str) -> None:
    """Every relative link of the plugin author's pages resolves to a file."""
    path = DOCS / page
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
        if not target.startswith("http"):
            assert (path.parent / target).is_file(), f"{page}: {target}"


def test_every_page_in_the_site_navigation_exists() -> None:
    """mkdocs.yml's nav names only pages that exist."""
    nav = (DOCS.parent / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:\n", 1)[1].split("\n\n", 1)[0]
    for page in re.findall(r":\s+\"?([\w./-]+\.md)\"?\s*$", nav, re.MULTILINE):
        assert (DOCS / page).is_file(), page


def test_every_provider_page_exists_for_first_party_plugins() -> None:
    """Each first-party provider family has a page under docs/providers/."""
    for page in (
        "openai.md",
        "anthropic.md",
        "ernie.md",
        "spark.md",
        "stability.md",
        "flux.md",
        "midjourney.md",
        "vocka.md",
        "ezlink.md",
        "aigc2d.md",
    ):
        assert (DOCS / "providers" / page).is_file()
