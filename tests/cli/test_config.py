"""`relaykit models`, `config check|init`, `providers`, exit codes and one-line errors."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from relaykit._cli import _app, main
from relaykit._cli._app import cli


def test_models_lists_the_providers_models(run: Any) -> None:
    """--json prints the ModelList; the table names provider/model addresses."""
    listed = json.loads(run("models", "openai", "--json").stdout)
    assert any(model["id"] == "gpt-4o-mini" for model in listed["data"])
    assert "openai/" in run("models").stdout


def test_config_init_writes_a_starter_that_checks_and_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """init writes a commented file; a second init needs --force; check passes once the key is set."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["config", "init"]).exit_code == 0
    text = (tmp_path / "relaykit.toml").read_text(encoding="utf-8")
    assert text.startswith("# relaykit configuration")
    refused = runner.invoke(cli, ["config", "init"])
    assert refused.exit_code == 1
    assert "--force" in refused.output
    assert runner.invoke(cli, ["config", "init", "--force"]).exit_code == 0
    missing = runner.invoke(cli, ["config", "check"])
    assert missing.exit_code == 3
    assert "key 'providers.openai.api_key_env': environment variable OPENAI_API_KEY is not set" in missing.stderr
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    checked = runner.invoke(cli, ["config", "check"])
    assert checked.exit_code == 0
    assert checked.stdout.endswith(": ok\n")


def test_config_check_names_every_problem_with_its_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Several problems are all reported, each naming its key, and the exit code is 3 (configuration)."""
    path = tmp_path / "bad.toml"
    path.write_text(
        """
colour = "blue"
[providers.openai]
timeout = "soon"
[providers.nowhere]
kind = "no-such-kind"
[providers.anthropic]
[aliases]
broken = "no-slash"
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    result = CliRunner().invoke(cli, ["config", "check", "--file", str(path)])
    assert result.exit_code == 3
    for key in ("colour", "providers.openai.timeout", "providers.nowhere.kind", "providers.anthropic.api_key_env"):
        assert f"'{key}'" in result.stderr, key


def test_config_check_reports_bad_toml_and_a_missing_file(tmp_path: Path) -> None:
    """Invalid TOML and an absent file are configuration problems, exit 3."""
    (tmp_path / "broken.toml").write_text("[providers\n", encoding="utf-8")
    broken = CliRunner().invoke(cli, ["config", "check", "--file", str(tmp_path / "broken.toml")])
    assert broken.exit_code == 3
    assert "not valid TOML" in broken.stderr
    gone = CliRunner().invoke(cli, ["config", "check", "--file", str(tmp_path / "gone.toml")])
    assert gone.exit_code == 3
    assert "not found" in gone.stderr


def test_an_invalid_request_is_one_line_on_stderr_with_exit_code_2(
    config_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An invalid request is reported as one line naming the error class and field, with a hint."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["chat", "openai/gpt-4o-mini", "Hi", "-o", "temperature", '"hot"']) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("error: InvalidRequestError: ")


def test_debug_prints_the_traceback_before_the_error_line(
    config_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--debug adds the full traceback; the last line is still the one-line error."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["--debug", "chat", "openai/gpt-4o-mini", "Hi", "-o", "temperature", '"hot"']) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback")
    assert err.splitlines()[-1].startswith("error: InvalidRequestError: ")
    monkeypatch.setitem(_app.STATE, "debug", False)


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A missing argument or unknown option is a usage error."""
    assert main(["image", "control", "stability/stable-image"]) == 2
    assert main(["chat", "--no-such-option"]) == 2


def test_every_command_has_help_with_examples() -> None:
    """Each command and subcommand documents itself with an Examples section."""
    runner = CliRunner()
    commands: list[list[str]] = []
    for name, command in cli.commands.items():
        commands.append([name])
        commands.extend([name, sub] for sub in getattr(command, "commands", {}))
    for path in commands:
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Examples:" in result.output, path


@pytest.mark.parametrize(
    ("fault", "code", "hint"),
    [
        ("status=401", 4, "API key"),
        ("status=429; retry_after=3", 5, "retry in 3s"),
        ("status=500", 6, "the vendor failed"),
        ("drop", 7, "network"),
    ],
)
def test_vendor_failures_have_distinct_exit_codes_and_hints(
    config_file: Path,
    emulators: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
    code: int,
    hint: str,
) -> None:
    """Authentication, rate limit, vendor and network failures exit 4, 5, 6 and 7 with a hint."""
    from relaykit.testing import Fault

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    emulators.openai.inject(Fault.parse(fault), times=None)
    try:
        assert main(["chat", "openai/gpt-4o-mini", "Hi", "--no-stream"]) == code
    finally:
        emulators.openai.clear_faults()
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert hint in err


def test_a_configuration_error_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A missing key variable is a configuration error: exit 3 and a hint to run config check."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RELAYKIT_CONFIG", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["chat", "openai/gpt-4o-mini", "Hi"]) == 3
    assert "relaykit config check" in capsys.readouterr().err


def test_log_format_json_writes_one_event_per_line_on_stderr(
    config_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--log-format json turns on relaykit's request events as JSON lines on stderr, never the key."""
    import logging

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    logger = logging.getLogger("relaykit")
    before = list(logger.handlers)
    try:
        assert main(["--log-format", "json", "chat", "openai/gpt-4o-mini", "Hi", "--no-stream"]) == 0
    finally:
        for handler in logger.handlers[len(before) :]:
            logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
    events = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    request = next(event for event in events if event["event"] == "relaykit.http.request")
    assert request["status"] == 200
    assert "test-key" not in json.dumps(events)
