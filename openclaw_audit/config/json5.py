"""A JSON5 parser that records where every value came from.

Maintained JSON5 libraries only return values; we also need each value's exact character span
(for ``file:line:col`` errors, SARIF locations and ``--fix`` edits that splice new text into
the original file without disturbing comments). So this module parses JSON5 itself and returns
a :class:`ProvNode` tree beside the value.

The parser is iterative (an explicit stack, capped at :data:`MAX_DEPTH`) so hostile input can
only ever raise :class:`JSON5Error`. Hot paths (whitespace and comments, escape-free strings,
numbers, ASCII identifiers) are single compiled-regex matches.

Line breaks follow ECMAScript: LF, CR, CRLF, U+2028 and U+2029 each end a line. Columns are
1-based and count characters (code points).
"""

from __future__ import annotations

import gc
import json
import re
import unicodedata
from bisect import bisect_right
from typing import Any, NamedTuple

from openclaw_audit.config.provenance import Origin, ProvNode

__all__ = [
    "MAX_DEPTH",
    "Duplicate",
    "JSON5Error",
    "LineIndex",
    "loads",
    "parse",
    "scan_spans",
]

MAX_DEPTH = 200


class JSON5Error(ValueError):
    """A syntax error at a 1-based ``line``/``column`` (``offset`` is the character index)."""

    def __init__(self, message: str, line: int, column: int, offset: int) -> None:
        # Pass every argument to ValueError so the exception pickles and copies cleanly.
        super().__init__(message, line, column, offset)
        self.message = message
        self.line = line
        self.column = column
        self.offset = offset

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.message}"


class Duplicate(NamedTuple):
    """A key written twice in one object: ``lost`` is the value JSON5 drops, ``kept`` wins."""

    key: str
    lost: Origin | None
    kept: Origin | None


# --- lexical patterns -------------------------------------------------------------------------

# JSON5 whitespace: TAB LF VT FF CR SP NBSP LS PS BOM plus every Unicode "Zs" space.
_WS_CHARS = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_LINE_TERMINATORS = "\n\r\u2028\u2029"
_SKIP_RE = re.compile(
    rf"(?:[{_WS_CHARS}]+|//[^{_LINE_TERMINATORS}]*|/\*[^*]*\*+(?:[^/*][^*]*\*+)*/)*"
)
_NEWLINE_RE = re.compile(r"\r\n|[\n\r\u2028\u2029]")

_NUMBER_RE = re.compile(
    r"[+-]?(?:"
    r"0[xX][0-9a-fA-F]+"
    r"|(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
    r"|Infinity|NaN)"
)
# ASCII characters that may not directly follow a number (e.g. "01", "0x", "1e", "1.2.3", "5px").
_BAD_NUMBER_TAIL = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_$.\\")

_DQ_FAST_RE = re.compile(r'"([^"\\\n\r]*)"')
_SQ_FAST_RE = re.compile(r"'([^'\\\n\r]*)'")
_DQ_CHUNK_RE = re.compile(r'[^"\\\n\r]*')
_SQ_CHUNK_RE = re.compile(r"[^'\\\n\r]*")
_HEX2_RE = re.compile(r"[0-9a-fA-F]{2}")
_HEX4_RE = re.compile(r"[0-9a-fA-F]{4}")

# An escape-free double-quoted string (group 1) or a short plain decimal integer that is not
# followed by anything that would make it a different number or an invalid token. (Non-ASCII
# is spelled [^\x00-\x7f]: the range \x80-\U0010ffff takes ~3 ms to compile at every start.)
_SIMPLE_SCALAR_RE = re.compile(
    r'"([^"\\\n\r]*)"|-?(?:0|[1-9][0-9]{0,15})(?![0-9A-Za-z_$.\\]|[^\x00-\x7f])'
)
_ASCII_IDENT_RE = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
# The common key shapes (`name:` and `"name":`), up to and including the colon.
_KEY_FAST_RE = re.compile(r'(?:([A-Za-z_$][A-Za-z0-9_$]*)|"([^"\\\n\r]*)")[ \t\n\r]*:')

