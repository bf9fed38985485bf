"""Splicing config edits into the file that defines each value (fix.md B1).

Every edit touches only the characters of one literal (a replacement) or adds one member right
after the last member of an object (an insertion); the rest of the file — comments, quotes,
whitespace, key order — stays byte for byte. Each patched file is re-parsed and compared with
the intended value before anything may be written.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openclaw_audit.config import json5
from openclaw_audit.config.provenance import ProvNode
from openclaw_audit.fix.plan import ConfigEdit, InsertConfigValue, SetConfigValue

INDENT_UNIT = "  "
_HSPACE = re.compile(r"[ \t]*")
_BLOCK_COMMENT_SAME_LINE = re.compile(r"/\*[^\n\r]*?\*/")


class EditError(Exception):
    """An edit that cannot be made safely; the file is then left alone."""


@dataclass
class FileEdit:
    path: str
    old_text: str
    new_text: str
    edits: list[ConfigEdit] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Splice:
    start: int
    end: int
    text: str
    seq: int


def render_literal(value: Any, like: str = "") -> str:
    """JSON text for ``value``; a string replacing a single-quoted literal keeps single quotes."""
    if isinstance(value, str) and like.startswith("'") and "'" not in value and "\\" not in value:
        body = json.dumps(value, ensure_ascii=False)[1:-1]
        if '\\"' not in body:
            return f"'{body}'"
    return json.dumps(value, ensure_ascii=False)


def _line_start(text: str, pos: int) -> int:
    return max(text.rfind("\n", 0, pos), text.rfind("\r", 0, pos)) + 1


def _indent_of_line(text: str, pos: int) -> str:
    start = _line_start(text, pos)
    m = _HSPACE.match(text, start)
    return m.group(0) if m else ""


def _newline_style(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _replacement(text: str, node: ProvNode | None, edit: SetConfigValue, seq: int) -> _Splice:
    origin = node.origin if node is not None else None
    if origin is None:
        raise EditError(f"{'.'.join(edit.config_path)}: value not found in {edit.file}")
    literal = text[origin.start : origin.end]
    try:
        current = json5.loads(literal)
    except json5.JSON5Error:
        raise EditError(f"{'.'.join(edit.config_path)}: literal does not parse") from None
    if not same_value(current, edit.old):
        raise EditError(f"{'.'.join(edit.config_path)}: file no longer holds the expected value")
    return _Splice(origin.start, origin.end, render_literal(edit.new, literal), seq)


def _insertion(
    text: str, node: ProvNode | None, edit: InsertConfigValue, seq: int
) -> list[_Splice]:
    origin = node.origin if node is not None else None
    where = ".".join(edit.config_path)
    if origin is None or text[origin.start : origin.start + 1] != "{":
        raise EditError(f"{where}: target object not found")
    if not isinstance(node.children, dict):  # type: ignore[union-attr]
        raise EditError(f"{where}: target is not an object")
    kids: dict[str, ProvNode] = node.children  # type: ignore[union-attr,assignment]
    if edit.key in kids:
        raise EditError(f"{where}: key already present")
    nl = _newline_style(text)
    member = f"{json.dumps(edit.key)}: {render_literal(edit.value)}"
    last = None
    for child in kids.values():
        if child.origin is not None and (last is None or child.origin.end > last.end):
            last = child.origin
    if last is None:  # empty object (maybe with comments inside): first member after "{"
        open_pos = origin.start + 1
        inner = text[open_pos : origin.end - 1]
        if not inner.strip():
            indent = _indent_of_line(text, origin.start)
            body = f"{nl}{indent}{INDENT_UNIT}{member}{nl}{indent}"
            return [_Splice(open_pos, origin.end - 1, body, seq)]
        indent = _indent_of_line(text, origin.end - 1) + INDENT_UNIT
        return [_Splice(open_pos, open_pos, f"{nl}{indent}{member},", seq)]
    value_end = last.end
    pos = _HSPACE.match(text, value_end).end()  # type: ignore[union-attr]
    had_comma = text.startswith(",", pos)
    if had_comma:
        pos = _HSPACE.match(text, pos + 1).end()  # type: ignore[union-attr]
    single_line = (
        "\n" not in text[origin.start : value_end] and "\r" not in text[origin.start : value_end]
    )
    if single_line:
        # {a: 1, b: 2} -> {a: 1, b: 2, "k": v}
        if had_comma:
            comma_end = text.index(",", value_end) + 1
            return [_Splice(comma_end, comma_end, f" {member},", seq)]
        return [_Splice(value_end, value_end, f", {member}", seq)]
    # Keep a comment that trails the last member on its line where it is.
    while True:
        if text.startswith("//", pos):
            m = re.compile(r"[^\n\r]*").match(text, pos)
            pos = m.end() if m else pos
            break
        m = _BLOCK_COMMENT_SAME_LINE.match(text, pos)
        if not m:
            break
        pos = _HSPACE.match(text, m.end()).end()  # type: ignore[union-attr]
    # Insert at the end of that line, before its line break.
    line_end = pos
    while line_end > value_end and text[line_end - 1] in " \t":
        line_end -= 1
    indent = _indent_of_line(text, last.start)  # the last member's key line, normally
    splices: list[_Splice] = []
    if not had_comma:
        splices.append(_Splice(value_end, value_end, ",", seq))
    tail = "," if had_comma else ""
    splices.append(_Splice(line_end, line_end, f"{nl}{indent}{member}{tail}", seq + 1))
    return splices


def _apply_splices(text: str, splices: Sequence[_Splice]) -> str:
    ordered = sorted(splices, key=lambda s: (s.start, s.seq), reverse=True)
    prev_start = len(text) + 1
    for s in ordered:
        if s.end > prev_start:
            raise EditError("overlapping edits")
        text = text[: s.start] + s.text + text[s.end :]
        prev_start = s.start
    return text


def same_value(a: Any, b: Any) -> bool:
    """Deep equality that also treats NaN as equal to NaN and keeps bool apart from int."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return list(a.keys()) == list(b.keys()) and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def set_in(root: Any, path: Sequence[str], value: Any) -> Any:
    """A copy of ``root`` with ``value`` at ``path`` (dicts along the path are copied)."""
    if not path:
        return value
    if isinstance(root, list):
        idx = int(path[0])
        out_list = list(root)
        out_list[idx] = set_in(out_list[idx], path[1:], value)
        return out_list
    if not isinstance(root, Mapping):
        raise EditError("path runs through a non-object")
    out = dict(root)
    out[path[0]] = set_in(out.get(path[0]), path[1:], value)
    return out


def edit_file(path: str, text: str, edits: Sequence[ConfigEdit]) -> FileEdit:
    """Apply ``edits`` (all for ``path``) to ``text`` and verify the result; raises EditError."""
    try:
        original, prov = json5.parse(text, path)
    except json5.JSON5Error as exc:
        raise EditError(f"{path} no longer parses ({exc})") from None
    splices: list[_Splice] = []
    expected = original
    for i, edit in enumerate(edits):
        seq = i * 2
        if isinstance(edit, SetConfigValue):
            splices.append(_replacement(text, prov.lookup(edit.local_path), edit, seq))
            expected = set_in(expected, edit.local_path, edit.new)
        else:
            node = prov.lookup(edit.object_path)
            splices.extend(_insertion(text, node, edit, seq))
            expected = set_in(expected, (*edit.object_path, edit.key), edit.value)
    new_text = _apply_splices(text, splices)
    try:
        patched, _ = json5.parse(new_text, path)
    except json5.JSON5Error as exc:
        raise EditError(f"patched text does not parse ({exc})") from None
    if not same_value(patched, expected):
        raise EditError("verification mismatch")
    return FileEdit(path, text, new_text, list(edits))
