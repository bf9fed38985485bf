"""``${VAR}`` substitution over string values (config-model.md §4).

A reference to an unset or empty variable does not abort the load. In a field that accepts a
SecretRef the whole value becomes *unresolved* (absent in both views); anywhere else the value
keeps the reference as literal text, as OpenClaw 2026.9.6 does. Both are reported by path and
variable name, never value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from openclaw_audit.config.provenance import ProvNode
from openclaw_audit.config.secret_inputs import accepts_secret_ref
from openclaw_audit.errors import ConfigError

_REF = re.compile(r"\$(\$?)\{([A-Z_][A-Z0-9_]*)\}")
# Total characters of strings that ${VAR} expansion produces per load (trust.md §7): a 1 MB
# config of references to a long variable would otherwise build gigabytes.
MAX_EXPANDED_CHARS = 32 << 20


class SubstResult:
    """The config after ``${VAR}`` substitution (a plain class: built once per load)."""

    __slots__ = ("literal", "prov", "unresolved", "value")

    def __init__(self, value: Any, prov: ProvNode | None) -> None:
        self.value = value
        self.prov = prov
        self.unresolved: dict[tuple[str, ...], str] = {}  # path -> variable
        self.literal: dict[tuple[str, ...], str] = {}  # kept as text -> variable


class _Missing(Exception):
    def __init__(self, name: str, text: str | None = None) -> None:
        self.name = name
        self.text = text  # the value with the reference kept literally, when asked for


def substitute_string(
    text: str,
    env: Mapping[str, str],
    charge: Callable[[str], None] | None = None,
    *,
    keep_missing: bool = False,
) -> str:
    """Substitute one string; raises _Missing for an unset/empty variable, unless
    ``keep_missing``: then its reference stays as literal text. ``charge`` sees every
    substituted value first (the expansion bound)."""
    if "$" not in text:
        return text
    missing: list[str] = []

    def repl(m: re.Match[str]) -> str:
        if m.group(1):  # $${NAME} -> literal ${NAME}
            return "${" + m.group(2) + "}"
        value = env.get(m.group(2), "")
        if value == "":
            if not keep_missing:
                raise _Missing(m.group(2))
            missing.append(m.group(2))
            return m.group(0)
        if charge is not None:
            charge(value)
        return value

    out = _REF.sub(repl, text)
    if missing:
        raise _Missing(missing[0], out)
    return out


def substitute(value: Any, prov: ProvNode | None, env: Mapping[str, str]) -> SubstResult:
    result = SubstResult(None, None)
    result.value, result.prov = _walk(value, prov, env, (), result, _Budget())
    return result


class _Budget:
    """Characters ${VAR} values may still add; charged per substituted value, before the
    string is built, so one string of a million references fails early too."""

    def __init__(self) -> None:
        self.left = MAX_EXPANDED_CHARS

    def charge(self, value: str, path: tuple[str, ...]) -> None:
        self.left -= len(value)
        if self.left < 0:
            where = ".".join(path) or "the config root"
            raise ConfigError(
                f"${{VAR}} expansion exceeds {MAX_EXPANDED_CHARS} characters in total (at {where})",
                kind="parse_error",
            )


_DROP = object()


def _walk(
    value: Any,
    prov: ProvNode | None,
    env: Mapping[str, str],
    path: tuple[str, ...],
    result: SubstResult,
    budget: _Budget,
) -> tuple[Any, ProvNode | None]:
    if isinstance(value, str):
        secret_input = accepts_secret_ref(path) if "$" in value else False
        try:
            text = substitute_string(
                value, env, lambda v: budget.charge(v, path), keep_missing=not secret_input
            )
            return text, prov
        except _Missing as missing:
            if missing.text is not None:
                result.literal[path] = missing.name
                return missing.text, prov
            result.unresolved[path] = missing.name
            return _DROP, None
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        kids: dict[str, ProvNode] = {}
        for key, child in value.items():
            cprov = prov.child(key) if prov is not None else None
            v, p = _walk(child, cprov, env, (*path, key), result, budget)
            if v is _DROP:
                continue
            out[key] = v
            if p is not None:
                kids[key] = p
        return out, ProvNode(prov.origin if prov else None, kids)
    if isinstance(value, list):
        items: list[Any] = []
        plist: list[ProvNode] = []
        for i, child in enumerate(value):
            cprov = prov.child(i) if prov is not None else None
            v, p = _walk(child, cprov, env, (*path, str(i)), result, budget)
            if v is _DROP:
                continue
            items.append(v)
            plist.append(p or ProvNode(None))
        return items, ProvNode(prov.origin if prov else None, plist)
    return value, prov