_SIMPLE_ESCAPES = {
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "'": "'",
    '"': '"',
    "\\": "\\",
    "/": "/",
}
_ID_START_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nl"})
_ID_PART_CATEGORIES = _ID_START_CATEGORIES | {"Mn", "Mc", "Nd", "Pc"}
_LITERALS: dict[str, Any] = {
    "true": True,
    "false": False,
    "null": None,
}  # Infinity and NaN are numbers (they take a sign) and are read by _read_number.
# Python refuses int() on longer decimal strings (CVE-2020-10735 guard); report it cleanly.
_MAX_INT_DIGITS = 4300
_MAX_HEX_DIGITS = 3500  # 16**3500 has 4215 decimal digits, under the str() limit
UNQUOTED_WORD = "unexpected identifier (strings must be quoted)"


# --- helpers ----------------------------------------------------------------------------------


def _show_char(ch: str) -> str:
    """Quote one character for a message; invisible ones are shown as U+XXXX."""
    if ch.isprintable() and ch not in "'\\":
        return f"'{ch}'"
    return f"U+{ord(ch):04X}"


def _is_id_start(ch: str) -> bool:
    return ch in "$_" or unicodedata.category(ch) in _ID_START_CATEGORIES


def _is_id_part(ch: str) -> bool:
    return ch in "$_\u200c\u200d" or unicodedata.category(ch) in _ID_PART_CATEGORIES


class _Source:
    """The text plus lazily built line-start table for offset -> line/column."""

    __slots__ = ("_line_starts", "file", "n", "text")

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.n = len(text)
        self._line_starts: list[int] | None = None

    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            starts.extend(m.end() for m in _NEWLINE_RE.finditer(self.text))
            self._line_starts = starts
        return self._line_starts

    def line_col(self, offset: int) -> tuple[int, int]:
        starts = self.line_starts()
        line = bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    def error(self, message: str, offset: int) -> JSON5Error:
        # Whitespace skipping stops in front of an unclosed "/*" without complaint (keeping the
        # hot path to one regex match); whatever error follows there is really that comment.
        if self.text.startswith("/*", offset):
            message = "unterminated comment"
        line, col = self.line_col(offset)
        return JSON5Error(message, line, col, offset)

    def unexpected(self, offset: int, expected: str = "") -> JSON5Error:
        if offset >= self.n:
            return self.error("unexpected end of input", offset)
        msg = f"unexpected character {_show_char(self.text[offset])}"
        return self.error(f"{msg}, expected {expected}" if expected else msg, offset)

    def skip(self, pos: int) -> int:
        """Skip whitespace and comments (the pattern always matches, possibly empty)."""
        return _SKIP_RE.match(self.text, pos).end()  # type: ignore[union-attr]


# --- strings and identifiers ------------------------------------------------------------------


def _read_string(src: _Source, pos: int) -> tuple[str, int]:
    """Parse the quoted string starting at ``pos``; return (value, offset after closing quote)."""
    text = src.text
    quote = text[pos]
    fast = (_DQ_FAST_RE if quote == '"' else _SQ_FAST_RE).match(text, pos)
    if fast is not None:
        return fast.group(1), fast.end()
    chunk_re = _DQ_CHUNK_RE if quote == '"' else _SQ_CHUNK_RE
    n = src.n
    parts: list[str] = []
    i = pos + 1
    while True:
        m = chunk_re.match(text, i)
        if m is not None:
            parts.append(m.group())
            i = m.end()
        if i >= n:
            raise src.error("unterminated string", pos)
        ch = text[i]
        if ch == quote:
            return "".join(parts), i + 1
        if ch != "\\":  # a raw CR or LF: strings cannot span lines
            raise src.error("unterminated string", pos)
        piece, i = _read_escape(src, i)
        parts.append(piece)


