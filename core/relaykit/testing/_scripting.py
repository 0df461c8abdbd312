"""`ChatScripting`: what an emulator offers so that tests (and the conformance kit) script its answers.

A generated answer is whatever the emulator makes of a request; some checks need an exact one
instead: two parallel tool calls, a tool call without arguments, a text of Chinese and emoji, or a
vendor error reported *inside* a successful answer. An emulator opts in by implementing the two
methods below (structurally: no base class to inherit). The first-party emulators do::

    >>> from relaykit.testing import ChatScripting
    >>> from relaykit_openai.emulator import OpenAIEmulator
    >>> isinstance(OpenAIEmulator(), ChatScripting)
    True

The conformance kit (`relaykit.testing.kit`) runs the checks that need exact answers only against
emulators that implement this protocol, and skips them with the reason otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .._errors import APIStatusError

__all__ = ["ChatScripting", "TaskScripting"]


@runtime_checkable
class ChatScripting(Protocol):
    """An emulator whose next chat answers can be scripted exactly (see the module docstring)."""

    def script_chat(self, text: str | None = None, *, tool_calls: Sequence[Mapping[str, Any]] = ()) -> None:
        """Queue an exact answer for the next chat request, streamed or not; queued answers go first.

        Args:
            text: the assistant's text (None: no text, when there are tool calls).
            tool_calls: calls in order, each ``{"name": str, "arguments": dict}``; ids are generated.
                The finish reason is ``tool_calls`` when there are calls, else ``stop``.
        """
        ...

    def script_chat_error(self, error: type[APIStatusError], message: str = "The server had an error.") -> None:
        """Make the next chat answer report an error of kind `error` *in band*, in the vendor's own words.

        In band means inside a successful (200) answer: an error event in a stream, or an error
        body in a 200 for vendors that do that. Which relaykit error class a vendor error maps to
        is the plugin's business; the emulator picks the vendor code or type that means `error`.

        Raises:
            ValueError: the vendor has no in-band way to report `error` (the kit then skips it).
        """
        ...


@runtime_checkable
class TaskScripting(Protocol):
    """An emulator that can forget a long-running job, as a vendor does after its retention period.

    The conformance kit uses it to check that a task the vendor no longer knows is a typed failure
    (`relaykit.TaskNotFoundError`), never an endless poll.
    """

    def forget_task(self, task_id: str | None = None) -> None:
        """Forget job `task_id` (every job when None): later looks at it answer "not found"."""
        ...
