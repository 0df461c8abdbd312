"""The OpenAI-SDK-shaped resources of `Client` and `AsyncClient`, one module per capability."""
