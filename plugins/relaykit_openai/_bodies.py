"""Request bodies the image and audio flows share: provider options, multipart forms, file parts.

Form fields are flattened the way the official Python SDK does it (``qs`` with brackets): a list
becomes repeated ``key[]`` fields, a dict ``key[sub]`` fields, a bool ``true``/``false``, and
None is left out. Reference: ``shared/dialects/openai.md`` section 1 (multipart uploads).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from relaykit import FileUpload
from relaykit.plugin import FilePart

__all__ = ["file_part", "form_fields"]


def form_fields(values: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """Multipart text fields for `values` (see the module docstring for the flattening)."""
    fields: dict[str, str | list[str]] = {}
    for key, value in values.items():
        _flatten(key, value, fields)
    return fields


def _flatten(key: str, value: Any, fields: dict[str, str | list[str]]) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for sub, item in value.items():
            _flatten(f"{key}[{sub}]", item, fields)
    elif isinstance(value, list | tuple):
        fields[f"{key}[]"] = [_scalar(item) for item in value if item is not None]
    else:
        fields[key] = _scalar(value)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def file_part(field: str, upload: FileUpload) -> FilePart:
    """The multipart part that uploads `upload` under the form field `field`."""
    return FilePart(field=field, filename=upload.filename, content=upload.content, content_type=upload.content_type)
