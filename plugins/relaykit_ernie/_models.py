"""Model names: the v1 endpoint tables, the v2 model ids, and what each model can do.

Reference: ``shared/dialects/ernie.md`` sections A1.2 (chat endpoints), A6 (embedding endpoints),
B2 (v2 model ids) and gotcha 13. Qianfan v1 picks the model by a URL path segment whose spelling
follows no rule (``ERNIE-3.5-8K`` is ``completions``, ``ERNIE-Speed-8K`` is ``ernie_speed``), so
the tables below are explicit. A model is looked up, case-insensitively, in this order:

1. the provider's ``endpoints`` setting (model name -> endpoint segment, or a path from
   ``base_url`` when it starts with ``/``: self-deployed services, new models);
2. the built-in table, which knows the console names (``ERNIE-4.0-8K``), the v2 ids
   (``ernie-4.0-8k``), the names the old SDKs and relays use (``ERNIE-Bot-4``, ``ernie-bot-4``) and
   the hosted third-party models;
3. an endpoint segment given as the model (``completions_pro``).

Anything else is an `InvalidRequestError` naming ``model``: guessing an endpoint (one-api
lower-cases the name) sends ``ERNIE-Speed-8K`` to a route that does not exist.

Qianfan v2 takes lower-case ids in the body; the names of the first generation (``ernie-bot``,
``ernie-bot-4``, ``ernie-bot-turbo``, ``ernie-speed``) are translated to their v2 successors so
that one model string works with either generation.
"""

from __future__ import annotations

from collections.abc import Mapping

from relaykit.plugin import Capability

__all__ = [
    "CHAT_ENDPOINTS",
    "EMBEDDING_ENDPOINTS",
    "QIANFAN_ALIASES",
    "chat_path",
    "embedding_path",
    "ernie_model_capabilities",
    "qianfan_model",
    "qianfan_model_capabilities",
]

CHAT_PREFIX = "/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/"
EMBEDDING_PREFIX = "/rpc/2.0/ai_custom/v1/wenxinworkshop/embeddings/"

_SNAPSHOTS_35 = ("0205", "0329", "0613", "0701", "1222", "preview")
_SNAPSHOTS_40 = ("latest", "preview", "0104", "0329", "0613")
_THIRD_PARTY = (
    "bloomz_7b1",
    "llama_2_7b",
    "llama_2_13b",
    "llama_2_70b",
    "llama_3_8b",
    "llama_3_70b",
    "chatglm2_6b_32k",
    "aquilachat_7b",
    "xuanyuan_70b_chat",
    "yi_34b_chat",
    "mixtral_8x7b_instruct",
    "gemma_7b_it",
    "qianfan_chinese_llama_2_7b",
    "qianfan_chinese_llama_2_13b",
    "qianfan_chinese_llama_2_70b",
    "qianfan_bloomz_7b_compressed",
    "chatlaw",
)

CHAT_ENDPOINTS: dict[str, str] = {
    # ERNIE 3.5 (first sold as ERNIE-Bot): the endpoint kept its old name.
    "ernie-3.5-8k": "completions",
    "ernie-bot": "completions",
    "ernie-3.5-128k": "ernie-3.5-128k",
    **{f"ernie-3.5-8k-{tag}": f"ernie-3.5-8k-{tag}" for tag in _SNAPSHOTS_35},
    "ernie-3.5-4k-0205": "ernie-3.5-4k-0205",  # retired 2024-05-30
    # ERNIE 4.0 (first sold as ERNIE-Bot-4).
    "ernie-4.0-8k": "completions_pro",
    "ernie-bot-4": "completions_pro",
    **{f"ernie-4.0-8k-{tag}": f"ernie-4.0-8k-{tag}" for tag in _SNAPSHOTS_40},
    "ernie-4.0-8k-preview-0518": "completions_adv_pro",  # retired 2024-09-12
    "ernie-4.0-turbo-8k": "ernie-4.0-turbo-8k",
    "ernie-4.0-turbo-8k-latest": "ernie-4.0-turbo-8k-latest",
    "ernie-4.0-turbo-8k-preview": "ernie-4.0-turbo-8k-preview",
    "ernie-4.0-turbo-128k": "ernie-4.0-turbo-128k",
    # ERNIE-Bot-8K and ERNIE-Bot-turbo (renamed ERNIE-Lite-8K-0922).
    "ernie-bot-8k": "ernie_bot_8k",
    "ernie-bot-turbo": "eb-instant",
    "ernie-lite-8k-0922": "eb-instant",
    # Speed, Lite, Tiny and the character models.
    "ernie-speed": "ernie_speed",
    "ernie-speed-8k": "ernie_speed",
    "ernie-speed-128k": "ernie-speed-128k",
    "ernie-speed-pro-8k": "ernie-speed-pro-8k",
    "ernie-speed-pro-128k": "ernie-speed-pro-128k",
    "ernie-lite-8k": "ernie-lite-8k",
    "ernie-lite-8k-0308": "ernie-lite-8k",
    "ernie-lite-pro-8k": "ernie-lite-pro-8k",
    "ernie-tiny-8k": "ernie-tiny-8k",
    "ernie-character-8k": "ernie-char-8k",
    "ernie-char-8k": "ernie-char-8k",
    "ernie-character-fiction-8k": "ernie-char-fiction-8k",
    "ernie-char-fiction-8k": "ernie-char-fiction-8k",
    "ernie-novel-8k": "ernie-novel-8k",
    "ernie-function-8k": "ernie-func-8k",
    "ernie-func-8k": "ernie-func-8k",
    "ernie-lite-v": "ernie-lite-v",
    "ernie-speed-appbuilder": "ai_apaas",
    "eb-turbo-appbuilder": "ai_apaas",
    "ernie-lite-appbuilder-8k-0614": "ai_apaas_lite",
    "qianfan-dynamic-8k": "qianfan-dynamic-8k",
    # Third-party models hosted on Qianfan: the name is the endpoint.
    **{name: name for name in _THIRD_PARTY},
}
"""Chat model name (lower case) -> the ``{endpoint}`` of ``.../wenxinworkshop/chat/{endpoint}``."""

