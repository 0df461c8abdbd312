"""`relaykit embed`, `speak`, `transcribe` and `translate` against the OpenAI emulator."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from .conftest import Emulators

# A minimal WAV header with no samples: enough for an upload.
WAV = b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00@\x1f\x00\x00\x80>\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00"


def test_embed_prints_the_response_as_json(run: Any) -> None:
    """Two texts give two float vectors in the JSON response."""
    result = run("embed", "openai/text-embedding-3-small", "a", "b")
    data = json.loads(result.stdout)["data"]
    assert [item["index"] for item in data] == [0, 1]
    assert all(isinstance(value, float) for value in data[0]["embedding"])


def test_embed_csv_has_one_row_of_floats_per_stdin_line(run: Any) -> None:
    """-f csv reads lines from stdin and writes one row per input, no header."""
    result = run("embed", "openai/text-embedding-3-small", "-f", "csv", input="first\n\nsecond\n")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert len(rows) == 2
    assert all(float(value) == float(value) for value in rows[0])


def test_speak_writes_the_audio_file(run: Any, emulators: Emulators, tmp_path: Path) -> None:
    """The audio bytes land in --out and the path is printed."""
    result = run("speak", "openai/tts-1", "Hello", "--out", "hello.mp3", "-v", "nova")
    assert result.exit_code == 0
    assert result.stdout.strip() == "hello.mp3"
    assert (tmp_path / "hello.mp3").stat().st_size > 0
    assert emulators.openai.last_request.json()["voice"] == "nova"


def test_transcribe_and_translate_print_text_or_json(run: Any, tmp_path: Path) -> None:
    """Both commands upload the file and print its text; --json prints the typed object."""
    (tmp_path / "talk.wav").write_bytes(WAV)
    text = run("transcribe", "openai/whisper-1", "talk.wav")
    assert text.exit_code == 0
    assert text.stdout.strip()
    as_json = json.loads(run("transcribe", "openai/whisper-1", "talk.wav", "--json").stdout)
    assert "text" in as_json
    translated = run("translate", "openai/whisper-1", "talk.wav", "--format", "text")
    assert translated.exit_code == 0
    assert translated.stdout.strip()
