"""The normalized, OpenAI-shaped types (pydantic v2), one module per capability."""
