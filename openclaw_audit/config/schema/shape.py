"""Is a user-supplied schema usable? One pass over it, naming the first malformed keyword."""

from __future__ import annotations

from typing import Any

from openclaw_audit.config.schema.chunks import (
    SCHEMA_KEYWORDS,
    SCHEMA_LIST_KEYWORDS,
    SCHEMA_MAP_KEYWORDS,
)

TYPE_NAMES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})
_NUMBER_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_COUNT_KEYWORDS = ("minLength", "maxLength", "minItems", "maxItems")
_COUNT_KEYWORDS += ("minProperties", "maxProperties")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _keyword_problem(node: dict[str, Any]) -> str | None:
    t = node.get("type")
    if t is not None:
        names = t if isinstance(t, list) else [t]
        if not names or any(not isinstance(n, str) or n not in TYPE_NAMES for n in names):
            return '"type" must name JSON types'
    for key in _NUMBER_KEYWORDS:
        if key in node and not _is_number(node[key]):
            return f'"{key}" must be a number'
    for key in _COUNT_KEYWORDS:
        value = node.get(key)
        if key in node and not (isinstance(value, int) and not isinstance(value, bool)):
            return f'"{key}" must be an integer'
    if "required" in node and not (
        isinstance(node["required"], list) and all(isinstance(r, str) for r in node["required"])
    ):
        return '"required" must be a list of strings'
    if "enum" in node and not isinstance(node["enum"], list):
        return '"enum" must be a list'
    if "pattern" in node and not isinstance(node["pattern"], str):
        return '"pattern" must be a string'
    if "$ref" in node and not isinstance(node["$ref"], str):
        return '"$ref" must be a string'
    return None


def check_shape(root: Any) -> str | None:
    """None when ``root`` can be used as a config schema, else what is wrong (one line)."""
    if not isinstance(root, dict):
        return "the top level must be a JSON object (a JSON Schema)"
    if root.get("type", "object") != "object" and "properties" not in root:
        return 'the top level must describe an object ("type": "object")'
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, bool):
            continue
        if not isinstance(node, dict):
            return f"{where or '/'}: a subschema must be an object or a boolean"
        problem = _keyword_problem(node)
        if problem is not None:
            return f"{where or '/'}: {problem}"
        for key, value in node.items():
            if key in SCHEMA_MAP_KEYWORDS:
                if not isinstance(value, dict):
                    return f'{where or "/"}: "{key}" must be an object'
                stack.extend((sub, f"{where}/{key}/{name}") for name, sub in value.items())
            elif key in SCHEMA_LIST_KEYWORDS and isinstance(value, list):
                if key != "items" and not value:
                    return f'{where or "/"}: "{key}" must not be empty'
                stack.extend((sub, f"{where}/{key}/{i}") for i, sub in enumerate(value))
            elif key in SCHEMA_KEYWORDS or key in SCHEMA_LIST_KEYWORDS:
                stack.append((value, f"{where}/{key}"))
    return None
