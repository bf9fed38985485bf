"""Redaction: the one place that decides what of a secret may reach output (trust.md §1).

- :mod:`.sources` says what a secret is (config paths, URL/DSN/header credentials, OpenClaw's
  own variables), never every value of the process environment.
- Values are redacted where they are interpolated: checks describe a secret with
  :func:`describe_secret` (never quote it), URLs go through :func:`redact_url_or_text`, peer
  text through :func:`safe_text`, config lines of a diff through :func:`redact_config_text`.
- :class:`Scrubber` is the free-text safety net, applied to free text only (details, messages,
  diff lines, errors), never to checkIds, severities, keys or the output's structure: it masks
  secrets of at least 8 characters at token boundaries, in linear time.

Imports nothing of ours, so every layer (config, probes, renderers, the face) can use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from openclaw_audit.redaction.config_text import redact_config_text
from openclaw_audit.redaction.mask import REDACTED, describe_secret
from openclaw_audit.redaction.net import SecretNet
from openclaw_audit.redaction.sources import (
    collect_secret_values,
    is_secret_env_name,
    is_secret_key,
)
from openclaw_audit.redaction.urls import (
    SENSITIVE_NAME_PARTS,
    is_sensitive_param,
    redact_url_or_text,
    userinfo_secrets,
)

__all__ = [
    "MIN_NET_LEN",
    "MIN_QUOTED_LEN",
    "REDACTED",
    "SENSITIVE_NAME_PARTS",
    "Scrubber",
    "collect_secret_values",
    "describe_secret",
    "is_secret_env_name",
    "is_secret_key",
    "is_sensitive_param",
    "redact_config_text",
    "redact_url_or_text",
    "safe_text",
    "scrub_secrets",
    "userinfo_secrets",
]

# The safety net leaves shorter secrets alone: `warn`, `short` or `true` are words of the
# report itself, and a short secret is never quoted in the first place.
MIN_NET_LEN = 8
# Word-like values (`disabled`, `openclaw`, `hooks.internal`) are words of the report's own
# wording too; they are never quoted, so the net leaves them alone rather than mangle details.
# Separators may also lead or trail (`gateway.` is the head of `gateway.bind`).
_WORDLIKE = re.compile(r"[._:/-]*[A-Za-z]+(?:[._:/-]+[A-Za-z]+)*[._:/-]*")
_WORDLIKE_MAX_LEN = 24
# Text quoted from a peer or a config line may echo a credential verbatim: there, known
# secrets from this length on are masked (at token boundaries).
MIN_QUOTED_LEN = 4


class Scrubber(SecretNet):
    """The run's free-text safety net: every secret the run has seen, masked in free text."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__(secrets, min_len=MIN_NET_LEN, mask=REDACTED)

    def add(self, secrets: Iterable[str | None]) -> None:
        super().add(s for s in secrets if s and not _is_wordlike(s))


def _is_wordlike(secret: str) -> bool:
    return len(secret) < _WORDLIKE_MAX_LEN and _WORDLIKE.fullmatch(secret) is not None


def scrub_secrets(text: str, secrets: Iterable[str | None]) -> str:
    """Mask known secrets of at least 4 characters at token boundaries in quoted text."""
    return SecretNet(secrets, min_len=MIN_QUOTED_LEN, mask=REDACTED)(text)


def safe_text(value: str | None, secrets: Iterable[str | None] = ()) -> str | None:
    """Text quoted from a peer or an exception: URL credentials, then known secret values."""
    if value is None:
        return None
    return scrub_secrets(redact_url_or_text(value) or "", secrets)
