"""Redaction: the one place that decides what of a secret may reach output.

Two tools live here. A :class:`Scrubber` knows every secret value the audit has seen (config
credentials, resolved SecretRefs, ``--token``/``--password``, gateway env vars) and replaces
them with ``<redacted>`` in everything the tool writes; checks already avoid printing values,
this catches what slips through. The URL/text redactors below mask credentials inside URLs and
error strings before they enter a report (deep-probes.md §1).

Imports nothing of ours, so every layer (config, probes, renderers, the face) can use it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "<redacted>"
MIN_SECRET_LEN = 4  # shorter values would mangle ordinary words; no check prints them anyway

_SECRET_KEY = re.compile(
    r"(token|password|passwd|secret|apikey|api_key|privatekey|private_key|credential|"
    r"signingsecret|webhooksecret|accesskey|clientsecret|cookie|bearer|^key$)",
    re.IGNORECASE,
)
_SECRET_ENV = re.compile(r"(TOKEN|PASSWORD|PASSWD|SECRET|API_KEY|APIKEY|PRIVATE_KEY|CREDENTIAL)")
# Keys whose values name things rather than hold secrets (e.g. tokenFile is a path).
_NOT_SECRET_KEY = re.compile(r"(file|path|dir|mode|policy|enabled|length|header|env|ttl)$", re.I)


def collect_secret_values(config: Any, env: Mapping[str, str]) -> set[str]:
    """Plain strings stored under secret-looking keys anywhere in the config, plus env values
    of secret-looking variables."""
    found: set[str] = set()
    stack: list[tuple[str, Any]] = [("", config)]
    while stack:
        key, node = stack.pop()
        if isinstance(node, Mapping):
            stack.extend((str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((key, v) for v in node)
        elif (
            isinstance(node, str)
            and key
            and _SECRET_KEY.search(key)
            and not _NOT_SECRET_KEY.search(key)
        ):
            value = node.strip()
            if len(value) >= MIN_SECRET_LEN and not value.startswith(("${", "$")):
                found.add(value)
    for name, value in env.items():
        if _SECRET_ENV.search(name) and len(value.strip()) >= MIN_SECRET_LEN:
            found.add(value.strip())
    return found


def _spellings(secret: str) -> set[str]:
    """The secret as it appears in plain text, inside a JSON string (with and without
    ``ensure_ascii``) and inside a Python repr, so an escaped copy is caught as well."""
    forms = {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
    }
    return {f for f in forms if len(f) >= MIN_SECRET_LEN}


# The search pattern holds only each spelling's first few characters; full spellings are
# compared with startswith. A regex of whole secrets costs seconds to compile for one
# multi-megabyte value or ten thousand short ones.
_PREFIX_LEN = 8


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


class Scrubber:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._forms: set[str] = set()
        self._compiled: re.Pattern[str] | None = None
        self._by_prefix: dict[str, list[str]] = {}
        self._prefix_lens: tuple[int, ...] = ()
        self._dirty = False
        self.add(secrets)

    def add(self, secrets: Iterable[str | None]) -> None:
        new = {s for s in secrets if s and len(s) >= MIN_SECRET_LEN} - self._secrets
        if new:
            self._secrets |= new
            for s in new:
                self._forms |= _spellings(s)
            # Built on first use: secrets arrive in several batches, and rebuilding the
            # pattern on every batch would be quadratic.
            self._dirty = True

    @property
    def _pattern(self) -> re.Pattern[str] | None:
        if self._dirty:
            by_prefix: dict[str, list[str]] = {}
            for form in self._forms:
                by_prefix.setdefault(form[:_PREFIX_LEN], []).append(form)
            for forms in by_prefix.values():
                forms.sort(key=len, reverse=True)
            self._by_prefix = by_prefix
            self._prefix_lens = tuple(sorted({len(p) for p in by_prefix}, reverse=True))
            self._compiled = re.compile(_trie_pattern(by_prefix))
            self._dirty = False
        return self._compiled

    @property
    def values(self) -> frozenset[str]:
        return frozenset(self._secrets)

    def __call__(self, text: str) -> str:
        pattern = self._pattern
        if pattern is None or not text:
            return text
        out: list[str] = []
        pos = 0
        search = pattern.search
        while (m := search(text, pos)) is not None:
            start = m.start()
            hit = self._longest_at(text, start)
            if hit:
                out.append(text[pos:start])
                out.append(REDACTED)
                pos = start + hit
            else:  # a prefix without its secret: keep the character and look further
                out.append(text[pos : start + 1])
                pos = start + 1
        out.append(text[pos:])
        return "".join(out)

    def _longest_at(self, text: str, start: int) -> int:
        """Length of the longest known spelling that occurs at ``start`` (0: none)."""
        best = 0
        for n in self._prefix_lens:
            for form in self._by_prefix.get(text[start : start + n], ()):
                if len(form) > best and text.startswith(form, start):
                    best = len(form)
                    break  # sorted longest first
        return best

    def scrub_obj(self, value: Any) -> Any:
        """Scrub every string in a JSON-like structure (keys included)."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self(value)
        if isinstance(value, Mapping):
            return {self(str(k)): self.scrub_obj(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.scrub_obj(v) for v in value]
        return value


# --- URLs and error strings (deep-probes.md §1) ---

MASK = "***"

# Names (URL query parameters, mDNS TXT keys) whose value is a secret when they contain one of
# these; the mDNS judge matches them case-insensitively with a regex built from this tuple.
SENSITIVE_NAME_PARTS = (
    "token",
    "secret",
    "password",
    "passwd",
    "key",
    "auth",
    "credential",
    "signature",
)

# `//user:pass@` or `//user@` right after a scheme or at the start of an authority.
_USERINFO = re.compile(r"//([^/?#@\s]*)@")
# `?k=v` / `&k=v`; the value runs to the next separator or whitespace.
_QUERY_PARAM = re.compile(r"([?&])([^=&#\s]+)=([^&#\s]*)")


def is_sensitive_param(name: str) -> bool:
    low = name.lower()
    return any(part in low for part in SENSITIVE_NAME_PARTS)


def _mask_userinfo(match: re.Match[str]) -> str:
    info = match.group(1)
    if not info:
        return match.group(0)
    user, sep, _password = info.partition(":")
    masked_user = MASK if user else ""
    return f"//{masked_user}{':' + MASK if sep else ''}@"


def _mask_param(match: re.Match[str]) -> str:
    sep, name, value = match.groups()
    if value and is_sensitive_param(name):
        return f"{sep}{name}={MASK}"
    return match.group(0)


def redact_url_or_text(value: str | None) -> str | None:
    """Mask userinfo and secret-looking query values in a URL or in free text containing URLs.

    Strings without such parts come back unchanged (``ws://127.0.0.1:18789`` stays as is).
    """
    if value is None:
        return None
    text = _USERINFO.sub(_mask_userinfo, value)
    return _QUERY_PARAM.sub(_mask_param, text)


def scrub_secrets(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every literal occurrence of a known secret (longest first) with ``***``."""
    for secret in sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def safe_text(value: str | None, secrets: Iterable[str | None] = ()) -> str | None:
    """Both rewrites: URL redaction, then known secret values."""
    if value is None:
        return None
    return scrub_secrets(redact_url_or_text(value) or "", secrets)
