"""Redacting quoted config text (the ``--fix --dry-run`` diff): values under secret-looking
keys, auth header values and ``env.vars`` secrets are masked whole; URL and DSN credentials
inside any string are masked even when the password holds ``#``, ``/``, ``?``, ``@`` or
spaces; a known secret inside any string literal is masked at token boundaries."""

from __future__ import annotations

import re
from collections.abc import Iterable

from openclaw_audit.redaction.mask import REDACTED
from openclaw_audit.redaction.net import SecretNet
from openclaw_audit.redaction.sources import is_secret_env_name, is_secret_key
from openclaw_audit.redaction.urls import redact_url_or_text

_STRING = r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'"
_BARE = r"[^\s,{}\[\]:\"']+"
_ITEM = re.compile(
    rf"(?P<key>{_STRING}|[A-Za-z_$][\w$-]*)(?P<sep>\s*:\s*)(?P<value>{_STRING}|{_BARE})"
    rf"|(?P<literal>{_STRING})"
)
# In a string literal the URL ends with the literal: userinfo runs to the last `@`.
_LITERAL_USERINFO = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://)(?P<info>[^@]*)@")


def _unquote(token: str) -> str:
    return token[1:-1] if token[:1] in "\"'" and len(token) >= 2 else token


def _masked(token: str) -> str:
    quote = token[:1] if token[:1] in "\"'" else ""
    return f"{quote}{REDACTED}{quote}"


def _secret_name(key: str) -> bool:
    name = _unquote(key)
    return is_secret_key(name) or is_secret_env_name(name)


def _literal(token: str, net: SecretNet) -> str:
    quote, inner = token[:1], token[1:-1]
    if inner.strip() and inner.strip() in net.values:
        return _masked(token)
    inner = _LITERAL_USERINFO.sub(lambda m: f"{m['head']}{REDACTED}@", inner)
    inner = redact_url_or_text(inner) or ""
    return f"{quote}{net(inner)}{quote}"


def redact_config_text(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` (JSON5 config lines, possibly a fragment) with every secret value masked."""
    net = SecretNet(secrets, min_len=4, mask=REDACTED)

    def one(match: re.Match[str]) -> str:
        literal = match["literal"]
        if literal is not None:
            return _literal(literal, net)
        key, sep, value = match["key"], match["sep"], match["value"]
        if _secret_name(key):
            return f"{key}{sep}{_masked(value)}"
        if value[:1] in "\"'":
            return f"{key}{sep}{_literal(value, net)}"
        return match[0]

    return _ITEM.sub(one, text)
