"""The conformance kit itself: it catches broken plugins, skips with reasons, honours pins, replays cassettes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from relaykit.testing._kit._meta import check_pin, too_new
from relaykit.testing.kit import KIT_VERSION, KitVersionError, Target
from relaykit_openai import OPENAI_COMPATIBLE
from relaykit_openai.emulator import OpenAIEmulator

CONFTEST = 'pytest_plugins = ["relaykit.testing.kit"]\n'

# A plugin that gets two things wrong: it drops usage, and it puts the key into its errors.
LEAKY_PLUGIN = """
from dataclasses import replace

import relaykit
from relaykit.plugin import Operation
from relaykit_openai import OPENAI_COMPATIBLE

_chat = OPENAI_COMPATIBLE.load(Operation.CHAT)


def chat(request, ctx):
    try:
        result = yield from _chat(request, ctx)
    except relaykit.APIStatusError as exc:
        raise relaykit.ServerError(f"failed with key {ctx.api_key}", provider=ctx.provider) from exc
    return result if request.stream else result.model_copy(update={"usage": None})


LEAKY = replace(OPENAI_COMPATIBLE, name="leaky", operations={Operation.CHAT: "leaky_plugin:chat"})
"""


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """An inner pytest run, without the plugins that only slow it down (hypothesis: ~1 s a run)."""
    return pytester.runpytest_inprocess(*args, "-p", "no:cacheprovider", "-p", "no:hypothesispytest")


def _suite(pytester: pytest.Pytester, body: str) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_suite=textwrap.dedent(body))


def test_kit_fails_the_checks_a_broken_plugin_breaks(pytester: pytest.Pytester) -> None:
    """Dropped usage and a key in error messages fail the usage and error-mapping checks, and only those."""
    pytester.makepyfile(leaky_plugin=LEAKY_PLUGIN)
    pytester.syspathinsert()
    _suite(
        pytester,
        """
        from relaykit.plugin import Capability
        from relaykit.testing.kit import Conformance, Target
        from relaykit_openai.emulator import OpenAIEmulator
        from leaky_plugin import LEAKY

        class TestLeaky(Conformance):
            target = Target(provider=LEAKY, model="m", emulator=OpenAIEmulator, capabilities={Capability.CHAT})
        """,
    )
    result = _run(pytester, "-k", "usage or status_maps or answers_with_text")
    outcomes = {report.nodeid.rsplit("::", 1)[1]: report.outcome for report in _call_reports(result)}
    assert outcomes["test_chat_answers_with_text_finish_reason_and_provider"] == "passed"
    assert outcomes["test_chat_reports_usage"] == "failed"
    assert outcomes["test_error_status_maps_to_its_kind[429]"] == "failed"
    result.stdout.fnmatch_lines(["*AssertionError: the answer has no usage*"])


def test_checks_of_undeclared_capabilities_skip_with_the_reason(pytester: pytest.Pytester) -> None:
    """A chat-only target skips the embeddings checks, saying which capability is missing."""
    _suite(
        pytester,
        """
        from relaykit.plugin import Capability
        from relaykit.testing.kit import Conformance, Target
        from relaykit_openai import OPENAI_COMPATIBLE
        from relaykit_openai.emulator import OpenAIEmulator

        class TestChatOnly(Conformance):
            target = Target(
                provider=OPENAI_COMPATIBLE, model="m", emulator=OpenAIEmulator, capabilities={Capability.CHAT}
            )
        """,
    )
    result = _run(pytester, "-k", "embeddings", "-rs")
    result.assert_outcomes(skipped=3)
    result.stdout.fnmatch_lines(["*openai-compatible does not declare embeddings*"])


def test_a_suite_pinned_to_another_major_fails_with_a_message(pytester: pytest.Pytester) -> None:
    """kit_version '9.0' errors every check, naming both versions."""
    _suite(
        pytester,
        """
        from relaykit.testing.kit import Conformance, Target
        from relaykit_openai import OPENAI_COMPATIBLE
        from relaykit_openai.emulator import OpenAIEmulator

        class TestPinned(Conformance):
            target = Target(provider=OPENAI_COMPATIBLE, model="m", emulator=OpenAIEmulator, kit_version="9.0")
        """,
    )
    result = _run(pytester, "-k", "answers_with_text")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*pins conformance kit 9.0 but relaykit ships kit {KIT_VERSION}*"])


def test_checks_newer_than_the_pin_skip_unless_previewed() -> None:
    """A check added in a later minor is skipped for older pins; other majors are refused."""
    assert too_new("1.1", "1.0")
    assert not too_new("1.0", "1.0")
    assert not too_new("1.0", "1.1")
    check_pin("1.0")
    with pytest.raises(KitVersionError, match="upgrade relaykit"):
        check_pin("1.99")
    with pytest.raises(KitVersionError, match=r"expected MAJOR\.MINOR"):
        check_pin("one")


def test_expected_failures_are_strict(pytester: pytest.Pytester) -> None:
    """A check listed in expected_failures that passes fails the run (XPASS strict)."""
    _suite(
        pytester,
        """
        from relaykit.testing.kit import Conformance, Target
        from relaykit_openai import OPENAI_COMPATIBLE
        from relaykit_openai.emulator import OpenAIEmulator

        class TestKnown(Conformance):
            target = Target(
                provider=OPENAI_COMPATIBLE,
                model="m",
                emulator=OpenAIEmulator,
                expected_failures={"test_chat_reports_usage": "believed broken"},
            )
        """,
    )
    result = _run(pytester, "-k", "test_chat_reports_usage")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*XPASS(strict)*believed broken*"])


def test_cassette_targets_record_once_then_replay_without_the_server(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checks recorded against a server replay from cassettes; fault checks skip for cassette targets."""
    cassettes = pytester.path / "cassettes"
    with OpenAIEmulator(api_key=None) as emu:
        _suite(
            pytester,
            f"""
            from relaykit.plugin import Capability
            from relaykit.testing.kit import Conformance, Target
            from relaykit_openai import OPENAI_COMPATIBLE

            class TestRecorded(Conformance):
                target = Target(
                    provider=OPENAI_COMPATIBLE,
                    model="gpt-4o-mini",
                    cassettes={str(cassettes)!r},
                    capabilities={{Capability.CHAT, Capability.CHAT_STREAM}},
                    settings={{"base_url": {emu.base_url!r}}},
                )
            """,
        )
        chat = "test_chat_ or test_stream_ or test_error_status_maps_to_its_kind"
        monkeypatch.setenv("RELAYKIT_RECORD", "all")
        recorded = _run(pytester, "-k", chat, "-rs")
        requests = len(emu.requests)
    monkeypatch.delenv("RELAYKIT_RECORD")
    replayed = _run(pytester, "-k", chat, "-rs")
    for result in (recorded, replayed):
        result.assert_outcomes(passed=8, skipped=9)
        result.stdout.fnmatch_lines(["*needs an emulator (fault injection or scripted answers)*"])
    assert requests > 0
    assert len(list(cassettes.glob("*.yaml"))) == 8


