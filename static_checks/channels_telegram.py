"""Telegram group sender rows (checks-channels.md §3.5).

Row functions share one signature, ``(ctx, stores, acct) -> findings``, and are run per
account by the channel collector in ``channels`` (checks-channels.md §2 order).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import define
from openclaw_audit.facts.channel_accounts import Account
from openclaw_audit.facts.channel_identities import preview, stringify, strip_prefix
from openclaw_audit.facts.pairing_store import PairingStores
from openclaw_audit.report.model import Finding, Severity
from openclaw_audit.static_checks.channels_commands import group_policy, native_enabled

TELEGRAM_INVALID = define(
    "channels.telegram.allowFrom.invalid_entries",
    Severity.WARN,
    "Telegram allowlist has non-numeric entries",
    remediation="Replace `@username` entries with numeric Telegram user ids (the setup flow "
    "can look them up), then rerun the audit.",
    group="channels",
    docs="""
## What
With group access possible, an entry in the pairing store, `groupAllowFrom`, `allowFrom`
or a group/topic `allowFrom` is not a numeric Telegram id (after removing a `telegram:` /
`tg:` prefix).

## Why
Telegram authorization matches numeric ids only; other entries never match and give a
false sense of who is allowed.

## Fix
Use numeric user ids.
""",
)

TELEGRAM_WILDCARD = define(
    "channels.telegram.groups.allowFrom.wildcard",
    Severity.CRITICAL,
    "Telegram group senders are not restricted",
    remediation='Remove "*" from `channels.telegram.groupAllowFrom` and from the pairing '
    "store, and list numeric user ids.",
    group="channels",
    docs="""
## What
`"*"` is in the Telegram pairing store or in `groupAllowFrom` while group access is
possible (`groupPolicy` open, or allowlist with groups configured).

## Why
Every member of an allowed group can run `/…` commands and control directives.

## Fix
List numeric ids instead of `"*"`.
""",
)

TELEGRAM_MISSING = define(
    "channels.telegram.groups.allowFrom.missing",
    Severity.CRITICAL,
    "Telegram group commands have no sender allowlist",
    remediation="Approve yourself through pairing, or set `channels.telegram.groupAllowFrom` "
    "(or `groups.<id>.allowFrom`).",
    group="channels",
    docs="""
## What
Group access is possible and text commands are on, but the pairing store, `groupAllowFrom`
and every group/topic `allowFrom` are empty.

## Why
Any group member can invoke `/…` commands (and skill commands when native skills are on).

## Fix
Pair, or set a group sender allowlist.
""",
)


def _telegram_entry(value: object) -> str:
    text = stringify(value)
    return strip_prefix(text, ("telegram:", "tg:")).strip()


def _is_numeric_id(text: str) -> bool:
    body = text[1:] if text.startswith("-") else text
    return body.isascii() and body.isdigit()


@dataclass(frozen=True, slots=True)
class _GroupSenders:
    """The sender lists the Telegram rows judge, once group access is possible (§3.5)."""

    store: list[str]
    group_allow: list[Any]
    lists: list[list[Any]]
    any_group_list: bool


def _dict(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _group_senders(ctx: AuditContext, stores: PairingStores, acct: Account) -> _GroupSenders | None:
    if ctx.config.is_false("commands.text"):
        return None
    policy = group_policy(ctx, acct)
    groups = _dict(acct.view.get("groups"))
    if not (policy == "open" or (policy == "allowlist" and groups)):
        return None
    store = stores.entries("telegram", acct.id)
    group_allow = _list(acct.view.get("groupAllowFrom"))
    lists: list[list[Any]] = [store, group_allow, _list(acct.view.get("allowFrom"))]
    any_group_list = False
    for group in groups.values():
        g = _dict(group)
        allow = _list(g.get("allowFrom"))
        any_group_list = any_group_list or bool(allow)
        lists.append(allow)
        for topic in _dict(g.get("topics")).values():
            topic_allow = _list(_dict(topic).get("allowFrom"))
            any_group_list = any_group_list or bool(topic_allow)
            lists.append(topic_allow)
    return _GroupSenders(store, group_allow, lists, any_group_list)


def _has_wildcard(senders: _GroupSenders) -> bool:
    return any(stringify(v) == "*" for v in [*senders.store, *senders.group_allow])


def telegram_invalid_entries(
    ctx: AuditContext, stores: PairingStores, acct: Account
) -> Iterator[Finding]:
    senders = _group_senders(ctx, stores, acct)
    if senders is None:
        return
    invalid: dict[str, None] = {}
    for values in senders.lists:
        for value in values:
            entry = _telegram_entry(value)
            if entry and entry != "*" and not _is_numeric_id(entry):
                invalid[entry] = None
    if invalid:
        yield TELEGRAM_INVALID.finding(
            "Telegram authorizes senders by numeric user id only; these entries "
            f"never match: {preview(list(invalid))}.",
            subject=acct.prefix,
            location=ctx.config.location(acct.key_parts("allowFrom")),
        )


def telegram_groups_wildcard(
    ctx: AuditContext, stores: PairingStores, acct: Account
) -> Iterator[Finding]:
    senders = _group_senders(ctx, stores, acct)
    if senders is not None and _has_wildcard(senders):
        yield TELEGRAM_WILDCARD.finding(
            f"The group sender allowlist for {acct.prefix} (groupAllowFrom or the pairing store) "
            'contains "*", so any group member can run /… commands and control directives.',
            subject=acct.prefix,
            location=ctx.config.location(acct.key_parts("groupAllowFrom")),
        )


def telegram_groups_missing(
    ctx: AuditContext, stores: PairingStores, acct: Account
) -> Iterator[Finding]:
    senders = _group_senders(ctx, stores, acct)
    if senders is None or _has_wildcard(senders):
        return  # a wildcard is reported instead; "missing" is then not judged (§3.5)
    if not (senders.store or senders.group_allow or senders.any_group_list):
        skills = " (skill commands included)" if native_enabled(ctx, acct, "nativeSkills") else ""
        yield TELEGRAM_MISSING.finding(
            f"Group access is possible for {acct.prefix} but no group sender allowlist is set, "
            f"so any group member can invoke /… commands{skills}.",
            subject=acct.prefix,
            location=ctx.config.location(acct.key_parts("groupAllowFrom")),
        )
