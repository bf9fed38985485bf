"""One selector syntax for checkIds: ``--check``, ``--skip-check``, ignore-file entries and
``security.audit.suppressions``.

A selector is an exact checkId, or a glob (``*``, ``?``, ``[...]``) such as ``fs.*`` or
``gateway.*token*``. ``*`` also crosses dots, so ``gateway.*`` is every id under ``gateway.``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

_GLOB_CHARS = frozenset("*?[")


def is_glob(selector: str) -> bool:
    return any(c in _GLOB_CHARS for c in selector)


def matches(selector: str, check_id: str) -> bool:
    selector = selector.strip()
    if is_glob(selector):
        return fnmatch.fnmatchcase(check_id, selector)
    return check_id == selector


def any_matches(selectors: Iterable[str], check_id: str) -> bool:
    return any(matches(s, check_id) for s in selectors)


# --- Does a selector match anything? -------------------------------------------------------
# A catalog entry may be a family such as ``tools.elevated.allowFrom.<provider>.wildcard``
# (``<...>`` stands for one or more non-space characters). A selector counts as matching it
# when some concrete id matches both, so ``tools.elevated.allowFrom.telegram.*`` does. Both are
# patterns over one alphabet, so this is an emptiness test on their product automaton.

_ANY = ("any",)
_NONSPACE = ("nonspace",)
# ("any",) | ("nonspace",) | ("char", c) | ("class", negated, chars, ranges)
CharSet = tuple[object, ...]
Token = tuple[str, CharSet]  # ("one", set): exactly one char; ("star", set): zero or more


def _glob_tokens(selector: str) -> list[Token]:
    """fnmatch's syntax as tokens (an unclosed ``[`` is a literal, as in fnmatch)."""
    out: list[Token] = []
    i, n = 0, len(selector)
    while i < n:
        c = selector[i]
        i += 1
        if c == "*":
            out.append(("star", _ANY))
        elif c == "?":
            out.append(("one", _ANY))
        elif c == "[":
            j = i
            if j < n and selector[j] == "!":
                j += 1
            if j < n and selector[j] == "]":
                j += 1
            while j < n and selector[j] != "]":
                j += 1
            if j >= n:
                out.append(("one", ("char", "[")))
                continue
            body, i = selector[i:j], j + 1
            negated = body.startswith("!")
            body = body[1:] if negated else body
            chars: set[str] = set()
            ranges: list[tuple[str, str]] = []
            k = 0
            while k < len(body):
                if k + 2 < len(body) and body[k + 1] == "-":
                    ranges.append((body[k], body[k + 2]))
                    k += 3
                else:
                    chars.add(body[k])
                    k += 1
            out.append(("one", ("class", negated, frozenset(chars), tuple(ranges))))
        else:
            out.append(("one", ("char", c)))
    return out


def _family_tokens(pattern: str) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(pattern):
        end = pattern.find(">", i) if pattern[i] == "<" else -1
        if end > i:
            out += [("one", _NONSPACE), ("star", _NONSPACE)]
            i = end + 1
        else:
            out.append(("one", ("char", pattern[i])))
            i += 1
    return out


def _member(c: str, s: CharSet) -> bool:
    kind = s[0]
    if kind == "any":
        return True
    if kind == "nonspace":
        return not c.isspace()
    if kind == "char":
        return c == s[1]
    _, negated, chars, ranges = s
    inside = c in chars or any(lo <= c <= hi for lo, hi in ranges)  # type: ignore[attr-defined]
    return inside != negated


def _samples(s: CharSet) -> set[str]:
    """Characters that hit every region a set's own boundaries create."""
    if s[0] == "char":
        return {s[1]}  # type: ignore[arg-type]
    if s[0] != "class":
        return set()
    out = set(s[2])  # type: ignore[arg-type]
    for lo, hi in s[3]:  # type: ignore[misc]
        out |= {lo, hi, chr(max(ord(lo) - 1, 0)), chr(min(ord(hi) + 1, 0x10FFFF))}
        out |= {chr(o) for o in range(ord(lo), min(ord(hi), ord(lo) + 64) + 1)}
    return out


def _overlap(a: CharSet, b: CharSet, extra: set[str]) -> bool:
    return any(_member(c, a) and _member(c, b) for c in extra | _samples(a) | _samples(b))


def _intersects(left: list[Token], right: list[Token]) -> bool:
    # Besides the characters the patterns name: a space and a character none of them names.
    named = {c for t in (*left, *right) for c in _samples(t[1])}
    fresh = next(chr(o) for o in range(0x4E00, 0x10000) if chr(o) not in named)
    extra = {" ", fresh}
    seen = {(0, 0)}
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if i == len(left) and j == len(right):
            return True
        steps = []
        if i < len(left) and left[i][0] == "star":
            steps.append((i + 1, j))
        if j < len(right) and right[j][0] == "star":
            steps.append((i, j + 1))
        if i < len(left) and j < len(right) and _overlap(left[i][1], right[j][1], extra):
            steps.append(
                (i if left[i][0] == "star" else i + 1, j if right[j][0] == "star" else j + 1)
            )
        for step in steps:
            if step not in seen:
                seen.add(step)
                todo.append(step)
    return False


def can_match(selector: str, catalog_id: str) -> bool:
    """Whether ``selector`` matches ``catalog_id`` or, for a family, one of its ids."""
    selector = selector.strip()
    if "<" not in catalog_id:
        return matches(selector, catalog_id)
    return _intersects(_glob_tokens(selector), _family_tokens(catalog_id))


def suggestion(selector: str, catalog_ids: Iterable[str]) -> str | None:
    """The nearest catalog id, or group glob such as ``gateway.*``, to a misspelt selector."""
    import difflib

    ids = sorted(set(catalog_ids))
    groups = {
        ".".join(cid.split(".")[:n]) + ".*" for cid in ids for n in range(1, cid.count(".") + 1)
    }
    close = difflib.get_close_matches(selector.strip(), [*ids, *sorted(groups)], n=1, cutoff=0.6)
    return close[0] if close else None


def problem(selector: str, catalog_ids: Iterable[str]) -> str | None:
    """Why ``selector`` selects nothing ("empty pattern", "matches no check; did you mean
    ..."), or None when it matches some catalog id. Names only catalog ids, never input
    beyond the selector itself."""
    if not selector.strip():
        return "empty pattern (give a checkId or a glob such as 'gateway.*')"
    ids = list(catalog_ids)
    if any(can_match(selector, cid) for cid in ids):
        return None
    near = suggestion(selector, [cid for cid in ids if "<" not in cid])
    return "matches no check" + (f"; did you mean {near!r}?" if near else "")