def _read_escape(src: _Source, pos: int) -> tuple[str, int]:
    """Decode the escape whose backslash is at ``pos``; return (text, offset after it)."""
    text = src.text
    i = pos + 1
    if i >= src.n:
        raise src.error("unterminated string", pos)
    e = text[i]
    simple = _SIMPLE_ESCAPES.get(e)
    if simple is not None:
        return simple, i + 1
    if e == "0":
        if i + 1 < src.n and text[i + 1].isdigit():
            raise src.error("invalid escape", pos)
        return "\0", i + 1
    if e == "x":
        if _HEX2_RE.match(text, i + 1) is None:
            raise src.error("invalid escape", pos)
        return chr(int(text[i + 1 : i + 3], 16)), i + 3
    if e == "u":
        return _read_unicode_escape(src, pos)
    if e == "\r":  # line continuation; CRLF counts as one line break
        return "", i + 2 if text.startswith("\n", i + 1) else i + 1
    if e in "\n\u2028\u2029":
        return "", i + 1
    if "1" <= e <= "9" or e.isdigit():
        raise src.error("invalid escape", pos)
    return e, i + 1  # any other character escapes to itself


def _read_unicode_escape(src: _Source, pos: int) -> tuple[str, int]:
    """``\\uXXXX`` at ``pos``; a high surrogate followed by a low one becomes one character."""
    text = src.text
    if _HEX4_RE.match(text, pos + 2) is None:
        raise src.error("invalid escape", pos)
    code = int(text[pos + 2 : pos + 6], 16)
    end = pos + 6
    if (
        0xD800 <= code <= 0xDBFF
        and text.startswith("\\u", end)
        and _HEX4_RE.match(text, end + 2) is not None
    ):
        low = int(text[end + 2 : end + 6], 16)
        if 0xDC00 <= low <= 0xDFFF:
            return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)), end + 6
    return chr(code), end


def _read_identifier(src: _Source, pos: int) -> tuple[str, int] | None:
    """An ECMAScript IdentifierName at ``pos``, or None when none starts there."""
    text = src.text
    m = _ASCII_IDENT_RE.match(text, pos)
    if m is not None:
        end = m.end()
        if end >= src.n or (text[end] != "\\" and text[end] < "\x80"):
            return m.group(), end
    elif pos >= src.n or (text[pos] != "\\" and text[pos] < "\x80"):
        return None
    # Slow path: non-ASCII letters or \uXXXX escapes.
    parts: list[str] = []
    i = pos
    n = src.n
    while i < n:
        ch = text[i]
        nxt = i + 1
        if ch == "\\":
            if not text.startswith("u", i + 1):
                raise src.error("invalid escape", i)
            ch, nxt = _read_unicode_escape(src, i)
            valid = _is_id_start(ch) if not parts else _is_id_part(ch)
            if not valid:
                raise src.error("invalid escape in identifier", i)
        elif not (_is_id_start(ch) if not parts else _is_id_part(ch)):
            break
        parts.append(ch)
        i = nxt
    if not parts:
        return None
    return "".join(parts), i


# --- numbers ----------------------------------------------------------------------------------


def _read_number(src: _Source, pos: int) -> tuple[int | float, int] | None:
    text = src.text
    m = _NUMBER_RE.match(text, pos)
    if m is None:
        return None
    end = m.end()
    if end < src.n:
        nxt = text[end]
        if nxt in _BAD_NUMBER_TAIL or (nxt >= "\x80" and _is_id_part(nxt)):
            raise src.error("invalid number", pos)
    tok = m.group()
    sign = -1 if tok[0] == "-" else 1
    body = tok[1:] if tok[0] in "+-" else tok
    if body[:2] in ("0x", "0X"):
        # Same bound as decimals: every int we return must stay printable with str().
        if len(body) - 2 > _MAX_HEX_DIGITS:
            raise src.error("integer literal too long", pos)
        return sign * int(body[2:], 16), end
    if body == "Infinity":
        return sign * float("inf"), end
    if body == "NaN":
        return float("nan"), end
    if "." in body or "e" in body or "E" in body:
        return float(tok), end
    if len(body) > _MAX_INT_DIGITS:
        raise src.error("integer literal too long", pos)
    return int(tok), end


# --- the parser -------------------------------------------------------------------------------


