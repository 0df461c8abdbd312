"""The cassette serializer: vcrpy's safe YAML, with readable bodies.

Text bodies are stored as text (not bytes), multi-line text as YAML block scalars, and non-ASCII
characters as themselves, so that a cassette reads like the vendor documentation it was written
from. Binary bodies (audio, images) stay `!!binary`.
"""

from __future__ import annotations

from typing import Any

import yaml
from vcr.serializers import yamlserializer

__all__ = ["deserialize", "serialize"]


class _Dumper(yamlserializer._CassetteDumper):  # type: ignore[misc]
    pass


def _represent_str(dumper: yaml.Dumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_bytes(dumper: yaml.Dumper, value: bytes) -> yaml.Node:
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return dumper.represent_binary(value)
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
        return dumper.represent_binary(value)
    return _represent_str(dumper, text)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(bytes, _represent_bytes)


def serialize(cassette_dict: dict[str, Any]) -> str:
    text: str = yaml.dump(cassette_dict, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return text


def deserialize(cassette_string: str) -> Any:
    """Load a cassette; text bodies become bytes again, as vcrpy's HTTP stubs expect."""
    data = yamlserializer.deserialize(cassette_string)
    for interaction in data.get("interactions", []):
        request = interaction["request"]
        if isinstance(request.get("body"), str):
            request["body"] = request["body"].encode("utf-8")
        body = interaction["response"].get("body", {})
        if isinstance(body.get("string"), str):
            body["string"] = body["string"].encode("utf-8")
    return data
