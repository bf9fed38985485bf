"""Channel rows for mutable identities in allowlists (checks-channels.md §3.2).

Row functions share one signature, ``(ctx, stores, acct) -> findings``, and are run per
account by the channel collector in ``channels`` (checks-channels.md §2 order).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import CheckMeta, define
from openclaw_audit.facts.channel_accounts import Account
from openclaw_audit.facts.channel_identities import mutable_hits, preview, zalouser_group_hits
from openclaw_audit.facts.pairing_store import PairingStores
from openclaw_audit.report.model import Finding, Severity
from openclaw_audit.static_checks.channels_account import name_matching_on

_NAME_BASED_DOCS = """
## What
An allowlist of this {label} account (config lists{store}) contains entries that name a
mutable identity (display name, username, e-mail address or tag) rather than a stable
platform id. Severity is info instead of warn when `dangerouslyAllowNameMatching` is on for
the account.

## Why
Names can be changed or collide across users. With name matching off the gateway ignores
such entries for authorization, so they are inert but misleading; with it on, anyone who
takes the name is let in.

## Fix
{fix}

Decision: openclaw-audit applies this detector in the audit for every listed channel (upstream
does so only for Discord; the others feed `openclaw doctor`).
"""

_NAME_BASED_FIX: Mapping[str, tuple[str, str]] = {
    "discord": (
        "Discord",
        "Use numeric user ids, `<@id>`, `user:<id>` or `pk:<id>`.",
    ),
    "slack": ("Slack", "Use Slack member ids (`U…`/`W…`) or `<@U…>` mentions."),
    "googlechat": ("Google Chat", "Use `users/<numeric id>` instead of e-mail addresses."),
    "msteams": (
        "Microsoft Teams",
        "Use Entra ID (AAD) object ids instead of display names or UPNs.",
    ),
    "mattermost": ("Mattermost", "Use the 26-character Mattermost user ids."),
    "irc": (
        "IRC",
        "Use `nick!user@host` masks, ideally with hosts verified by network services.",
    ),
}

NAME_BASED: dict[str, CheckMeta] = {
    ch: define(
        f"channels.{ch}.allowFrom.name_based_entries",
        Severity.WARN,
        f"{label} allowlist names mutable identities",
        precision="medium",  # a heuristic: it infers from names or patterns
        remediation=f"{fix} If name matching is really wanted, opt in explicitly with "
        "`dangerouslyAllowNameMatching: true`.",
        group="channels",
        escalates=True,
        docs=_NAME_BASED_DOCS.format(label=label, store=" and the pairing store", fix=fix),
    )
    for ch, (label, fix) in _NAME_BASED_FIX.items()
}

ZALOUSER_GROUPS = define(
    "channels.zalouser.groups.mutable_entries",
    Severity.WARN,
    "Zalo Personal group routing uses group names",
    precision="medium",  # a heuristic: it infers from names or patterns
    remediation="Key `groups` by stable group ids (`group:<id>` or native `g-…` ids), or opt "
    "in explicitly with `dangerouslyAllowNameMatching: true`.",
    group="channels",
    escalates=True,
    docs="""
## What
A key of the account's `groups` object is a group name or slug rather than a numeric id or
a native `g-…` id. Info instead of warn when `dangerouslyAllowNameMatching` is on.

## Why
Group authorization uses ids by default, so name keys are ignored and can drift from the
group you meant to trust; with name matching on, a renamed group can take its place.

## Fix
Use stable group ids.
""",
)


def _name_based(
    ctx: AuditContext,
    meta: CheckMeta,
    acct: Account,
    hits: list[str],
    label: str,
    on: bool,
    fix: str,
) -> Finding:
    location = ctx.config.location(acct.key_parts("allowFrom"))
    found = f"Found: {preview(hits)}."
    if on:
        detail = (
            f"Name matching is switched on for {acct.prefix} (dangerouslyAllowNameMatching), a "
            "break-glass mode explicitly selected by the operator: these mutable entries do "
            f"authorize senders. {found}"
        )
        remediation = f"{fix} Then set dangerouslyAllowNameMatching back to false."
    else:
        detail = (
            f"{label} entries that name users by display name, username, e-mail or tag can "
            "change or collide across users. With name matching off they are ignored for "
            f"authorization (inert, but misleading). {found}"
        )
        remediation = meta.remediation
    return meta.finding(
        detail,
        severity=Severity.INFO if on else Severity.WARN,
        remediation=remediation,
        subject=acct.prefix,
        location=location,
    )


def name_based_entries(
    ctx: AuditContext, stores: PairingStores, acct: Account
) -> Iterator[Finding]:
    """``channels.<ch>.allowFrom.name_based_entries`` for the channels that have a detector."""
    ch = acct.channel.id
    meta = NAME_BASED.get(ch)
    if meta is None:
        return
    store = stores.entries(ch, acct.id)
    hits = mutable_hits(ch, acct.view, acct.prefix, store, stores.display_path(ch, acct.id))
    if hits:
        label, fix = _NAME_BASED_FIX[ch]
        yield _name_based(ctx, meta, acct, hits, label, name_matching_on(acct), fix)


def zalouser_groups_mutable_entries(
    ctx: AuditContext, stores: PairingStores, acct: Account
) -> Iterator[Finding]:
    on = name_matching_on(acct)
    hits = zalouser_group_hits(acct.view, acct.prefix)
    if hits:
        found = f"Found: {preview(hits)}."
        if on:
            detail = (
                f"Group-name routing is switched on for {acct.prefix} "
                "(dangerouslyAllowNameMatching), a break-glass mode explicitly selected by "
                f"the operator. {found}"
            )
        else:
            detail = (
                "Group authorization uses ids only, so these name/slug keys are ignored and "
                f"may not be the group you meant to trust. {found}"
            )
        yield ZALOUSER_GROUPS.finding(
            detail,
            severity=Severity.INFO if on else Severity.WARN,
            remediation=(
                "Key `groups` by stable group ids (`group:<id>` or native `g-…` ids), then "
                "set dangerouslyAllowNameMatching back to false."
                if on
                else ZALOUSER_GROUPS.remediation
            ),
            subject=acct.prefix,
            location=ctx.config.location(acct.key_parts("groups")),
        )