def _read_scalar(src: _Source, pos: int) -> tuple[Any, int]:
    """A string, number or literal at ``pos`` (containers are handled by the caller)."""
    text = src.text
    if pos >= src.n:
        raise src.error("unexpected end of input", pos)
    c = text[pos]
    if c == '"' or c == "'":
        return _read_string(src, pos)
    num = _read_number(src, pos)
    if num is not None:
        return num
    if c in "+-":
        raise src.unexpected(pos + 1)
    ident = _read_identifier(src, pos)
    if ident is not None:
        word, end = ident
        if word in _LITERALS and text[pos] != "\\" and end - pos == len(word):
            return _LITERALS[word], end
        # Never echo the word: an unquoted value is often a credential someone forgot to quote.
        raise src.error(UNQUOTED_WORD, pos)
    raise src.unexpected(pos)


def _read_key(src: _Source, pos: int) -> tuple[str, int]:
    """An object key (string or identifier) and the offset just after the following ':'."""
    text = src.text
    fast = _KEY_FAST_RE.match(text, pos)
    if fast is not None:
        return fast.group(fast.lastindex or 0), src.skip(fast.end())
    if pos < src.n and (text[pos] == '"' or text[pos] == "'"):
        key, end = _read_string(src, pos)
    else:
        ident = _read_identifier(src, pos)
        if ident is None:
            raise src.unexpected(pos, "a key")
        key, end = ident
    end = src.skip(end)
    if end >= src.n or text[end] != ":":
        if end >= src.n:
            raise src.error("unexpected end of input", end)
        raise src.error("expected ':' after key", end)
    return key, src.skip(end + 1)


class _Frame:
    """An open object or array on the explicit parse stack."""

    __slots__ = ("is_obj", "key", "kids", "path", "start", "value")

    def __init__(
        self,
        is_obj: bool,
        start: int,
        path: tuple[str, ...],
        value: dict[str, Any] | list[Any],
        kids: dict[str, ProvNode] | list[ProvNode] | None,
    ) -> None:
        self.is_obj = is_obj
        self.start = start
        self.path = path
        self.value = value
        self.kids = kids
        self.key = ""


def _parse(
    text: str, file: str, track: bool, dups: list[Duplicate] | None = None
) -> tuple[Any, ProvNode | None]:
    # The result is one big acyclic tree: pausing the cyclic GC while it is built saves the
    # repeated full-heap scans that allocating ~100k containers would otherwise trigger.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_tree(text, file, track, [] if dups is None else dups)
    finally:
        if gc_was_enabled:
            gc.enable()


