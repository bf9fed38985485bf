"""Config validation against OpenClaw's own schema (trust.md §3).

``problems(config, schema)`` validates a loaded config (after ``$include`` and ``${VAR}``,
before SecretRef resolution: OpenClaw validates SecretRef objects as written) the way
OpenClaw 2026.9.6 does: legacy shapes it migrates are migrated first, keys with a default
count as present. Problems come back in config-path order, at the paths the user wrote.
"""

from __future__ import annotations

from typing import Any

from openclaw_audit.config.schema.legacy import migrate, user_paths
from openclaw_audit.config.schema.store import Schema, bundled, from_file
from openclaw_audit.config.schema.validate import Problem, Validator

__all__ = ["Problem", "Schema", "bundled", "from_file", "problems", "sort_key"]


def sort_key(path: tuple[str | int, ...]) -> tuple[tuple[int, str | int], ...]:
    """Path order: keys by name, array items by index."""
    return tuple((0, p) if isinstance(p, int) else (1, p) for p in path)


# One validator per schema (a fleet validates every target against the same one): what it
# learns about the schema's anyOf lists is kept. Keyed by identity; the schema is held too.
_validators: dict[int, tuple[Schema, Validator]] = {}


def _validator(schema: Schema) -> Validator:
    known = _validators.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    if len(_validators) >= 4:
        _validators.clear()
    validator = Validator(schema.root, schema.deref)
    _validators[id(schema)] = (schema, validator)
    return validator


def problems(config: dict[str, Any], schema: Schema) -> list[Problem]:
    migrated, remap = migrate(config)
    found = _validator(schema).validate(migrated)
    if remap:
        user_path = user_paths(remap)
        found = [p._replace(path=user_path(p.path), at=user_path(p.at)) for p in found]
    found.sort(key=lambda p: sort_key(p.path))
    return found
