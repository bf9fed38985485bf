"""The fast path for configs written as plain JSON, with value positions computed on demand.

Most configs are plain JSON (tools write them that way). ``json.loads`` parses those 20-60×
faster than our JSON5 parser, which records the span of every value. Nearly all of those spans
go unused: only the values a finding, SARIF or ``--fix`` points at need one. So a plain-JSON
text is parsed by ``json.loads`` and gets a :class:`JsonProv` tree that finds a value's span in
the text the first time someone asks for it, skipping the values before it at C speed.

The fast path only accepts what JSON5 reads the same way: any text ``json.loads`` rejects,
that repeats a key in an object (the JSON5 parser reports those) or nests deeper than
:data:`~openclaw_audit.config.json5.MAX_DEPTH` goes to the JSON5 parser, which gives the same
value or the same error as before. JSON is a subset of JSON5 with the same values (including
``NaN`` and ``Infinity``, which both accept), so the result is identical.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
from typing import Any

from openclaw_audit.config.json5 import MAX_DEPTH, NEWLINE_RE, LineIndex, nesting
from openclaw_audit.config.provenance import Origin, ProvNode

__all__ = ["JsonProv", "parse_plain_json"]

_WS = " \t\n\r"  # JSON whitespace (a subset of JSON5's)
_PREFIX_SCAN = 4096


class _Duplicate(Exception):
    pass


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Duplicate
    return out


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_pairs)
# Skipping a value: the C scanner with plain dicts (no duplicate check, nothing kept).
_SKIP = json.scanner.make_scanner(json.JSONDecoder())
_scanstring = json.decoder.scanstring


def parse_plain_json(text: str, file: str) -> tuple[Any, JsonProv] | None:
    """``(value, provenance)`` when ``text`` is plain JSON that JSON5 reads the same way,
    otherwise None (the caller then uses the JSON5 parser)."""
    try:
        value = _DECODER.decode(text)
    except (ValueError, _Duplicate, RecursionError):
        return None
    levels = nesting(value, MAX_DEPTH)
    if levels > MAX_DEPTH:
        return None
    root = JsonProv(_Doc(text, file), _first_char(text, 0), ())
    root.levels = levels
    return value, root


def _first_char(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos] in _WS:
        pos += 1
    return pos


class _Doc:
    """The text of one file; line and column numbers as the JSON5 parser counts them."""

    __slots__ = ("file", "lines", "text")

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.lines = LineIndex(text, file)

    def line_col(self, offset: int) -> tuple[int, int]:
        if offset < _PREFIX_SCAN and self.lines._line_starts is None:
            # Near the top (the root of an include file, say): count the prefix only.
            breaks = [m.end() for m in NEWLINE_RE.finditer(self.text, 0, offset)]
            return len(breaks) + 1, offset - (breaks[-1] if breaks else 0) + 1
        return self.lines.line_col(offset)


class JsonProv(ProvNode):
    """Provenance of one value of a plain-JSON text; its span and children are found on
    first use. Behaves like the :class:`ProvNode` the JSON5 parser would have built."""

    __slots__ = ("_children", "_doc", "_origin", "_path", "_start", "levels")

    def __init__(self, doc: _Doc, start: int, path: tuple[str, ...]) -> None:
        # ProvNode.__init__ is not called: origin and children are computed properties here.
        self._doc = doc
        self._start = start
        self._path = path
        self._origin: Origin | None = None
        self._children: Any = _UNSET
        self.levels = -1  # the root's container nesting, measured by the parse (else -1)

    @property  # type: ignore[override]
    def origin(self) -> Origin:
        if self._origin is None:
            doc = self._doc
            if self._path:
                _, end = _SKIP(doc.text, self._start)
            else:  # the root: json.loads accepted the text, so it ends at the last token
                end = len(doc.text.rstrip(_WS))
            line, col = doc.line_col(self._start)
            self._origin = Origin(doc.file, line, col, self._start, end, self._path)
        return self._origin

    @property  # type: ignore[override]
    def children(self) -> dict[str, ProvNode] | list[ProvNode] | None:
        if self._children is _UNSET:
            self._children = self._scan_children()
        return self._children  # type: ignore[no-any-return]

    def _scan_children(self) -> dict[str, ProvNode] | list[ProvNode] | None:
        doc = self._doc
        text = doc.text
        opener = text[self._start]
        if opener not in "{[":
            return None
        path = self._path
        pos = _first_char(text, self._start + 1)
        if opener == "{":
            kids: dict[str, ProvNode] = {}
            if text[pos] == "}":
                return kids
            while True:
                key, pos = _scanstring(text, pos + 1)
                pos = _first_char(text, pos) + 1  # past the ':'
                start = _first_char(text, pos)
                kids[key] = JsonProv(doc, start, (*path, key))
                _, pos = _SKIP(text, start)
                pos = _first_char(text, pos)
                if text[pos] == "}":
                    return kids
                pos = _first_char(text, pos + 1)  # past the ','
        items: list[ProvNode] = []
        if text[pos] == "]":
            return items
        while True:
            start = pos
            items.append(JsonProv(doc, start, (*path, str(len(items)))))
            _, pos = _SKIP(text, start)
            pos = _first_char(text, pos)
            if text[pos] == "]":
                return items
            pos = _first_char(text, pos + 1)

    def __repr__(self) -> str:
        return f"JsonProv({self._doc.file!r}, start={self._start}, path={self._path!r})"


_UNSET: Any = object()
