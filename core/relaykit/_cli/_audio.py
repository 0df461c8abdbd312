"""``relaykit embed``, ``relaykit speak``, ``relaykit transcribe`` and ``relaykit translate``."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click

from ._common import client, echo_json, options_option, parse_options

__all__ = ["embed", "speak", "transcribe", "translate"]


@click.command()
@click.argument("model")
@click.argument("texts", nargs=-1)
@options_option
@click.option(
    "-f",
    "--format",
    "out_format",
    type=click.Choice(["json", "csv"]),
    default="json",
    show_default=True,
    help="json: the whole response; csv: one row of floats per input, no header.",
)
def embed(*, model: str, texts: tuple[str, ...], options: tuple[tuple[str, str], ...], out_format: str) -> None:
    """Embed TEXTS with MODEL; without TEXTS, each non-empty line of stdin is one input.

    \b
    Examples:
      relaykit embed openai/text-embedding-3-small "first text" "second text"
      relaykit embed openai/text-embedding-3-small -f csv < lines.txt > vectors.csv
      relaykit embed openai/text-embedding-3-small -o dimensions 256 "hello"
    """
    inputs = list(texts) or [line for line in sys.stdin.read().splitlines() if line.strip()]
    if not inputs:
        raise click.UsageError("no input: give TEXTS or pipe lines on stdin")
    params = parse_options(options)
    with client() as api:
        response = api.embeddings.create(model=model, input=inputs, **params)
    if out_format == "json":
        echo_json(response)
        return
    writer = csv.writer(sys.stdout, lineterminator="\n")
    for vector in response.vectors():
        writer.writerow(repr(value) for value in vector)


@click.command()
@click.argument("model")
@click.argument("text", required=False)
@click.option("-v", "--voice", default="alloy", show_default=True, help="The voice name.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The audio file to write (default: speech.<format>).",
)
@click.option("--format", "audio_format", default="mp3", show_default=True, help="mp3, opus, aac, flac, wav or pcm.")
@options_option
def speak(
    *,
    model: str,
    text: str | None,
    voice: str,
    out: Path | None,
    audio_format: str,
    options: tuple[tuple[str, str], ...],
) -> None:
    """Say TEXT (or stdin) with MODEL and write the audio file; prints its path.

    \b
    Examples:
      relaykit speak openai/gpt-4o-mini-tts "Hello there" --out hello.mp3
      echo "Bonjour" | relaykit speak openai/tts-1 -v nova --format wav
    """
    spoken = text or sys.stdin.read().strip()
    if not spoken:
        raise click.UsageError("no text: give TEXT or pipe it on stdin")
    params = parse_options(options)
    with client() as api:
        speech = api.audio.speech.create(model=model, input=spoken, voice=voice, response_format=audio_format, **params)
    path = speech.write_to(out or Path(f"speech.{audio_format}"))
    click.echo(str(path))


def _audio_command(name: str, *, translate_: bool) -> click.Command:
    verb = "Translate into English" if translate_ else "Transcribe"

    @click.command(name=name)
    @click.argument("model")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--prompt", help="Text to guide the model's style or vocabulary.")
    @click.option("--format", "response_format", default=None, help="json, text, srt, verbose_json or vtt.")
    @options_option
    @click.option("--json", "as_json", is_flag=True, help="Print the whole response as JSON.")
    def command(
        *,
        model: str,
        file: Path,
        prompt: str | None,
        response_format: str | None,
        options: tuple[tuple[str, str], ...],
        as_json: bool,
    ) -> None:
        params = parse_options(options)
        for key, value in (("prompt", prompt), ("response_format", response_format)):
            if value is not None:
                params[key] = value
        with client() as api:
            resource = api.audio.translations if translate_ else api.audio.transcriptions
            result = resource.create(model=model, file=file, **params)
        if as_json:
            echo_json(result)
        else:
            click.echo(result.text)

    command.help = f"""{verb} the audio FILE with MODEL and print the text.

    \b
    Examples:
      relaykit {name} openai/whisper-1 interview.mp3
      relaykit {name} openai/whisper-1 talk.wav --format srt > talk.srt
      relaykit {name} openai/whisper-1 talk.wav --json -o temperature 0
    """
    return command


transcribe = _audio_command("transcribe", translate_=False)
translate = _audio_command("translate", translate_=True)