def _parse_tree(
    text: str, file: str, track: bool, dups: list[Duplicate]
) -> tuple[Any, ProvNode | None]:
    src = _Source(text, file)
    n = src.n
    skip_match = _SKIP_RE.match
    simple_match = _SIMPLE_SCALAR_RE.match
    line_starts = src.line_starts() if track else []
    stack: list[_Frame] = []
    path: tuple[str, ...] = ()
    pos = skip_match(text, 0).end()  # type: ignore[union-attr]
    value: Any
    node: ProvNode | None = None
    frame: _Frame

    while True:
        # 1) Parse the value starting at pos (or open a container and descend).
        c = text[pos] if pos < n else ""
        if c == "{" or c == "[":
            if len(stack) >= MAX_DEPTH:
                raise src.error(f"nesting too deep (more than {MAX_DEPTH} levels)", pos)
            is_obj = c == "{"
            if is_obj:
                frame = _Frame(True, pos, path, {}, {} if track else None)
                closer = "}"
            else:
                frame = _Frame(False, pos, path, [], [] if track else None)
                closer = "]"
            stack.append(frame)
            pos = skip_match(text, pos + 1).end()  # type: ignore[union-attr]
            if pos >= n or text[pos] != closer:
                if is_obj:
                    frame.key, pos = _read_key(src, pos)
                    path = (*path, frame.key)
                else:
                    path = (*path, "0")
                continue
            # Empty container: close it at once and fall through to attach it.
            pos += 1
            stack.pop()
            value = frame.value
            if track:
                start = frame.start
                line = bisect_right(line_starts, start)
                origin = Origin(file, line, start - line_starts[line - 1] + 1, start, pos, path)
                node = ProvNode(origin, frame.kids)
        else:
            start = pos
            # Fast path for the commonest scalars: escape-free "strings" and plain integers.
            m = simple_match(text, pos)
            if m is not None:
                pos = m.end()
                s = m.group(1)
                value = int(m.group()) if s is None else s
            else:
                value, pos = _read_scalar(src, pos)
            if track:
                line = bisect_right(line_starts, start)
                origin = Origin(file, line, start - line_starts[line - 1] + 1, start, pos, path)
                node = ProvNode(origin)
        pos = skip_match(text, pos).end()  # type: ignore[union-attr]

        # 2) Attach the finished value to its parent; close parents as far as possible.
        while True:
            if not stack:
                if pos < n:
                    raise src.error("trailing data after value", pos)
                return value, node
            frame = stack[-1]
            container = frame.value
            if frame.is_obj:
                container[frame.key] = value  # type: ignore[call-overload]
                if track:
                    kids = frame.kids
                    if frame.key in kids:  # type: ignore[operator]
                        dups.append(Duplicate(frame.key, kids[frame.key].origin, node.origin))  # type: ignore[index,call-overload,union-attr]
                    kids[frame.key] = node  # type: ignore[index,call-overload]
                closer = "}"
            else:
                container.append(value)  # type: ignore[union-attr]
                if track:
                    frame.kids.append(node)  # type: ignore[union-attr,arg-type]
                closer = "]"
            c = text[pos] if pos < n else ""
            if c == ",":
                pos = skip_match(text, pos + 1).end()  # type: ignore[union-attr]
                if pos >= n or text[pos] != closer:
                    if frame.is_obj:
                        frame.key, pos = _read_key(src, pos)
                        path = (*frame.path, frame.key)
                    else:
                        path = (*frame.path, str(len(container)))
                    break  # parse the next member
            elif c != closer:
                raise src.unexpected(pos, f"',' or '{closer}'")
            # At the closer: finish this container, then attach it to its own parent.
            pos += 1
            stack.pop()
            value = container
            path = frame.path
            if track:
                start = frame.start
                line = bisect_right(line_starts, start)
                origin = Origin(file, line, start - line_starts[line - 1] + 1, start, pos, path)
                node = ProvNode(origin, frame.kids)
            pos = skip_match(text, pos).end()  # type: ignore[union-attr]


def parse(
    text: str, file: str = "<string>", duplicates: list[Duplicate] | None = None
) -> tuple[Any, ProvNode]:
    """Parse JSON5 ``text``; return the value and its provenance tree (spans into ``text``).

    A key repeated in one object keeps its last value (as in JSON5); each repetition is
    appended to ``duplicates`` when given."""
    value, node = _parse(text, file, True, duplicates)
    assert node is not None
    return value, node


def loads(text: str) -> Any:
    """Parse JSON5 ``text`` without building provenance."""
    # Plain JSON (the common case) reads the same through the C parser, 20-60x faster.
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        pass
    else:
        if not too_deep(value):
            return value
    return _parse(text, "<string>", False)[0]


def too_deep(value: Any) -> bool:
    """True when containers in ``value`` nest deeper than this parser allows (MAX_DEPTH)."""
    return nesting(value, MAX_DEPTH) > MAX_DEPTH


def nesting(value: Any, limit: int = 1 << 30) -> int:
    """How many levels of containers ``value`` has (0 for a scalar); counting stops past
    ``limit``."""
    level: list[Any] = [value] if isinstance(value, dict | list) else []
    depth = 0
    while level and depth <= limit:
        depth += 1
        nxt: list[Any] = []
        for node in level:
            for child in node.values() if isinstance(node, dict) else node:
                if isinstance(child, dict | list):
                    nxt.append(child)
        level = nxt
    return depth


def scan_spans(text: str, file: str) -> ProvNode:
    """Only the provenance tree of ``text`` (same as ``parse(text, file)[1]``)."""
    return parse(text, file)[1]


# The offset -> line/column table, for spans computed later (config/jsonfast.py).
LineIndex = _Source
NEWLINE_RE = _NEWLINE_RE
