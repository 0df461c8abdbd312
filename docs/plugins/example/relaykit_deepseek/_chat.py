"""Chat: ``POST /chat/completions`` on api.deepseek.com, the OpenAI dialect with DeepSeek's rules.

References (see ``README.md`` for the links): DeepSeek's "Reasoning Model" guide (``deepseek-reasoner``
answers carry ``reasoning_content`` beside ``content``, in messages and in stream deltas; sending it
back is a 400; ``logprobs`` and ``top_logprobs`` are errors) and "Error Codes" (402 Insufficient
Balance). The OpenAI flow already reads ``reasoning_content`` and never sends it back; this flow
delegates to it and adds the two rules below.
"""

from __future__ import annotations

from relaykit import (
    APIStatusError,
    ChatCompletion,
    ChatCompletionChunk,
    ChatRequest,
    InvalidRequestError,
    QuotaExceededError,
)
from relaykit.plugin import CallContext, Flow, Operation, Streaming
from relaykit_openai import OPENAI_COMPATIBLE

from . import REASONER

__all__ = ["chat"]

_REASONER_REFUSES = ("logprobs", "top_logprobs")
"""Fields ``deepseek-reasoner`` answers with an error (other sampling fields it ignores)."""


def chat(request: ChatRequest, ctx: CallContext) -> Flow[ChatCompletion | Streaming[ChatCompletionChunk]]:
    """The OpenAI chat flow, after DeepSeek's local checks, with DeepSeek's 402 mapped."""
    if ctx.model == REASONER:
        for field in _REASONER_REFUSES:
            if getattr(request, field) is not None:
                raise InvalidRequestError(f"{field}: {REASONER} does not accept it", field=field)
    openai_chat = OPENAI_COMPATIBLE.load(Operation.CHAT)
    try:
        result: ChatCompletion | Streaming[ChatCompletionChunk] = yield from openai_chat(request, ctx)
    except APIStatusError as exc:
        if exc.status == 402:
            raise _map_insufficient_balance(exc) from exc
        raise
    return result


def _map_insufficient_balance(error: APIStatusError) -> QuotaExceededError:
    """DeepSeek's 402 "Insufficient Balance": out of credit, so not worth retrying."""
    return QuotaExceededError(
        error.message,
        provider=error.provider,
        model=error.model,
        status=error.status,
        request_id=error.request_id,
        retry_after=error.retry_after,
        code=error.code,
        body_excerpt=error.body_excerpt,
        rate_limit=error.rate_limit,
    )