EMBEDDING_ENDPOINTS: dict[str, str] = {
    "embedding-v1": "embedding-v1",
    "bge-large-zh": "bge_large_zh",
    "bge-large-en": "bge_large_en",
    "tao-8k": "tao_8k",
}
"""Embedding model name (lower case) -> the ``{endpoint}`` of ``.../wenxinworkshop/embeddings/{endpoint}``."""

QIANFAN_ALIASES: dict[str, str] = {
    "ernie-bot": "ernie-3.5-8k",
    "ernie-bot-4": "ernie-4.0-8k",
    "ernie-bot-turbo": "ernie-lite-8k",
    "ernie-speed": "ernie-speed-8k",
}
"""First-generation names -> the v2 id of their successor (ERNIE-Bot-turbo's is ERNIE-Lite-8K)."""

_CHAT_IDS = frozenset(CHAT_ENDPOINTS.values())
_EMBEDDING_IDS = frozenset(EMBEDDING_ENDPOINTS.values())
# The families Baidu documents `functions` and `response_format` for (ERNIE 3.5 / 4.0 and their
# snapshots, ERNIE-Bot-8K, ERNIE-Functions); the others reject or ignore them.
_ADVANCED_PREFIXES = ("completions", "ernie-3.5", "ernie-4.0", "ernie_bot_8k", "ernie-func")
_CHAT = frozenset({Capability.CHAT, Capability.CHAT_STREAM})
_ADVANCED = _CHAT | {Capability.TOOLS, Capability.JSON_OBJECT}
_EMBEDDINGS = frozenset({Capability.EMBEDDINGS})


def chat_path(model: str, endpoints: Mapping[str, str]) -> str:
    """The chat URL path (from ``base_url``) for `model`; raises `InvalidRequestError` when unknown."""
    return _path(model, endpoints, table=CHAT_ENDPOINTS, known=_CHAT_IDS, prefix=CHAT_PREFIX, what="chat")


def embedding_path(model: str, endpoints: Mapping[str, str]) -> str:
    """The embeddings URL path (from ``base_url``) for `model`; raises `InvalidRequestError` when unknown."""
    return _path(
        model, endpoints, table=EMBEDDING_ENDPOINTS, known=_EMBEDDING_IDS, prefix=EMBEDDING_PREFIX, what="embedding"
    )


def qianfan_model(model: str) -> str:
    """The v2 ``model`` id for `model`: first-generation names translated, ERNIE names lower-cased.

    Other names (hosted third-party models, the API path of a self-deployed service) are sent as given.
    """
    lowered = model.lower()
    if lowered in QIANFAN_ALIASES:
        return QIANFAN_ALIASES[lowered]
    return lowered if lowered.startswith("ernie") else model


def ernie_model_capabilities(model: str) -> frozenset[Capability] | None:
    """What a v1 model can do: embedding models embed; only the 3.5 / 4.0 families take functions."""
    name = model.lower()
    if name in EMBEDDING_ENDPOINTS or name in _EMBEDDING_IDS:
        return _EMBEDDINGS
    endpoint = CHAT_ENDPOINTS.get(name, name if name in _CHAT_IDS else None)
    if endpoint is None:
        return None  # a model from the `endpoints` setting: the vendor decides
    return _ADVANCED if endpoint.startswith(_ADVANCED_PREFIXES) else _CHAT


def qianfan_model_capabilities(model: str) -> frozenset[Capability] | None:
    """What a v2 model can do: the embedding models only embed; the rest is left to the vendor."""
    name = model.lower()
    if name in EMBEDDING_ENDPOINTS or name in _EMBEDDING_IDS:
        return _EMBEDDINGS
    return None


def _path(
    model: str,
    endpoints: Mapping[str, str],
    *,
    table: Mapping[str, str],
    known: frozenset[str],
    prefix: str,
    what: str,
) -> str:
    name = model.strip()
    lowered = name.lower()
    endpoint = endpoints.get(name) or endpoints.get(lowered) or table.get(lowered)
    if endpoint is None and lowered in known:
        endpoint = lowered
    if endpoint is None:
        from relaykit import InvalidRequestError  # imported when a model is unknown, not at registration

        raise InvalidRequestError(
            f"model: {model!r} is not an ERNIE {what} model relaykit knows (Qianfan v1 serves each model at its "
            "own URL); use a name from the ERNIE provider docs, or map it to its endpoint in the provider's "
            f'`endpoints` setting, e.g. endpoints = {{ {lowered or "my-model"!r} = "my_endpoint" }}',
            field="model",
        )
    return endpoint if endpoint.startswith("/") else prefix + endpoint
