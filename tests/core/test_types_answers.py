"""What every top-level answer shares: unknown keys kept in `vendor_data`; JSON parsed like `json.loads`."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relaykit import ChatCompletion, ChatCompletionChunk
from relaykit.plugin import parse_json

_CHUNK = {"id": "c", "created": 1, "model": "m", "choices": []}


def test_unknown_top_level_keys_land_in_vendor_data_from_a_dict_or_json() -> None:
    """Built from a dict or straight from JSON text, an unknown key is kept, not dropped or exposed."""
    from_dict = ChatCompletionChunk.model_validate({**_CHUNK, "cost": 0.5})
    from_json = ChatCompletionChunk.model_validate_json(json.dumps({**_CHUNK, "cost": 0.5}))
    for chunk in (from_dict, from_json):
        assert chunk.vendor_data == {"cost": 0.5}
        assert "cost" not in chunk.model_dump()
        assert not hasattr(chunk, "cost")


def test_what_the_builder_put_in_vendor_data_wins_and_its_dict_is_not_changed() -> None:
    """An explicit vendor_data value beats the same unknown key; the caller's dict stays as it was."""
    given_data = {"cost": 1}
    answer = ChatCompletion.model_validate(
        {"id": "x", "created": 1, "model": "m", "choices": [], "cost": 2, "seen": True, "vendor_data": given_data}
    )
    assert answer.vendor_data == {"cost": 1, "seen": True}
    assert given_data == {"cost": 1}


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=12,
)


@given(_JSON)
def test_parse_json_reads_what_json_loads_reads(value: object) -> None:
    """Any JSON document, as text or UTF-8 bytes, parses to what the standard library gives."""
    text = json.dumps(value, ensure_ascii=False)
    assert parse_json(text) == json.loads(text)
    assert parse_json(text.encode()) == json.loads(text.encode())


@pytest.mark.parametrize("text", ['"\\ud800"', '{"a": NaN}', '{"a": 1, "a": 2}', '"\\u00e9"'])
def test_parse_json_keeps_the_standard_librarys_odd_cases(text: str) -> None:
    """Lone surrogates, NaN and repeated keys come out as `json.loads` gives them."""
    expected, got = json.loads(text), parse_json(text)
    assert repr(got) == repr(expected)


@pytest.mark.parametrize("text", ["", "{", "[1,]", "nul"])
def test_parse_json_refuses_what_is_not_json_with_the_standard_error(text: str) -> None:
    """Text that is not JSON raises `json.JSONDecodeError`, as `json.loads` would."""
    with pytest.raises(json.JSONDecodeError):
        parse_json(text)
