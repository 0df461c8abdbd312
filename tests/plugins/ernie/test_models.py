"""Model names to v1 endpoints and v2 ids, the endpoints setting, and per-model capabilities."""

from __future__ import annotations

import pytest

import relaykit
from relaykit.plugin import Capability
from relaykit_ernie._models import (
    CHAT_PREFIX,
    chat_path,
    embedding_path,
    ernie_model_capabilities,
    qianfan_model,
    qianfan_model_capabilities,
)


@pytest.mark.parametrize(
    ("model", "endpoint"),
    [
        ("ERNIE-Bot", "completions"),
        ("ernie-bot", "completions"),
        ("ERNIE-3.5-8K", "completions"),
        ("ernie-bot-4", "completions_pro"),
        ("ERNIE-4.0-8K", "completions_pro"),
        ("ernie-bot-turbo", "eb-instant"),
        ("ERNIE-Lite-8K-0922", "eb-instant"),
        ("ERNIE-Bot-8K", "ernie_bot_8k"),
        ("ERNIE-Speed-8K", "ernie_speed"),
        ("ernie-speed-128k", "ernie-speed-128k"),
        ("ERNIE-Lite-8K", "ernie-lite-8k"),
        ("ERNIE-Tiny-8K", "ernie-tiny-8k"),
        ("ERNIE-3.5-8K-0329", "ernie-3.5-8k-0329"),
        ("ERNIE-4.0-8K-Latest", "ernie-4.0-8k-latest"),
        ("ERNIE-4.0-Turbo-8K", "ernie-4.0-turbo-8k"),
        ("ERNIE-Character-8K", "ernie-char-8k"),
        ("ERNIE-Function-8K", "ernie-func-8k"),
        ("llama_2_70b", "llama_2_70b"),
        ("completions_pro", "completions_pro"),
    ],
)
def test_chat_models_resolve_to_their_endpoint(model: str, endpoint: str) -> None:
    """Console names, v2 ids, first-generation and aigc2d names, and endpoint ids all resolve."""
    assert chat_path(model, {}) == CHAT_PREFIX + endpoint


def test_unknown_model_is_refused_naming_the_setting() -> None:
    """No guess (lower-casing sends ERNIE-Speed-8K nowhere): InvalidRequestError on model."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        chat_path("gpt-4o", {})
    assert caught.value.field == "model"
    assert "endpoints" in str(caught.value)


def test_endpoints_setting_adds_and_overrides() -> None:
    """Configured names win over the table; a value starting with / is a path from base_url."""
    endpoints = {"my-bot": "xbk8r2n1_custom", "ernie-4.0-8k": "ernie-4.0-8k-0613", "svc": "/rpc/2.0/custom/svc"}
    assert chat_path("My-Bot", endpoints) == CHAT_PREFIX + "xbk8r2n1_custom"
    assert chat_path("ERNIE-4.0-8K", endpoints) == CHAT_PREFIX + "ernie-4.0-8k-0613"
    assert chat_path("svc", endpoints) == "/rpc/2.0/custom/svc"


@pytest.mark.parametrize(
    ("model", "endpoint"),
    [
        ("Embedding-V1", "embedding-v1"),
        ("bge-large-zh", "bge_large_zh"),
        ("bge-large-en", "bge_large_en"),
        ("tao-8k", "tao_8k"),
    ],
)
def test_embedding_models_resolve_to_their_endpoint(model: str, endpoint: str) -> None:
    """The four v1 embedding models (A6)."""
    assert embedding_path(model, {}).endswith("/wenxinworkshop/embeddings/" + endpoint)


@pytest.mark.parametrize(
    ("model", "v2"),
    [
        ("ernie-bot", "ernie-3.5-8k"),
        ("ernie-bot-4", "ernie-4.0-8k"),
        ("ERNIE-Bot-turbo", "ernie-lite-8k"),
        ("ernie-speed", "ernie-speed-8k"),
        ("ERNIE-4.0-Turbo-8K", "ernie-4.0-turbo-8k"),
        ("deepseek-v3", "deepseek-v3"),
        ("embedding-v1", "embedding-v1"),
    ],
)
def test_v2_model_ids(model: str, v2: str) -> None:
    """First-generation names become their v2 successors; ERNIE names are lower-cased."""
    assert qianfan_model(model) == v2


def test_capabilities_narrow_per_model() -> None:
    """Embedding models only embed; functions and JSON mode only on the 3.5 / 4.0 families."""
    assert ernie_model_capabilities("embedding-v1") == frozenset({Capability.EMBEDDINGS})
    assert Capability.TOOLS in (ernie_model_capabilities("ernie-bot-4") or set())
    assert Capability.TOOLS in (ernie_model_capabilities("ERNIE-3.5-8K-0329") or set())
    speed = ernie_model_capabilities("ernie-speed-8k") or set()
    assert Capability.CHAT_STREAM in speed
    assert Capability.TOOLS not in speed
    assert ernie_model_capabilities("my-custom-service") is None
    assert qianfan_model_capabilities("bge-large-zh") == frozenset({Capability.EMBEDDINGS})
    assert qianfan_model_capabilities("ernie-4.0-8k") is None
