"""Splitting a large JSON schema into chunks that load on demand.

The bundled schema is ~0.5 MB; ``json.loads`` of all of it costs more than the whole static
audit may spend on validation, and a config touches a few percent of it. An index (made by
``scripts/build_schema_index.py``) lists the byte span of every large subschema; loading one
span replaces the large subschemas inside it by a stub string, loaded in turn when the
validator reaches it. A stub can never be mistaken for a schema: a subschema is never a string.
"""

from __future__ import annotations

import json
import sys
from array import array
from collections.abc import Iterator, Sequence
from typing import Any

from openclaw_audit.config.provenance import ProvNode

STUB_PREFIX = "\x00chunk:"
MIN_CHUNK_BYTES = 512  # smaller subschemas stay inline (measured: 512 parses least for the demo)

# Keywords whose value is a subschema, a list of them, or a map of them.
SCHEMA_KEYWORDS = frozenset(
    {"items", "additionalItems", "additionalProperties", "propertyNames", "contains", "not"}
    | {"if", "then", "else"}
)
SCHEMA_LIST_KEYWORDS = frozenset({"anyOf", "oneOf", "allOf", "items"})
SCHEMA_MAP_KEYWORDS = frozenset({"properties", "patternProperties", "$defs", "definitions"})

Span = tuple[int, int, list[int]]  # byte start, byte end, indices of the direct child chunks


class ChunkedSchema:
    """The schema file plus its index; :meth:`load` returns chunk ``i`` with stubs.

    ``data`` is anything sliceable to bytes: the file's bytes, or a read-only mmap of it (so
    only the pages of the chunks actually used are read)."""

    __slots__ = ("_cache", "_data", "_spans")

    def __init__(self, data: Any, spans: Sequence[Span]) -> None:
        self._data = data
        self._spans = spans
        self._cache: dict[int, Any] = {}

    def load(self, index: int) -> Any:
        try:
            return self._cache[index]
        except KeyError:
            pass
        start, end, children = self._spans[index]
        parts: list[bytes] = []
        pos = start
        for child in children:
            c_start, c_end, _ = self._spans[child]
            parts.append(self._data[pos:c_start])
            parts.append(b'"\\u0000chunk:%d"' % child)
            pos = c_end
        parts.append(self._data[pos:end])
        node = self._cache[index] = json.loads(b"".join(parts))
        return node

    def deref(self, node: Any) -> Any:
        """``node`` itself, or the chunk its stub stands for."""
        if type(node) is str and node.startswith(STUB_PREFIX):
            return self.load(int(node[len(STUB_PREFIX) :]))
        return node


class BinaryIndex:
    """The index as shipped: little-endian uint32s ``size, n, offset[n], then per span
    start, end, k, child[k]``. Reading it is one ``frombytes``; parsing the same as JSON
    cost more than the validation itself."""

    __slots__ = ("_a", "size")

    def __init__(self, data: bytes) -> None:
        a = array("I")
        if a.itemsize != 4:
            raise ValueError("no 32-bit array type")
        a.frombytes(data)
        if sys.byteorder == "big":
            a.byteswap()
        self._a = a
        self.size = a[0]

    def __len__(self) -> int:
        return self._a[1]

    def __getitem__(self, i: int) -> Span:
        a = self._a
        p = a[2 + i]
        k = a[p + 2]
        return a[p], a[p + 1], a[p + 3 : p + 3 + k].tolist()


def pack_index(spans: Sequence[Span], size: int) -> bytes:
    """The binary form of :func:`build_index`'s spans (see :class:`BinaryIndex`)."""
    n = len(spans)
    offsets: list[int] = []
    records: list[int] = []
    for start, end, children in spans:
        offsets.append(2 + n + len(records))
        records.extend((start, end, len(children), *children))
    a = array("I", [size, n, *offsets, *records])
    if sys.byteorder == "big":
        a.byteswap()
    return a.tobytes()


def subschemas(node: Any, prov: ProvNode) -> Iterator[tuple[Any, ProvNode]]:
    """The direct subschemas of a schema node with their provenance (for the index builder)."""
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        kid = prov.child(key)
        if kid is None:
            continue
        if key in SCHEMA_MAP_KEYWORDS and isinstance(value, dict):
            for name, sub in value.items():
                sub_prov = kid.child(name)
                if sub_prov is not None:
                    yield sub, sub_prov
        elif key in SCHEMA_LIST_KEYWORDS and isinstance(value, list):
            for i, sub in enumerate(value):
                sub_prov = kid.child(i)
                if sub_prov is not None:
                    yield sub, sub_prov
        elif key in SCHEMA_KEYWORDS and isinstance(value, dict):
            yield value, kid


def build_index(text: str) -> list[Span]:
    """Spans of the root (index 0) and of every subschema of at least MIN_CHUNK_BYTES.

    ``text`` must be ASCII (character offsets are byte offsets); ``json.dumps`` writes it so.
    """
    from openclaw_audit.config import json5

    if not text.isascii():
        raise ValueError("the schema file must be ASCII (write it with json.dumps)")
    root, prov = json5.parse(text)
    spans: list[Span] = [(0, len(text), [])]
    stack: list[tuple[Any, ProvNode, int]] = [(root, prov, 0)]
    while stack:
        node, node_prov, owner = stack.pop()
        for sub, sub_prov in subschemas(node, node_prov):
            origin = sub_prov.origin
            assert origin is not None
            sub_owner = owner
            if origin.end - origin.start >= MIN_CHUNK_BYTES:
                sub_owner = len(spans)
                spans.append((origin.start, origin.end, []))
                spans[owner][2].append(sub_owner)
            stack.append((sub, sub_prov, sub_owner))
    for _, _, children in spans:
        children.sort(key=lambda i: spans[i][0])
    return spans
