"""Chat and streaming checks."""

from __future__ import annotations

from typing import Any

import relaykit

from ..._provider import Capability
from ._inputs import CHINESE_ANSWER, CHINESE_PROMPT, user
from ._meta import check
from ._run import KitRun

__all__ = ["ChatChecks", "StreamChecks"]

CHAT = Capability.CHAT
STREAM = Capability.CHAT_STREAM
_HELLO = "Hello from the relaykit conformance kit."


def _stream(kit: KitRun, **params: Any) -> list[relaykit.ChatCompletionChunk]:
    stream = kit.client.chat.completions.create(model=kit.address(), stream=True, max_tokens=64, **params)
    with stream:
        return list(stream)


class ChatChecks:
    """`client.chat.completions.create` without streaming."""

    @check("chat", CHAT)
    def test_chat_answers_with_text_finish_reason_and_provider(self, kit: KitRun) -> None:
        """A plain chat returns a ChatCompletion with text, finish_reason "stop", the provider and model.

        Fix: the chat flow must return `ChatCompletion` with `provider=ctx.provider`, a `model`, one
        choice whose message holds the vendor's text, and the vendor's finish reason mapped onto
        relaykit's (a table such as `_FINISH_REASONS`; unknown values go to
        `vendor_data["finish_reason_raw"]`).
        """
        scripted = kit.script_chat(_HELLO)
        answer = kit.client.chat.completions.create(model=kit.address(), messages=[user("Say hello.")], max_tokens=64)
        assert isinstance(answer, relaykit.ChatCompletion)
        assert answer.provider == kit.name, f"provider is {answer.provider!r}; set it to ctx.provider"
        assert answer.model, "the answer names no model; use the vendor's, or ctx.model"
        assert answer.choices, "the answer has no choice"
        assert answer.text, "the answer has no text"
        if scripted:
            assert answer.text == _HELLO, f"the scripted text came back as {answer.text!r}"
        assert answer.choices[0].finish_reason == "stop", f"finish_reason {answer.choices[0].finish_reason!r}"

    @check("chat", CHAT)
    def test_chat_multi_turn_with_system_reaches_the_vendor_in_order(self, kit: KitRun) -> None:
        """A system prompt and every turn of a conversation reach the vendor, turns in order.

        Fix: map every message of `ChatRequest.messages` (system and developer included: as a
        system field or a message, as the vendor wants) and keep the order of the turns.
        """
        turns = ["Remember the word 'ocelot'.", "Noted: ocelot.", "Which word did I ask you to remember?"]
        messages = [
            {"role": "system", "content": "You answer in one short sentence."},
            user(turns[0]),
            {"role": "assistant", "content": turns[1]},
            user(turns[2]),
        ]
        kit.script_chat("The word was ocelot.")
        answer = kit.client.chat.completions.create(model=kit.address(), messages=messages, max_tokens=64)
        assert answer.text, "a multi-turn chat got an empty answer"
        strings = kit.sent[-1].json_strings()
        if not strings:  # a vendor whose body is not JSON: nothing more to look at
            return
        assert any("one short sentence" in text for text in strings), "the system prompt did not reach the vendor"
        positions = [next((i for i, text in enumerate(strings) if turn in text), -1) for turn in turns]
        assert -1 not in positions, f"turn {turns[positions.index(-1)]!r} did not reach the vendor"
        assert positions == sorted(positions), "the turns reached the vendor out of order"

    @check("chat", CHAT)
    def test_chat_stop_sequence_ends_the_answer(self, kit: KitRun) -> None:
        """With `stop`, the answer ends before the stop sequence and finish_reason is "stop".

        Fix: send `stop` (a string or a list) as the vendor's stop-sequence field, and map the
        vendor's "stopped on a sequence" reason to "stop". Your emulator should cut generated text
        at the stop sequence, as a model does.
        """
        prompt = "Repeat exactly: alpha beta HALT gamma delta"
        answer = kit.client.chat.completions.create(
            model=kit.address(), messages=[user(prompt)], stop=["HALT"], max_tokens=64
        )
        assert "HALT" not in answer.text, f"the answer {answer.text!r} runs past the stop sequence"
        assert answer.choices[0].finish_reason == "stop", f"finish_reason {answer.choices[0].finish_reason!r}"

    @check("chat", CHAT)
    def test_chat_reports_usage(self, kit: KitRun) -> None:
        """The answer carries usage: prompt and completion tokens above zero, and their total.

        Fix: map the vendor's token counts onto `Usage(prompt_tokens, completion_tokens,
        total_tokens)`; compute the total when the vendor gives only the parts.
        """
        kit.script_chat(_HELLO)
        answer = kit.client.chat.completions.create(model=kit.address(), messages=[user("Say hello.")], max_tokens=64)
        usage = answer.usage
        assert usage is not None, "the answer has no usage"
        assert usage.prompt_tokens > 0, "usage.prompt_tokens is 0"
        assert usage.completion_tokens > 0, "usage.completion_tokens is 0"
        assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens, (
            f"usage.total_tokens {usage.total_tokens} != {usage.prompt_tokens} + {usage.completion_tokens}"
        )

    @check("chat", CHAT)
    def test_chat_unicode_and_chinese_round_trip(self, kit: KitRun) -> None:
        """Chinese text, emoji, quotes and backslashes reach the vendor and come back untouched.

        Fix: send JSON as UTF-8 (never transcode, never double-escape) and decode answers as
        UTF-8; do not strip or normalize the text.
        """
        scripted = kit.script_chat(CHINESE_ANSWER)
        answer = kit.client.chat.completions.create(model=kit.address(), messages=[user(CHINESE_PROMPT)], max_tokens=64)
        strings = kit.sent[-1].json_strings()
        if strings:
            assert any(CHINESE_PROMPT in text for text in strings), "the Chinese prompt did not reach the vendor intact"
        if scripted:
            assert answer.text == CHINESE_ANSWER, f"the answer came back as {answer.text!r}"
        assert "\ufffd" not in answer.text, "the answer holds U+FFFD: bytes were decoded with the wrong charset"
        assert "\\u" not in answer.text, "the answer holds \\u escapes: JSON was decoded twice or not at all"