def test_a_missing_cassette_fails_loudly(pytester: pytest.Pytester) -> None:
    """Replaying a check whose cassette was never recorded fails, saying how to record it."""
    _suite(
        pytester,
        """
        from relaykit.plugin import Capability
        from relaykit.testing.kit import Conformance, Target
        from relaykit_openai import OPENAI_COMPATIBLE

        class TestUnrecorded(Conformance):
            target = Target(
                provider=OPENAI_COMPATIBLE,
                model="m",
                cassettes="nowhere",
                capabilities={Capability.CHAT},
                settings={"base_url": "http://127.0.0.1:9/v1"},
            )
        """,
    )
    result = _run(pytester, "-k", "test_chat_reports_usage")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*no cassette nowhere*test_chat_reports_usage.yaml*RELAYKIT_RECORD=once*"])


def test_the_plugin_adds_its_option_and_header(pytester: pytest.Pytester) -> None:
    """With the plugin, pytest knows --relaykit-kit-preview and names the kit version in the header."""
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    result = _run(pytester, "--relaykit-kit-preview")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"relaykit conformance kit {KIT_VERSION} (preview*"])


def test_target_needs_exactly_one_way_to_reach_the_provider() -> None:
    """Neither or both of emulator= and cassettes= is refused."""
    with pytest.raises(ValueError, match="exactly one"):
        Target(provider=OPENAI_COMPATIBLE, model="m")
    with pytest.raises(ValueError, match="exactly one"):
        Target(provider=OPENAI_COMPATIBLE, model="m", emulator=OpenAIEmulator, cassettes="c")


def test_importing_the_kit_loads_neither_vcr_nor_httpx2_and_testing_does_not_load_the_kit() -> None:
    """`relaykit.testing.kit` defers vcrpy and httpx2 to a running suite; `relaykit.testing` skips the kit."""
    code = (
        "import sys, relaykit.testing; assert 'relaykit.testing.kit' not in sys.modules and 'pytest' not in sys.modules;"
        "import relaykit.testing.kit; print(sorted(m for m in sys.modules if m.split('.')[0] in ('vcr', 'httpx2')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout  # noqa: S603
    assert out.strip() == "[]"


def _call_reports(result: pytest.RunResult) -> list[pytest.TestReport]:
    return [r for r in result.reprec.getreports("pytest_runtest_logreport") if r.when == "call"]  # type: ignore[attr-defined]


def test_conformance_suites_exist_for_every_registered_first_party_plugin_with_an_emulator() -> None:
    """Each plugin of relaykit's own entry points that ships an emulator has tests/conformance/test_kit_<vendor>.py."""
    root = Path(__file__).resolve().parents[2]
    entry_points = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["entry-points"]
    for package in sorted(entry_points["relaykit"].values()):
        folder = root / "plugins" / package
        if (folder / "emulator").is_dir() or (folder / "emulator.py").is_file():
            vendor = package.removeprefix("relaykit_")
            assert (root / "tests" / "conformance" / f"test_kit_{vendor}.py").is_file(), vendor
