"""The OpenAI dialect's flows (``relaykit_openai``), relayed: error answers go through `relay_error`.

Every relay plugin points its `ProviderSpec.operations` here; the requests, bodies and parsers are
``relaykit_openai``'s unchanged (see ``relaykit_vocka.relay``).
"""

from __future__ import annotations

from relaykit.plugin import Operation
from relaykit_openai import _audio, _chat, _completions, _embeddings, _images, _models, _moderations

from ._relay_errors import relay_flow

__all__ = [
    "chat",
    "completion",
    "embedding",
    "image_edit",
    "image_generate",
    "image_variation",
    "model_list",
    "model_retrieve",
    "moderation",
    "speech",
    "transcription",
    "translation",
]

chat = relay_flow(Operation.CHAT, _chat.chat)
completion = relay_flow(Operation.COMPLETION, _completions.completion)
embedding = relay_flow(Operation.EMBEDDING, _embeddings.embedding)
image_generate = relay_flow(Operation.IMAGE_GENERATE, _images.generate)
image_edit = relay_flow(Operation.IMAGE_EDIT, _images.edit)
image_variation = relay_flow(Operation.IMAGE_VARIATION, _images.variation)
speech = relay_flow(Operation.SPEECH, _audio.speech)
transcription = relay_flow(Operation.TRANSCRIPTION, _audio.transcription)
translation = relay_flow(Operation.TRANSLATION, _audio.translation)
moderation = relay_flow(Operation.MODERATION, _moderations.moderation)
model_list = relay_flow(Operation.MODEL_LIST, _models.model_list)
model_retrieve = relay_flow(Operation.MODEL_RETRIEVE, _models.model_retrieve)
