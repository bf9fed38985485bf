"""``${VAR}`` substitution over string values (config-model.md §4).

A reference to an unset or empty variable does not abort the load: the whole value becomes
*unresolved* (absent in both views) and is reported by path and variable name, never value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from openclaw_audit.config.provenance import ProvNode
from openclaw_audit.errors import ConfigError

_REF = re.compile(r"\$(\$?)\{([A-Z_][A-Z0-9_]*)\}")
# Total characters of strings that ${VAR} expansion produces per load (trust.md §7): a 1 MB
# config of references to a long variable would otherwise build gigabytes.
MAX_EXPANDED_CHARS = 32 << 20


@dataclass
class SubstResult:
    value: Any
    prov: ProvNode | None
    unresolved: dict[tuple[str, ...], str] = field(default_factory=dict)  # path -> variable


class _Missing(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def substitute_string(
    text: str, env: Mapping[str, str], charge: Callable[[str], None] | None = None
) -> str:
    """Substitute one string; raises _Missing for an unset/empty variable. ``charge`` sees
    every substituted value first (the expansion bound)."""
    if "$" not in text:
        return text

    def repl(m: re.Match[str]) -> str:
        if m.group(1):  # $${NAME} -> literal ${NAME}
            return "${" + m.group(2) + "}"
        value = env.get(m.group(2), "")
        if value == "":
            raise _Missing(m.group(2))
        if charge is not None:
            charge(value)
        return value

    return _REF.sub(repl, text)


def substitute(value: Any, prov: ProvNode | None, env: Mapping[str, str]) -> SubstResult:
    result = SubstResult(None, None)
    budget = _Budget()
    result.value, result.prov = _walk(value, prov, env, (), result.unresolved, budget)
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
    unresolved: dict[tuple[str, ...], str],
    budget: _Budget,
) -> tuple[Any, ProvNode | None]:
    if isinstance(value, str):
        try:
            return substitute_string(value, env, lambda v: budget.charge(v, path)), prov
        except _Missing as missing:
            unresolved[path] = missing.name
            return _DROP, None
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        kids: dict[str, ProvNode] = {}
        for key, child in value.items():
            cprov = prov.child(key) if prov is not None else None
            v, p = _walk(child, cprov, env, (*path, key), unresolved, budget)
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
            v, p = _walk(child, cprov, env, (*path, str(i)), unresolved, budget)
            if v is _DROP:
                continue
            items.append(v)
            plist.append(p or ProvNode(None))
        return items, ProvNode(prov.origin if prov else None, plist)
    return value, prov
