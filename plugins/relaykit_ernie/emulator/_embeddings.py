"""Emulated embeddings, v1 (``.../wenxinworkshop/embeddings/{endpoint}``) and v2 (``/v2/embeddings``).

Vectors are deterministic unit vectors seeded by each text, of the sizes commonly reported (384
for Embedding-V1, 1024 for the bge-large models and tao-8k). v1 takes a list of at most 16
non-empty strings and answers ``{"id", "object": "embedding_list", "created", "data", "usage"}``;
v2 answers OpenAI's ``{"object": "list", "data", "model", "usage"}``.
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from typing import Any

from ._chat import ChatError

__all__ = ["SIZES", "embedding_data", "v1_embedding_payload", "v2_embedding_payload"]

SIZES = {"embedding-v1": 384, "bge_large_zh": 1024, "bge_large_en": 1024, "tao_8k": 1024}
"""Vector size by v1 endpoint (v2 model ids use the same names with hyphens)."""
MAX_TEXTS = 16


def v1_embedding_payload(endpoint: str, body: Any, answer_id: str) -> dict[str, Any]:
    """The v1 answer for `body`; raises `ChatError` (336003) for input ERNIE rejects."""
    texts = body.get("input") if isinstance(body, dict) else None
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t for t in texts):
        raise ChatError(336003, "input must be a non-empty list of non-empty strings")
    if len(texts) > MAX_TEXTS:
        raise ChatError(336003, f"the max input size is {MAX_TEXTS}")
    tokens = sum(len(text) for text in texts)
    return {
        "id": answer_id,
        "object": "embedding_list",
        "created": int(time.time()),
        "data": embedding_data(texts, SIZES.get(endpoint, 384)),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def v2_embedding_payload(body: dict[str, Any]) -> dict[str, Any]:
    """The v2 answer for `body` (model and input already checked)."""
    texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
    size = SIZES.get(str(body["model"]).replace("-", "_").replace("embedding_v1", "embedding-v1"), 384)
    tokens = sum(len(str(text)) for text in texts)
    return {
        "object": "list",
        "data": embedding_data([str(text) for text in texts], size),
        "model": body["model"],
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def embedding_data(texts: list[str], size: int) -> list[dict[str, Any]]:
    """One ``{"object": "embedding", "embedding", "index"}`` item per text."""
    return [{"object": "embedding", "embedding": _vector(text, size), "index": i} for i, text in enumerate(texts)]


def _vector(text: str, size: int) -> list[float]:
    seed = hashlib.sha256(text.encode()).digest()
    rng = random.Random(int.from_bytes(seed[:8], "little"))  # noqa: S311 - deterministic test data
    values = [rng.gauss(0.0, 1.0) for _ in range(size)]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [round(v / norm, 8) for v in values]
