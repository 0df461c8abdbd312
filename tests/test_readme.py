"""The README's promises: two fresh-machine commands, the test one run verbatim by CI."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Try it on a fresh machine", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, re.DOTALL)


def test_readme_gives_exactly_two_fresh_machine_commands() -> None:
    """One command runs the offline demo, one installs and runs the tests."""
    demo, tests = _readme_commands()
    assert demo.endswith("relaykit demo")
    assert tests.endswith("python -m pytest")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    """.ci/run executes exactly the README's test command."""
    _, tests = _readme_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci


def test_readme_links_point_at_existing_docs() -> None:
    """Every relative link in the README resolves to a file."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        if not target.startswith("http"):
            assert (ROOT / target).is_file(), target
