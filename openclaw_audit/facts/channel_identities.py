"""Allowlist entries: stringifying, sender normalisation and mutable-identity detectors.

Spec: checks-channels.md §1.4 (sender normaliser), §1.7 (detectors), §1.8 (scan paths).
A *mutable* identity is one the holder can change or another user can claim (display name,
username, e-mail, tag); a stable id is assigned by the platform.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from openclaw_audit import lazyre

STORE = "<pairing store>"  # scan-path marker for the pairing store entries

_DIGITS = lazyre.compile(r"^\d+$")
_DISCORD_MENTION = lazyre.compile(r"^<@!?(\d+)>$")
_SLACK_MENTION = lazyre.compile(r"^<@([A-Za-z0-9]+)>$")
_SLACK_TYPED_ID = lazyre.compile(r"^[UWBCGDT][A-Z0-9]{2,}$")
_SLACK_LONG_ID = lazyre.compile(r"^[A-Za-z0-9]{8,}$")
_MATTERMOST_ID = lazyre.compile(r"^[a-z0-9]{26}$")
_ZALO_NATIVE_GROUP = lazyre.compile(r"^g-\S+$", re.IGNORECASE)


def stringify(value: object) -> str:
    """A config list entry as text (numbers allowed), trimmed; "" for other types."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    return ""


def strip_prefix(text: str, prefixes: tuple[str, ...]) -> str:
    """Remove the first matching prefix (case-insensitive), once."""
    low = text.lower()
    for prefix in prefixes:
        if low.startswith(prefix):
            return text[len(prefix) :]
    return text


def normalize_sender(entry: str, prefixes: tuple[str, ...]) -> str:
    """Sender key for counting distinct DM senders (§1.4)."""
    return strip_prefix(entry.strip(), prefixes).strip().lower()


def _fixed(text: str) -> bool:
    return not text or text == "*"


def discord_mutable(entry: str) -> bool:
    text = entry.strip()
    if _fixed(text):
        return False
    if _DIGITS.match(text) or _DISCORD_MENTION.match(text):
        return False
    low = text.lower()
    for prefix in ("discord:", "user:", "pk:"):
        if low.startswith(prefix):
            return not text[len(prefix) :].strip()
    return True


def slack_mutable(entry: str) -> bool:
    text = entry.strip()
    if _fixed(text):
        return False
    mention = _SLACK_MENTION.match(text)
    if mention and len(mention.group(1)) >= 8:
        return False
    rest = strip_prefix(text, ("slack:", "user:")).strip()
    return not (_SLACK_TYPED_ID.match(rest) or _SLACK_LONG_ID.match(rest))


def googlechat_mutable(entry: str) -> bool:
    text = entry.strip()
    if _fixed(text):
        return False
    rest = strip_prefix(text, ("googlechat:", "google-chat:", "gchat:")).strip()
    if not rest:
        return False
    return "@" in strip_prefix(rest, ("users/",))


def msteams_mutable(entry: str) -> bool:
    text = entry.strip()
    if _fixed(text):
        return False
    rest = strip_prefix(text, ("msteams:", "user:")).strip()
    return "@" in rest or any(ch.isspace() for ch in rest)


def mattermost_mutable(entry: str) -> bool:
    text = entry.strip()
    if _fixed(text):
        return False
    rest = strip_prefix(text, ("mattermost:", "user:"))
    rest = rest.removeprefix("@").strip().lower()
    return not _MATTERMOST_ID.match(rest)


def irc_mutable(entry: str) -> bool:
    text = entry.strip().lower()
    if _fixed(text):
        return False
    rest = text.removeprefix("irc:").removeprefix("user:").strip()
    return "!" not in rest and "@" not in rest


def zalouser_group_mutable(key: str) -> bool:
    text = key.strip()
    if _fixed(text):
        return False
    rest = strip_prefix(text, ("zalouser:", "zlu:"))
    rest = strip_prefix(rest, ("group:",)).strip()
    if not rest:
        return False
    return not (_DIGITS.match(rest) or _ZALO_NATIVE_GROUP.match(rest))


Detector = Callable[[str], bool]

# Lists scanned per channel, relative to the account view; "*" walks every key of an object.
SCAN_PATHS: Mapping[str, tuple[Detector, tuple[tuple[str, ...], ...]]] = {
    "discord": (
        discord_mutable,
        (
            ("allowFrom",),
            ("dm", "allowFrom"),
            (STORE,),
            ("guilds", "*", "users"),
            ("guilds", "*", "channels", "*", "users"),
        ),
    ),
    "slack": (
        slack_mutable,
        (("allowFrom",), ("dm", "allowFrom"), (STORE,), ("channels", "*", "users")),
    ),
    "googlechat": (
        googlechat_mutable,
        (("groupAllowFrom",), ("dm", "allowFrom"), (STORE,), ("groups", "*", "users")),
    ),
    "msteams": (msteams_mutable, (("allowFrom",), ("groupAllowFrom",), (STORE,))),
    "mattermost": (mattermost_mutable, (("allowFrom",), ("groupAllowFrom",), (STORE,))),
    "irc": (
        irc_mutable,
        (("allowFrom",), ("groupAllowFrom",), (STORE,), ("groups", "*", "allowFrom")),
    ),
}


def walk_lists(view: Mapping[str, Any], path: tuple[str, ...]) -> Iterator[tuple[str, list[Any]]]:
    """Each list found at ``path`` (with ``*`` expanded) as (dotted relative path, list)."""

    def walk(node: Any, rest: tuple[str, ...], done: tuple[str, ...]) -> Iterator[Any]:
        if not rest:
            if isinstance(node, list):
                yield ".".join(done), node
            return
        if not isinstance(node, Mapping):
            return
        head, tail = rest[0], rest[1:]
        if head == "*":
            for key, child in node.items():
                yield from walk(child, tail, (*done, str(key)))
        elif head in node:
            yield from walk(node[head], tail, (*done, head))

    yield from walk(view, path, ())


def mutable_hits(
    channel: str,
    view: Mapping[str, Any],
    prefix: str,
    store_entries: list[str],
    store_label: str,
) -> list[str]:
    """``<source>:<entry>`` for every mutable entry, de-duplicated in first-seen order."""
    scan = SCAN_PATHS.get(channel)
    if scan is None:
        return []
    detector, paths = scan
    hits: dict[str, None] = {}
    for path in paths:
        if path == (STORE,):
            sources: list[tuple[str, list[Any]]] = [(store_label, list(store_entries))]
        else:
            sources = [(f"{prefix}.{rel}", values) for rel, values in walk_lists(view, path)]
        for source, values in sources:
            for value in values:
                text = stringify(value)
                if text and detector(text):
                    hits[f"{source}:{text}"] = None
    return list(hits)


def zalouser_group_hits(view: Mapping[str, Any], prefix: str) -> list[str]:
    groups = view.get("groups")
    if not isinstance(groups, Mapping):
        return []
    return [f"{prefix}.groups:{key}" for key in groups if zalouser_group_mutable(str(key))]


def preview(items: list[str], limit: int = 5) -> str:
    """First ``limit`` items, then `` (+N more)``."""
    shown = ", ".join(items[:limit])
    more = len(items) - limit
    return f"{shown} (+{more} more)" if more > 0 else shown
