"""Credentials inside URLs, DSNs and error strings (deep-probes.md §1, trust.md §1)."""

from __future__ import annotations

import re

from openclaw_audit.redaction.mask import REDACTED

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

# `scheme://userinfo@`: the userinfo runs to the last `@` before whitespace or a quote, so a
# password holding `/`, `?`, `#` or `@` (written unencoded, as people do in DSNs) is covered.
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*:)?//(?P<info>[^\s\"'<>]{0,256})@")
# `?k=v` / `&k=v`; the value runs to the next separator or whitespace.
_QUERY_PARAM = re.compile(r"([?&])([^=&#\s]+)=([^&#\s]*)")
# libpq-style key=value DSNs: `password=... ` or `password='with spaces'`.
_DSN_PASSWORD = re.compile(
    r"(?i)(?<![?&\w])(password|passwd|pwd)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s;]+)"
)


def is_sensitive_param(name: str) -> bool:
    low = name.lower()
    return any(part in low for part in SENSITIVE_NAME_PARTS)


def userinfo_secrets(text: str) -> list[str]:
    """The user and password of every ``scheme://user:pass@`` in ``text``, and libpq DSN
    passwords: the values that count as secrets wherever the text comes from."""
    out: list[str] = []
    for match in _USERINFO.finditer(text):
        user, _sep, password = match.group("info").partition(":")
        # A lone user is often a token (`https://TOKEN@host`); beside a password it is a name.
        if password or user:
            out.append(password or user)
    for match in _DSN_PASSWORD.finditer(text):
        out.append(match.group(2).strip("'"))
    for match in _QUERY_PARAM.finditer(text):
        if match.group(3) and is_sensitive_param(match.group(2)):
            out.append(match.group(3))
    return out


def _mask_userinfo(match: re.Match[str]) -> str:
    info = match.group("info")
    scheme = match.group("scheme") or ""
    if not info:
        return match.group(0)
    user, sep, _password = info.partition(":")
    masked_user = REDACTED if user else ""
    return f"{scheme}//{masked_user}{':' + REDACTED if sep else ''}@"


def _mask_param(match: re.Match[str]) -> str:
    sep, name, value = match.groups()
    if value and is_sensitive_param(name):
        return f"{sep}{name}={REDACTED}"
    return match.group(0)


def _mask_dsn(match: re.Match[str]) -> str:
    return f"{match.group(1)}={REDACTED}"


def redact_url_or_text(value: str | None) -> str | None:
    """Mask userinfo, secret-looking query values and DSN passwords in a URL or in free text
    containing URLs. Strings without such parts come back unchanged
    (``ws://127.0.0.1:18789`` stays as is)."""
    if value is None:
        return None
    text = _USERINFO.sub(_mask_userinfo, value)
    text = _DSN_PASSWORD.sub(_mask_dsn, text)
    return _QUERY_PARAM.sub(_mask_param, text)
