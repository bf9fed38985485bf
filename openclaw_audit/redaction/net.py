"""The free-text safety net (trust.md §1): masks known secrets in free text, only whole tokens,
in time linear in the text whatever the secrets are.

Token boundaries are made part of the alphabet: a boundary marker sits between two characters
unless both are word characters, and at both ends. A secret occurs at token boundaries exactly
when its marked form (markers at both ends) occurs in the marked text, so one Aho–Corasick
automaton over marked secrets finds every boundary-respecting occurrence, and the longest match
ending at each position is a table lookup: no backtracking, no per-secret loop.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

_MARK = ""  # no character of a text is the empty string


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _marked(text: str) -> Iterator[tuple[str, int]]:
    """The text's symbols with the text position of each (a marker's is the boundary's)."""
    n = len(text)
    prev_word = False
    for i, ch in enumerate(text):
        word = _is_word(ch)
        if i == 0 or not (prev_word and word):
            yield _MARK, i
        yield ch, i
        prev_word = word
    yield _MARK, n


def spellings(secret: str) -> set[str]:
    """The secret as plain text, inside a JSON string (with and without ``ensure_ascii``) and
    inside a Python repr, so an escaped copy in a message is caught as well."""
    return {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
    }


def _trie_pattern(words: Iterable[str]) -> str:
    """One regex for many short words, factored as a trie (``ab(?:c|d)``): Python's regex
    engine tries a flat alternation word by word at every position, which made scrubbing a
    report with 20,000 credentials take seconds."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:  # a shorter word ends here: the rest is optional
            return f"(?:{body})?"
        return body

    return build(trie)


class SecretNet:
    """Masks every boundary-respecting occurrence of a known secret at least ``min_len`` long.

    ``ops`` counts automaton steps of the last call, so tests can prove linearity without
    timing anything.
    """

    def __init__(self, secrets: Iterable[str | None] = (), *, min_len: int, mask: str) -> None:
        self.min_len = min_len
        self.mask = mask
        self.ops = 0
        self._secrets: set[str] = set()
        self._goto: list[dict[str, int]] = [{}]
        self._fail: list[int] = [0]
        self._best: list[int] = [0]  # longest pattern (in symbols) ending at this node
        self._prefilter: re.Pattern[str] | None = None
        self._built = False
        self._dirty = False
        self.add(secrets)

    @property
    def values(self) -> frozenset[str]:
        return frozenset(self._secrets)

    def add(self, secrets: Iterable[str | None]) -> None:
        new = {s for s in secrets if s and len(s) >= self.min_len} - self._secrets
        if new:
            self._secrets |= new
            self._dirty = True  # rebuilt on first use: secrets arrive in several batches

    def _build_prefilter(self) -> None:
        """A C-speed test that a text may hold a secret: the first ``min_len`` characters of
        every spelling, as one trie-factored regex (a flat alternation of thousands of words
        is tried word by word). Most texts hold none, and skip the automaton entirely."""
        heads = {f[: self.min_len] for s in self._secrets for f in spellings(s)}
        self._prefilter = re.compile(_trie_pattern(heads)) if heads else None
        self._dirty = False
        self._built = False

    def _build(self) -> None:
        goto: list[dict[str, int]] = [{}]
        depth = [0]
        terminal = [False]
        for secret in self._secrets:
            for form in spellings(secret):
                node = 0
                for sym, _ in _marked(form):
                    nxt = goto[node].get(sym)
                    if nxt is None:
                        nxt = len(goto)
                        goto[node][sym] = nxt
                        goto.append({})
                        depth.append(depth[node] + 1)
                        terminal.append(False)
                    node = nxt
                terminal[node] = True
        fail = [0] * len(goto)
        best = [0] * len(goto)
        queue: deque[int] = deque(goto[0].values())
        while queue:
            node = queue.popleft()
            best[node] = depth[node] if terminal[node] else best[fail[node]]
            for sym, child in goto[node].items():
                f = fail[node]
                while f and sym not in goto[f]:
                    f = fail[f]
                target = goto[f].get(sym, 0)
                fail[child] = target if target != child else 0
                queue.append(child)
        self._goto, self._fail, self._best = goto, fail, best
        self._built = True

    def __call__(self, text: str) -> str:
        if self._dirty:
            self._build_prefilter()
        self.ops = 0
        if self._prefilter is None or self._prefilter.search(text) is None:
            return text
        if not self._built:
            self._build()  # only once some text may really hold a secret
        goto, fail, best = self._goto, self._fail, self._best
        starts: list[int] = []  # text position of every marked symbol seen so far
        spans: list[list[int]] = []  # masked [start, end) ranges, merged as they come
        node = ops = 0
        for sym, pos in _marked(text):
            starts.append(pos)
            while node and sym not in goto[node]:
                node = fail[node]
                ops += 1
            node = goto[node].get(sym, 0)
            ops += 1
            length = best[node]
            if length:
                start, end = starts[len(starts) - length], pos
                while spans and spans[-1][1] >= start:
                    start = min(start, spans.pop()[0])
                    ops += 1
                spans.append([start, end])
        self.ops = ops
        if not spans:
            return text
        out: list[str] = []
        last = 0
        for start, end in spans:
            out.append(text[last:start])
            out.append(self.mask)
            last = end
        out.append(text[last:])
        return "".join(out)
