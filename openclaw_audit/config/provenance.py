"""Where each config value came from: file, line, column and character span.

The JSON5 parser returns a :class:`ProvNode` tree that mirrors the parsed value; include
resolution merges these trees alongside the values, so after loading every value can be traced
to the file (main config or include) and the local path inside that file that defined it.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Origin(NamedTuple):
    file: str  # absolute path of the file that holds the value
    line: int  # 1-based line of the value's first character
    column: int  # 1-based column of the value's first character
    start: int  # character offset of the value's first character
    end: int  # character offset just past the value
    local_path: tuple[str, ...] = ()  # the value's path inside that file


class ProvNode:
    """Provenance of one value; ``children`` mirrors a dict (by key) or a list (by index).

    A plain slotted class rather than a dataclass: one is built per parsed value, and the
    class itself is on every run's import path."""

    __slots__ = ("children", "origin")

    def __init__(
        self,
        origin: Origin | None,
        children: dict[str, ProvNode] | list[ProvNode] | None = None,
    ) -> None:
        self.origin = origin
        self.children = children

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, ProvNode):
            return NotImplemented
        return (self.origin, self.children) == (other.origin, other.children)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ProvNode(origin={self.origin!r}, children={self.children!r})"

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
