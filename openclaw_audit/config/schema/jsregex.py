"""ECMAScript ``pattern`` keywords as Python regexes.

OpenClaw's schema comes from JavaScript, so its patterns follow ECMAScript (with the ``u``
flag, as JSON Schema says). Python's ``re`` differs where it matters for validation: ``$``
also matches before a final newline, ``\\d``/``\\w`` match non-ASCII digits and letters,
``.`` matches CR and the Unicode line separators, and ``\\p{..}`` does not exist. We rewrite
those constructs and leave everything else as written.
"""

from __future__ import annotations

import re

__all__ = ["UnsupportedPattern", "compile_js"]

# ECMAScript WhiteSpace + LineTerminator (what \s matches in JavaScript).
_JS_SPACE = (
    "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
)
_CLASS_BODY = {
    "d": "0-9",
    "w": "A-Za-z0-9_",
    "s": _JS_SPACE,
}
# The general categories OpenClaw's patterns use, as ranges Python understands.
_PROPERTY_BODY = {
    "Cc": "\\x00-\\x1f\\x7f-\\x9f",
    "Cs": "\\ud800-\\udfff",
}
_PROPERTY_RE = re.compile(r"\\[pP]\{([A-Za-z_=]+)\}")


class UnsupportedPattern(ValueError):
    """A pattern we cannot translate faithfully (e.g. an unknown ``\\p{..}`` property)."""


def compile_js(pattern: str) -> re.Pattern[str]:
    """Compile an ECMAScript pattern with JavaScript semantics (``search``, not anchored)."""
    try:
        return re.compile(_translate(pattern))
    except re.error as exc:
        raise UnsupportedPattern(f"{exc.msg} at position {exc.pos}") from None


def _property(pattern: str, i: int) -> tuple[str, bool, int]:
    """The class body for ``\\p{X}`` / ``\\P{X}`` at ``i``: (body, negated, end offset)."""
    m = _PROPERTY_RE.match(pattern, i)
    if m is None or m.group(1) not in _PROPERTY_BODY:
        raise UnsupportedPattern(f"unsupported Unicode property escape at position {i}")
    return _PROPERTY_BODY[m.group(1)], pattern[i + 1] == "P", m.end()


def _translate(pattern: str) -> str:
    out: list[str] = []
    i = 0
    n = len(pattern)
    in_class = False
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            if nxt in "pP":
                body, negated, i = _property(pattern, i)
                if in_class:
                    if negated:
                        raise UnsupportedPattern("negated property escape inside a class")
                    out.append(body)
                else:
                    out.append(f"[{'^' if negated else ''}{body}]")
                continue
            low = nxt.lower()
            if low in _CLASS_BODY:
                body = _CLASS_BODY[low]
                if nxt.islower():
                    out.append(body if in_class else f"[{body}]")
                elif not in_class:
                    out.append(f"[^{body}]")
                else:  # a negated shorthand inside a class has no range form; keep Python's
                    out.append("\\" + nxt if low != "d" else "\\D")
                i += 2
                continue
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
            elif ch == "[":
                out.append("\\[")  # literal in JavaScript, a nested-set warning in Python
                i += 1
                continue
            out.append(ch)
        elif pattern.startswith("[]", i):  # matches nothing in JavaScript
            out.append("(?!)")
            i += 2
            continue
        elif pattern.startswith("[^]", i):  # matches any character in JavaScript
            out.append("(?s:.)")
            i += 3
            continue
        elif ch == "[":
            in_class = True
            out.append(ch)
            if pattern.startswith("^", i + 1):
                out.append("^")
                i += 1
        elif ch == "$":
            out.append("\\Z")  # end of input only, not before a final newline
        elif ch == ".":
            out.append("[^\\n\\r\\u2028\\u2029]")
        else:
            out.append(ch)
        i += 1
    return "".join(out)
