"""The one mask, and how a secret is described when the user must know which one is meant."""

from __future__ import annotations

REDACTED = "<redacted>"
# Below this a secret is described only by its length: a few characters say too much.
_HINT_MIN_LEN = 24


def describe_secret(value: str) -> str:
    """``"5 characters"`` for a short secret, ``"abc…(48 chars)"`` for a long one: enough to
    tell which value is meant, never enough to use it."""
    n = len(value)
    if n < _HINT_MIN_LEN:
        return f"{n} character{'s' if n != 1 else ''}"
    return f"{value[:3]}…({n} chars)"
