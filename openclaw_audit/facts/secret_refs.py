"""SecretRefs and credential inputs as OpenClaw reads them (spec: config-model.md §5).

A config value may be a plaintext secret, a SecretRef object (``{source, provider?, id}``) or
an env shorthand (``${NAME}``, ``$NAME``, legacy ``secretref-env:NAME``). Auth decisions use
only plaintext; "configured" tests accept a SecretRef too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openclaw_audit import lazyre
from openclaw_audit.engine.context import AuditContext

_REF_SOURCES = frozenset({"env", "file", "exec"})
_REF_KEYS = frozenset({"source", "provider", "id"})
_ENV_NAME = r"[A-Z][A-Z0-9_]{0,127}"
_ENV_SHORTHAND = lazyre.compile(rf"^\$\{{({_ENV_NAME})\}}$|^\$({_ENV_NAME})$")
_LEGACY_MARKERS = ("secretref-env:", "__env__:")
_ENV_ID = re.compile(rf"^{_ENV_NAME}$")


@dataclass(frozen=True, slots=True)
class SecretRef:
    source: str  # env | file | exec
    provider: str | None  # None: the default provider for the source
    id: str


def as_secret_ref(value: Any) -> SecretRef | None:
    """The SecretRef a config value denotes (object or string shorthand), else None."""
    if isinstance(value, Mapping):
        if not set(value) <= _REF_KEYS:
            return None
        source, ref_id, provider = value.get("source"), value.get("id"), value.get("provider")
        if source not in _REF_SOURCES or not isinstance(ref_id, str) or not ref_id.strip():
            return None
        if provider is not None and not (isinstance(provider, str) and provider.strip()):
            return None
        return SecretRef(source=source, provider=provider, id=ref_id)
    if isinstance(value, str):
        text = value.strip()
        m = _ENV_SHORTHAND.match(text)
        if m:
            return SecretRef(source="env", provider=None, id=m.group(1) or m.group(2))
        for marker in _LEGACY_MARKERS:
            if text.startswith(marker):
                name = text[len(marker) :].strip()
                if _ENV_ID.match(name):
                    return SecretRef(source="env", provider=None, id=name)
    return None


def is_secret_ref(value: Any) -> bool:
    return as_secret_ref(value) is not None


def is_configured_secret_input(value: Any) -> bool:
    """A non-blank string or anything coercible to a SecretRef."""
    return (isinstance(value, str) and bool(value.strip())) or is_secret_ref(value)


def plain_secret(value: Any) -> str | None:
    """A usable plaintext credential: a non-blank string that is not a SecretRef (trimmed)."""
    if isinstance(value, str) and value.strip() and not is_secret_ref(value):
        return value.strip()
    return None


def looks_like_env_reference(value: str) -> bool:
    """``${NAME}`` or ``$NAME`` text left in the file (not a plaintext secret)."""
    text = value.strip()
    return bool(re.fullmatch(r"\$\{[^{}]+\}|\$[A-Za-z_][A-Za-z0-9_]*", text))


def env_value(ctx: AuditContext, name: str) -> str | None:
    """An environment variable, trimmed; None when unset or blank."""
    raw = ctx.env.get(name)
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    return None
