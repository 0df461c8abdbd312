"""``relaykit chat`` and ``relaykit complete``: text in, text streamed out as it arrives."""

from __future__ import annotations

import base64
import mimetypes
import sys
from pathlib import Path
from typing import Any

import click

from ._common import client, echo_json, options_option, parse_options

__all__ = ["chat", "complete"]

_QUIT = {"/exit", "/quit", "exit", "quit"}


def _stdin_text(prompt: str | None) -> str:
    """The prompt, with piped stdin before it (``cat notes.txt | relaykit chat M "summarize"``)."""
    piped = ""
    stdin = sys.stdin
    if prompt is None or prompt == "-" or not stdin.isatty():
        piped = stdin.read().strip() if not stdin.isatty() else ""
    parts = [part for part in (piped, None if prompt == "-" else prompt) if part]
    if not parts:
        raise click.UsageError("no prompt: give one as an argument, pipe it on stdin, or use -i")
    return "\n\n".join(parts)


def _attachment(path: Path) -> dict[str, Any]:
    """A content part for `path`: an image as a data URL, text inline, anything else as a file part."""
    data = path.read_bytes()
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    encoded = base64.b64encode(data).decode("ascii")
    if mime.startswith("image/"):
        return {"type": "image_url", "image_url": {"url": f"data:{mime};base64,{encoded}"}}
    if mime.startswith("text/") or mime in {"application/json", "application/xml"}:
        try:
            return {"type": "text", "text": f"{path.name}:\n{data.decode('utf-8')}"}
        except UnicodeDecodeError:
            pass
    return {"type": "file", "file": {"filename": path.name, "file_data": f"data:{mime};base64,{encoded}"}}


def _user_message(text: str, attachments: tuple[Path, ...]) -> dict[str, Any]:
    if not attachments:
        return {"role": "user", "content": text}
    return {"role": "user", "content": [{"type": "text", "text": text}, *(_attachment(p) for p in attachments)]}


@click.command()
@click.argument("model")
@click.argument("prompt", required=False)
@click.option("-s", "--system", help="A system prompt.")
@options_option
@click.option(
    "-a",
    "--attach",
    "attachments",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Attach a file (repeatable): images go as images, text inline, others as file parts.",
)
@click.option("-i", "--interactive", is_flag=True, help="Chat turn after turn (/exit or Ctrl-D to leave).")
@click.option("--no-stream", is_flag=True, help="Wait for the whole answer instead of streaming it.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the response as JSON (JSON lines of chunks when streaming)."
)
def chat(
    *,
    model: str,
    prompt: str | None,
    system: str | None,
    options: tuple[tuple[str, str], ...],
    attachments: tuple[Path, ...],
    interactive: bool,
    no_stream: bool,
    as_json: bool,
) -> None:
    """Chat with MODEL (provider/model, an alias or a route); the answer streams as it arrives.

    PROMPT may be omitted (or "-") to read it from stdin; piped stdin is put before PROMPT.

    \b
    Examples:
      relaykit chat openai/gpt-4o-mini "Name three colours"
      relaykit chat anthropic/claude-sonnet-4-5 -s "Answer in French" -o temperature 0.2 "Hi"
      relaykit chat openai/gpt-4o -a photo.jpg "What is in this picture?"
      git diff | relaykit chat openai/gpt-4o-mini "Write a commit message"
      relaykit chat openai/gpt-4o-mini --json "Hi" | jq -r '.choices[0].message.content'
      relaykit chat openai/gpt-4o-mini -i
    """
    params = parse_options(options)
    messages: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    with client() as api:
        if not interactive:
            messages.append(_user_message(_stdin_text(prompt), attachments))
            _turn(api, model, messages, params, stream=not no_stream, as_json=as_json)
            return
        first = prompt
        while True:
            text = first if first is not None else _read_turn()
            first = None
            if text is None or text.strip() in _QUIT:
                return
            if not text.strip():
                continue
            messages.append(_user_message(text, attachments if len(messages) <= 1 else ()))
            messages.append(_turn(api, model, messages, params, stream=not no_stream, as_json=as_json))


def _read_turn() -> str | None:
    click.echo(click.style("you> ", bold=True), nl=False, err=True)
    line = sys.stdin.readline()
    return None if line == "" else line.rstrip("\n")


def _turn(
    api: Any, model: str, messages: list[dict[str, Any]], params: dict[str, Any], *, stream: bool, as_json: bool
) -> dict[str, Any]:
    """Send one turn, print the answer, and return it as an assistant message."""
    if not stream:
        answer = api.chat.completions.create(model=model, messages=messages, **params)
        if as_json:
            echo_json(answer)
        else:
            click.echo(answer.text)
        return {"role": "assistant", "content": answer.text}
    response = api.chat.completions.create(model=model, messages=messages, stream=True, **params)
    with response:
        for chunk in response:
            if as_json:
                echo_json(chunk, lines=True)
            else:
                click.echo(chunk.text, nl=False)
                sys.stdout.flush()
    final = response.get_final_completion()
    if not as_json:
        click.echo()
        for call in final.choices[0].message.tool_calls or [] if final.choices else []:
            click.echo(f"[tool call] {call.function.name}({call.function.arguments})", err=True)
    return {"role": "assistant", "content": final.text}


@click.command()
@click.argument("model")
@click.argument("prompt", required=False)
@options_option
@click.option("--no-stream", is_flag=True, help="Wait for the whole answer instead of streaming it.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the response as JSON (JSON lines of chunks when streaming)."
)
def complete(
    *, model: str, prompt: str | None, options: tuple[tuple[str, str], ...], no_stream: bool, as_json: bool
) -> None:
    """Continue PROMPT with a (legacy) text completion MODEL, streamed as it arrives.

    PROMPT may be omitted (or "-") to read it from stdin.

    \b
    Examples:
      relaykit complete openai/gpt-3.5-turbo-instruct "Once upon a time" -o max_tokens 40
      relaykit complete anthropic/claude-2.1 --json "Hello" | jq .choices[0].text
    """
    params = parse_options(options)
    text = _stdin_text(prompt)
    with client() as api:
        if no_stream:
            answer = api.completions.create(model=model, prompt=text, **params)
            if as_json:
                echo_json(answer)
            else:
                click.echo(answer.text)
            return
        response = api.completions.create(model=model, prompt=text, stream=True, **params)
        with response:
            for chunk in response:
                if as_json:
                    echo_json(chunk, lines=True)
                else:
                    click.echo(chunk.text, nl=False)
        if not as_json:
            click.echo()