class StreamChecks:
    """`client.chat.completions.create(stream=True)`."""

    @check("streaming", CHAT, STREAM)
    def test_stream_yields_chunks_with_text(self, kit: KitRun) -> None:
        """A stream yields at least one chunk with text, each chunk naming the provider.

        Fix: return `Streaming(decoder)` from the chat flow when `request.stream` is set, and have
        the decoder turn each vendor event into `ChatCompletionChunk`s with `provider=ctx.provider`
        and text in `choices[0].delta.content`.
        """
        kit.script_chat(_HELLO)
        chunks = _stream(kit, messages=[user("Say hello.")])
        assert chunks, "the stream yielded no chunk"
        assert any(chunk.text for chunk in chunks), "no chunk carries text"
        assert all(chunk.provider == kit.name for chunk in chunks), "a chunk does not name the provider"

    @check("streaming", CHAT, STREAM)
    def test_stream_assembles_to_the_unstreamed_answer(self, kit: KitRun) -> None:
        """The deltas of a stream join into the answer the same request gets unstreamed (Chinese text).

        Fix: emit each text fragment once, in order, with nothing dropped or repeated (watch for
        a final event that repeats the whole text; split UTF-8 only on character boundaries), and
        map the stream's finish reason as the unstreamed one is mapped.
        """
        messages = [user(CHINESE_PROMPT)]
        kit.script_chat(CHINESE_ANSWER)
        unstreamed = kit.client.chat.completions.create(model=kit.address(), messages=messages, max_tokens=64)
        kit.script_chat(CHINESE_ANSWER)
        stream = kit.client.chat.completions.create(model=kit.address(), messages=messages, max_tokens=64, stream=True)
        with stream:
            deltas = [chunk.text for chunk in stream]
            final = stream.get_final_completion()
        assert "".join(deltas) == final.text, "get_final_completion() does not match the deltas"
        if kit.emulator is not None:
            assert final.text == unstreamed.text, f"streamed {final.text!r}, unstreamed {unstreamed.text!r}"
            assert final.choices[0].finish_reason == unstreamed.choices[0].finish_reason, "finish reasons differ"

    @check("streaming", CHAT, STREAM)
    def test_stream_reports_exactly_one_final_usage_when_asked(self, kit: KitRun) -> None:
        """With `stream_options={"include_usage": True}`, exactly one chunk carries usage, after the text.

        Fix: ask the vendor for usage when `request.include_usage` is set, and emit it once, in a
        last chunk with `choices=[]` and `usage` set (merge the vendor's partial usage events into
        it rather than emitting each).
        """
        kit.script_chat(_HELLO)
        chunks = _stream(kit, messages=[user("Say hello.")], stream_options={"include_usage": True})
        with_usage = [i for i, chunk in enumerate(chunks) if chunk.usage is not None]
        assert len(with_usage) == 1, f"{len(with_usage)} chunks carry usage; expected exactly one"
        last_text = max((i for i, chunk in enumerate(chunks) if chunk.text), default=-1)
        assert with_usage[0] > last_text, "the usage chunk comes before the end of the text"
        usage = chunks[with_usage[0]].usage
        assert usage is not None
        assert usage.prompt_tokens > 0, "usage.prompt_tokens is 0"
        assert usage.completion_tokens > 0, "usage.completion_tokens is 0"
        assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens, "usage.total_tokens is not the sum"
