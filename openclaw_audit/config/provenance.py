"""Where each config value came from: file, line, column and character span.

The JSON5 parser returns a :class:`ProvNode` tree that mirrors the parsed value; include
resolution merges these trees alongside the values, so after loading every value can be traced
to the file (main config or include) and the local path inside that file that defined it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Origin:
    file: str  # absolute path of the file that holds the value
    line: int  # 1-based line of the value's first character
    column: int  # 1-based column of the value's first character
    start: int  # character offset of the value's first character
    end: int  # character offset just past the value
    local_path: tuple[str, ...] = ()  # the value's path inside that file


@dataclass(slots=True)
class ProvNode:
    """Provenance of one value; ``children`` mirrors a dict (by key) or a list (by index)."""

    origin: Origin | None
    children: dict[str, ProvNode] | list[ProvNode] | None = None

    def child(self, key: str | int) -> ProvNode | None:
        kids = self.children
        if isinstance(kids, dict) and isinstance(key, str):
            return kids.get(key)
        if isinstance(kids, list):
            try:
                idx = int(key)
            except (TypeError, ValueError):
                return None
            if 0 <= idx < len(kids):
                return kids[idx]
        return None

    def lookup(self, path: tuple[str, ...]) -> ProvNode | None:
        node: ProvNode | None = self
        for part in path:
            if node is None:
                return None
            node = node.child(part)
        return node
