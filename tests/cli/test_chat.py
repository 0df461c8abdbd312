"""`relaykit chat` and `relaykit complete` against the OpenAI and Anthropic emulators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from relaykit.testing import Fault

from .conftest import PNG, Emulators, json_lines


def test_chat_streams_the_answer_to_stdout(run: Any, emulators: Emulators) -> None:
    """The emulator's echo reaches stdout, followed by a newline."""
    emulators.openai.script_chat("Bonjour!")
    result = run("chat", "openai/gpt-4o-mini", "Hi")
    assert result.exit_code == 0
    assert result.stdout == "Bonjour!\n"
    assert emulators.openai.last_request.json()["stream"] is True


def test_chat_sends_system_prompt_and_json_typed_options(run: Any, emulators: Emulators) -> None:
    """-s becomes a system message; -o values are parsed as JSON, dotted keys nest."""
    result = run(
        "chat", "openai/gpt-4o-mini", "Hi", "-s", "Be brief", "-o", "temperature", "0.2", "-o", "stop", '["x"]'
    )
    assert result.exit_code == 0
    body = emulators.openai.last_request.json()
    assert body["messages"][0] == {"role": "system", "content": "Be brief"}
    assert body["temperature"] == 0.2
    assert body["stop"] == ["x"]


def test_chat_json_prints_one_chunk_per_line_when_streaming(run: Any, emulators: Emulators) -> None:
    """--json while streaming prints JSON lines of normalized chunks."""
    emulators.openai.script_chat("one two")
    result = run("chat", "openai/gpt-4o-mini", "Hi", "--json")
    chunks = json_lines(result.stdout)
    assert chunks
    assert all(chunk["object"] == "chat.completion.chunk" for chunk in chunks)
    text = "".join(choice["delta"].get("content") or "" for chunk in chunks for choice in chunk["choices"])
    assert text == "one two"


def test_chat_json_without_stream_prints_the_completion(run: Any, emulators: Emulators) -> None:
    """--no-stream --json prints the whole normalized ChatCompletion."""
    emulators.openai.script_chat("done")
    result = run("chat", "openai/gpt-4o-mini", "Hi", "--no-stream", "--json")
    answer = json.loads(result.stdout)
    assert answer["choices"][0]["message"]["content"] == "done"


def test_chat_reads_the_prompt_from_stdin(run: Any, emulators: Emulators) -> None:
    """Piped stdin is the prompt, put before PROMPT when both are given."""
    run("chat", "openai/gpt-4o-mini", "summarize", input="some notes\n")
    assert emulators.openai.last_request.json()["messages"][-1]["content"] == "some notes\n\nsummarize"


def test_chat_attaches_images_and_text_files(run: Any, emulators: Emulators, tmp_path: Path) -> None:
    """An image goes as a data URL image part, a text file inline."""
    (tmp_path / "pic.png").write_bytes(PNG)
    (tmp_path / "notes.txt").write_text("hello file", encoding="utf-8")
    result = run("chat", "openai/gpt-4o-mini", "Look", "-a", "pic.png", "-a", "notes.txt")
    assert result.exit_code == 0
    parts = emulators.openai.last_request.json()["messages"][-1]["content"]
    assert parts[0] == {"type": "text", "text": "Look"}
    assert parts[1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert parts[2] == {"type": "text", "text": "notes.txt:\nhello file"}


def test_interactive_chat_keeps_the_conversation(run: Any, emulators: Emulators) -> None:
    """-i sends each line as a turn with the earlier ones, until /exit."""
    emulators.openai.script_chat("first answer")
    emulators.openai.script_chat("second answer")
    result = run("chat", "openai/gpt-4o-mini", "-i", input="hello\nand then?\n/exit\n")
    assert result.exit_code == 0
    assert "first answer" in result.stdout
    assert "second answer" in result.stdout
    messages = emulators.openai.last_request.json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[1]["content"] == "first answer"


def test_chat_through_a_route_falls_back(run: Any, emulators: Emulators) -> None:
    """A route name works as MODEL: OpenAI failing, Anthropic answers."""
    emulators.openai.inject(Fault.status(500), times=None)
    result = run("chat", "smart", "Hi", "--no-stream", "--json")
    assert json.loads(result.stdout)["route"]["deployment"] == "anthropic/claude-sonnet-4-5"


def test_complete_streams_and_prints_json(run: Any, emulators: Emulators) -> None:
    """complete streams text; --no-stream --json prints the Completion."""
    streamed = run("complete", "openai/gpt-3.5-turbo-instruct", "Once upon")
    assert streamed.exit_code == 0
    assert streamed.stdout.strip()
    whole = run("complete", "openai/gpt-3.5-turbo-instruct", "Once upon", "--no-stream", "--json")
    assert json.loads(whole.stdout)["object"] == "text_completion"
    lines = json_lines(run("complete", "openai/gpt-3.5-turbo-instruct", "Once", "--json").stdout)
    assert lines
    assert all("choices" in line for line in lines)
