"""Making text safe for the places the tool writes to: terminals, pipes and files.

Config values (keys, ids, paths, include names) end up in findings, warnings and error lines.
A hostile or broken config can put control characters in them (ANSI escapes that repaint the
terminal, carriage returns that overwrite a line, newlines that forge an extra "error:" line)
or lone surrogates (legal in JSON5 strings, but not encodable as UTF-8, so a plain write
would crash). Every sink runs its text through these helpers, so no renderer or check has to
remember to escape.
"""

from __future__ import annotations

import re

# C0 controls except TAB and LF, DEL, and C1 controls (some terminals act on them too);
# escaping ESC and the C1 CSI/OSC introducers defuses every ANSI/OSC sequence. Bidi controls
# (Trojan Source reordering) and zero-width characters would make text read differently from
# what it is, so they are shown escaped as well.
# The soft hyphen, interlinear annotation marks and Unicode tag characters (used to smuggle
# invisible text) are hidden the same way; the line and paragraph separators break lines in
# some terminals and editors, so they are escaped even where newlines are kept.
_INVISIBLE = (
    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\ufff9-\ufffb\U000e0000-\U000e007f"
)
_CONTROL = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u2028\\u2029{_INVISIBLE}]")
_CONTROL_OR_NEWLINE = re.compile(f"[\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f\\u2028\\u2029{_INVISIBLE}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def encodable(text: str) -> str:
    """``text`` with lone surrogates written as ``\\udXXX`` so it always encodes as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def printable(text: str) -> str:
    """For multi-line output (report text, logs): controls escaped, line breaks kept."""
    return encodable(_CONTROL.sub(_escape, text))


def one_line(text: str) -> str:
    """For one-line messages (errors, warnings): every control character escaped, newlines
    included, so one message is always exactly one line."""
    return encodable(_CONTROL_OR_NEWLINE.sub(_escape, text))


_JSON_HIDDEN = re.compile(f"[\\x7f-\\x9f\\u2028\\u2029{_INVISIBLE}]")


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON spells astral characters as a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(doc: str) -> str:
    """A JSON document (``json.dumps`` output) with DEL, C1 controls, bidi and invisible
    characters written as ``\\uXXXX`` escapes: the same JSON value, but a terminal that shows
    it cannot be steered by them (json.dumps already escapes C0 controls)."""
    return _JSON_HIDDEN.sub(_json_escape, doc)
