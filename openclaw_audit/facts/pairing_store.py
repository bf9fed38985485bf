"""Approved DM senders from the pairing store (spec: checks-channels.md §1.5).

Files live in the credentials dir: ``<ch>-allowFrom.json`` for the default account and
``<ch>-<accountId>-allowFrom.json`` for the others. Anything missing, oversized, unreadable
or malformed reads as an empty list: the store never causes a finding or an error by itself.
"""

from __future__ import annotations

import json
import os

from openclaw_audit import lazyre
from openclaw_audit.engine.context import AuditContext
from openclaw_audit.facts.channel_accounts import DEFAULT_ACCOUNT_ID
from openclaw_audit.facts.channel_identities import stringify
from openclaw_audit.state.view import StateView

# Stores are small JSON files; anything bigger is not a store we should trust or parse.
MAX_STORE_BYTES = 1 << 20

_UNSAFE = lazyre.compile(r'\.\.|[\\/:*?"<>|]')


def _safe(part: str) -> str:
    return _UNSAFE.sub("_", part.lower())


def store_filename(channel: str, account_id: str) -> str:
    if account_id.lower() == DEFAULT_ACCOUNT_ID:
        return f"{_safe(channel)}-allowFrom.json"
    return f"{_safe(channel)}-{_safe(account_id)}-allowFrom.json"


def parse_store(text: str | None) -> list[str]:
    """``allowFrom`` entries of a store document: stringified, trimmed, unique, in order."""
    if text is None:
        return []
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return []
    if not isinstance(doc, dict):
        return []
    raw = doc.get("allowFrom")
    if not isinstance(raw, list):
        return []
    out: dict[str, None] = {}
    for item in raw:
        s = stringify(item)
        if s:
            out[s] = None
    return list(out)


def store_path(creds_dir: str, channel: str, account_id: str) -> str:
    return os.path.join(creds_dir, store_filename(channel, account_id))


def read_store(state: StateView, creds_dir: str, channel: str, account_id: str) -> list[str]:
    """The approved senders of one store; [] on any problem (missing, oversized, malformed)."""
    return parse_store(state.read_text(store_path(creds_dir, channel, account_id), MAX_STORE_BYTES))


class PairingStores:
    """Reads each store file at most once per audit run."""

    def __init__(self, ctx: AuditContext) -> None:
        self._ctx = ctx
        self._cache: dict[tuple[str, str], list[str]] = {}

    def path(self, channel: str, account_id: str) -> str:
        return store_path(self._ctx.paths.creds_dir, channel, account_id)

    def display_path(self, channel: str, account_id: str) -> str:
        """The store path with the home directory shortened to ``~``."""
        path = self.path(channel, account_id)
        home = self._ctx.paths.home.rstrip(os.sep)
        if home and (path == home or path.startswith(home + os.sep)):
            return "~" + path[len(home) :]
        return path

    def entries(self, channel: str, account_id: str) -> list[str]:
        key = (channel, account_id)
        cached = self._cache.get(key)
        if cached is None:
            cached = read_store(self._ctx.state, self._ctx.paths.creds_dir, channel, account_id)
            self._cache[key] = cached
        return cached
