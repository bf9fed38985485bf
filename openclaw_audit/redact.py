"""Redaction of URLs and error strings before they reach a report (deep-probes.md §1).

Pure and dependency-free so every layer can use it: probes, renderers, logs.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

MASK = "***"

# Query parameter names whose value is a secret when their lower-cased name contains one of these.
_SENSITIVE_PARTS = (
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
    return any(part in low for part in _SENSITIVE_PARTS)


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


def is_loopback_host(host: str | None) -> bool:
    """``localhost``, any 127.0.0.0/8 address or ``::1`` (brackets stripped)."""
    if not host:
        return False
    h = host.strip().strip("[]").lower()
    if h == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def is_private_ip_host(host: str | None) -> bool:
    """A private, link-local, CGNAT or unique-local IP literal (not a DNS name)."""
    if not host:
        return False
    h = host.strip().strip("[]")
    try:
        ip = ipaddress.ip_address(h)
    except ValueError:
        return False
    if ip.is_loopback:
        return True
    if ip.is_private or ip.is_link_local:
        return True
    return ip.version == 4 and ip in ipaddress.ip_network("100.64.0.0/10")
