"""Wording and JSON semantics shared by the validator: type names, allowed-value lists,
equality where ``true`` is not ``1`` (as in JavaScript and JSON Schema)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from openclaw_audit.config.includes import js_type

MAX_LISTED = 12  # longer allowed-value lists are cut ("… and N more")


def js_type_name(value: Any) -> str:
    """``a string``, ``an object``, ``null``: the value's JSON type, never its content."""
    name = js_type(value)
    if name == "number" and isinstance(value, int) and not isinstance(value, bool):
        name = "integer"
    if name == "null":
        return name
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def type_phrase(names: Sequence[str]) -> str:
    words = [js_type_name_of(n) for n in names]
    if len(words) <= 1:
        return words[0] if words else "nothing"
    return ", ".join(words[:-1]) + " or " + words[-1]


def js_type_name_of(type_name: str) -> str:
    if type_name == "null":
        return "null"
    return f"{'an' if type_name[0] in 'aeiou' else 'a'} {type_name}"


def show_allowed(value: Any) -> str:
    """A schema constant as JSON text (these come from the schema, not from the config)."""
    return json.dumps(value, ensure_ascii=False)


def allowed_list(values: Sequence[Any]) -> str:
    shown = [show_allowed(v) for v in values[:MAX_LISTED]]
    more = len(values) - MAX_LISTED
    return ", ".join(shown) + (f" … and {more} more" if more > 0 else "")


def _norm(value: Any) -> Any:
    """A form where JSON-equal values compare equal and ``True != 1``."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    if isinstance(value, float) and value.is_integer():
        return ("num", int(value))
    if isinstance(value, int | float):
        return ("num", value)
    if isinstance(value, list):
        return ("arr", tuple(_norm(v) for v in value))
    if isinstance(value, dict):
        return ("obj", frozenset((k, _norm(v)) for k, v in value.items()))
    return ("other", repr(value))


def json_equal(a: Any, b: Any) -> bool:
    if type(a) is type(b) and isinstance(a, str):
        return a == b  # the common case: a string against a string constant
    return _norm(a) == _norm(b)


def unique_key(value: Any) -> str:
    return repr(_norm(value))
