"""relaykit: one typed, OpenAI-shaped interface to many AI vendors.

```python
import relaykit

with relaykit.Client() as client:
    answer = client.chat.completions.create(
        model="openai/gpt-4o-mini",
        messages=[{"role": "user", "content": "Say hello"}],
    )
    print(answer.text)
```

Public names are imported lazily (PEP 562), so `import relaykit` costs little: the HTTP client and
the plugins' translation modules load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name -> private module that defines it. Keep sorted by name.
_EXPORTS: dict[str, str] = {
    "APIConnectionError": "_errors",
    "APIError": "_errors",
    "APIStatusError": "_errors",
    "APITimeoutError": "_errors",
    "AssistantMessage": "_types._messages",
    "AsyncClient": "_client",
    "AsyncStream": "_streaming",
    "AudioContentPart": "_types._messages",
    "AuthenticationError": "_errors",
    "BadRequestError": "_errors",
    "Capability": "_provider",
    "ChatCompletion": "_types._chat",
    "ChatCompletionChunk": "_types._chat_stream",
    "ChatRequest": "_types._chat",
    "ChatStreamAccumulator": "_types._chat_stream",
    "Choice": "_types._chat",
    "ChoiceDelta": "_types._chat_stream",
    "ChunkChoice": "_types._chat_stream",
    "Client": "_client",
    "Config": "_config",
    "ConfigurationError": "_errors",
    "ContentPolicyError": "_errors",
    "ContextLengthError": "_errors",
    "DeveloperMessage": "_types._messages",
    "FileContentPart": "_types._messages",
    "FunctionCall": "_types._messages",
    "FunctionDefinition": "_types._chat",
    "FunctionMessage": "_types._messages",
    "ImageContentPart": "_types._messages",
    "ImageURL": "_types._messages",
    "InputAudio": "_types._messages",
    "InputFile": "_types._messages",
    "InvalidRequestError": "_errors",
    "JSONSchemaFormat": "_types._chat",
    "NamedToolChoice": "_types._chat",
    "NotFoundError": "_errors",
    "OverloadedError": "_errors",
    "PermissionDeniedError": "_errors",
    "PluginError": "_errors",
    "QuotaExceededError": "_errors",
    "RateLimitError": "_errors",
    "ReasoningPart": "_types._messages",
    "RefusalContentPart": "_types._messages",
    "RelaykitError": "_errors",
    "ResponseFormatError": "_errors",
    "ResponseMessage": "_types._chat",
    "ServerError": "_errors",
    "Stream": "_streaming",
    "StreamInterruptedError": "_errors",
    "StreamOptions": "_types._chat",
    "SystemMessage": "_types._messages",
    "TextContentPart": "_types._messages",
    "Tool": "_types._chat",
    "ToolCall": "_types._messages",
    "ToolCallDelta": "_types._chat_stream",
    "ToolCallFunction": "_types._messages",
    "ToolMessage": "_types._messages",
    "UnsupportedCapabilityError": "_errors",
    "Usage": "_types._chat",
    "UserMessage": "_types._messages",
    "providers": "_registry_api",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'relaykit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"relaykit.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from ._client import AsyncClient, Client
    from ._config import Config
    from ._errors import (
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        ContentPolicyError,
        ContextLengthError,
        InvalidRequestError,
        NotFoundError,
        OverloadedError,
        PermissionDeniedError,
        PluginError,
        QuotaExceededError,
        RateLimitError,
        RelaykitError,
        ResponseFormatError,
        ServerError,
        StreamInterruptedError,
        UnsupportedCapabilityError,
    )
    from ._provider import Capability
    from ._registry_api import providers
    from ._streaming import AsyncStream, Stream
    from ._types._chat import (
        ChatCompletion,
        ChatRequest,
        Choice,
        FunctionDefinition,
        JSONSchemaFormat,
        NamedToolChoice,
        ResponseMessage,
        StreamOptions,
        Tool,
        Usage,
    )
    from ._types._chat_stream import ChatCompletionChunk, ChatStreamAccumulator, ChoiceDelta, ChunkChoice, ToolCallDelta
    from ._types._messages import (
        AssistantMessage,
        AudioContentPart,
        DeveloperMessage,
        FileContentPart,
        FunctionCall,
        FunctionMessage,
        ImageContentPart,
        ImageURL,
        InputAudio,
        InputFile,
        ReasoningPart,
        RefusalContentPart,
        SystemMessage,
        TextContentPart,
        ToolCall,
        ToolCallFunction,
        ToolMessage,
        UserMessage,
    )
