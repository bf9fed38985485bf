"""ConfigView: the only way checks read configuration.

Typed getters treat a value of the wrong type as unset (spec: config-model.md §2), so a check
never crashes on ``gateway.bind: 5``. Paths are dotted strings (``"gateway.auth.mode"``) or
tuples when a key itself contains a dot (``("plugins", "entries", "a.b", "enabled")``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from openclaw_audit.config.provenance import ProvNode
from openclaw_audit.report.model import Location

Path = str | Sequence[str]


# Checks read the same few hundred literal paths in every target: split each once.
_SPLIT: dict[str, tuple[str, ...]] = {}
_SPLIT_MAX = 4096  # paths built from config keys are many: stop remembering past this


def split_path(path: Path) -> tuple[str, ...]:
    if isinstance(path, str):
        parts = _SPLIT.get(path)
        if parts is None:
            parts = tuple(path.split(".")) if path else ()
            if len(_SPLIT) < _SPLIT_MAX:
                _SPLIT[path] = parts
        return parts
    return tuple(str(p) for p in path)


_MISSING = object()


class ConfigView:
    __slots__ = ("_data", "_prov")

    def __init__(self, data: Mapping[str, Any] | None, prov: ProvNode | None = None) -> None:
        self._data: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        self._prov = prov

    @property
    def data(self) -> Mapping[str, Any]:
        return self._data

    def get(self, path: Path, default: Any = None) -> Any:
        node: Any = self._data
        for part in split_path(path):
            if type(node) is dict:  # the common case, without an ABC check
                node = node.get(part, _MISSING)
                if node is _MISSING:
                    return default
            elif isinstance(node, Mapping):
                if part not in node:
                    return default
                node = node[part]
            elif isinstance(node, list):
                try:
                    idx = int(part)
                except ValueError:
                    return default
                if not 0 <= idx < len(node):
                    return default
                node = node[idx]
            else:
                return default
        return node

    def has(self, path: Path) -> bool:
        sentinel = object()
        return self.get(path, sentinel) is not sentinel

    def get_str(self, path: Path) -> str | None:
        v = self.get(path)
        return v if isinstance(v, str) else None

    def get_trimmed(self, path: Path) -> str | None:
        """The string trimmed, or None when unset, not a string, or blank."""
        v = self.get(path)
        if isinstance(v, str):
            v = v.strip()
            return v or None
        return None

    def get_bool(self, path: Path) -> bool | None:
        v = self.get(path)
        return v if isinstance(v, bool) else None

    def is_true(self, path: Path) -> bool:
        """JavaScript ``=== true``."""
        return self.get(path) is True

    def is_false(self, path: Path) -> bool:
        """JavaScript ``=== false``."""
        return self.get(path) is False

    def get_num(self, path: Path) -> int | float | None:
        v = self.get(path)
        if isinstance(v, bool) or not isinstance(v, int | float):
            return None
        return v

    def get_finite(self, path: Path) -> int | float | None:
        v = self.get_num(path)
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return None
        return v

    def get_dict(self, path: Path) -> Mapping[str, Any]:
        v = self.get(path)
        return v if isinstance(v, Mapping) else {}

    def get_list(self, path: Path) -> list[Any]:
        v = self.get(path)
        return v if isinstance(v, list) else []

    def get_str_list(self, path: Path) -> list[str]:
        """List entries that are strings, trimmed, blanks dropped."""
        return [s.strip() for s in self.get_list(path) if isinstance(s, str) and s.strip()]

    def sub(self, path: Path) -> ConfigView:
        """A view rooted at ``path`` (empty when that is not an object)."""
        parts = split_path(path)
        prov = self._prov.lookup(parts) if self._prov is not None else None
        return ConfigView(self.get_dict(parts), prov)

    def location(self, path: Path) -> Location:
        """File/line/column of the value at ``path`` (or of its nearest existing parent)."""
        parts = split_path(path)
        origin = None
        if self._prov is not None:
            node: ProvNode | None = self._prov
            for part in parts:
                nxt = node.child(part) if node is not None else None
                if nxt is None:
                    break
                node = nxt
                if node.origin is not None:
                    origin = node.origin
            if origin is None and self._prov.origin is not None:
                origin = self._prov.origin
        if origin is None:
            return Location(config_path=parts)
        return Location(config_path=parts, file=origin.file, line=origin.line, column=origin.column)

    def provenance(self, path: Path) -> ProvNode | None:
        if self._prov is None:
            return None
        return self._prov.lookup(split_path(path))
