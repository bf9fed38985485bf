"""DM policy resolution per account (spec: checks-channels.md §1.4)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openclaw_audit.facts.channel_accounts import Account
from openclaw_audit.facts.channel_identities import normalize_sender, stringify


@dataclass(frozen=True, slots=True)
class DmPolicy:
    policy: str
    policy_path: str  # dotted, for details
    policy_key: tuple[str, ...]  # relative to the account, for locations
    allow_from: list[str]  # config entries, stringified and trimmed, blanks dropped
    allow_from_path: str
    has_wildcard: bool
    allow_count: int

    @property
    def multi_user(self) -> bool:
        return self.has_wildcard or self.allow_count > 1


def _entries(values: list[Any]) -> list[str]:
    return [s for s in (stringify(v) for v in values) if s]


def resolve_dm_policy(acct: Account, store_entries: list[str]) -> DmPolicy:
    view = acct.view
    legacy = acct.channel.legacy_dm
    dm = view.get("dm") if legacy else None
    dm = dm if isinstance(dm, Mapping) else {}

    policy_key: tuple[str, ...] = ("dmPolicy",)
    if isinstance(view.get("dmPolicy"), str):
        policy = view["dmPolicy"]
    elif isinstance(dm.get("policy"), str):
        policy, policy_key = dm["policy"], ("dm", "policy")
    elif dm.get("enabled") is False:
        # Legacy switch: DMs off when no policy is written (Open question, §4).
        policy, policy_key = "disabled", ("dm", "enabled")
    else:
        policy = "pairing"

    allow_key: tuple[str, ...] = ("allowFrom",)
    if isinstance(view.get("allowFrom"), list):
        raw = view["allowFrom"]
    elif isinstance(dm.get("allowFrom"), list):
        raw, allow_key = dm["allowFrom"], ("dm", "allowFrom")
    else:
        raw = []
    allow_from = _entries(raw)

    prefixes = acct.channel.entry_prefixes
    senders = {
        normalize_sender(e, prefixes) for e in [*allow_from, *store_entries] if e.strip() != "*"
    }
    senders.discard("")
    return DmPolicy(
        policy=policy,
        policy_path=acct.path(*policy_key),
        policy_key=policy_key,
        allow_from=allow_from,
        allow_from_path=acct.path(*allow_key),
        has_wildcard="*" in allow_from,
        allow_count=len(senders),
    )
