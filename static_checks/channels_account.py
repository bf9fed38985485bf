"""Channel rows for account resolution and name matching (checks-channels.md §3.1).

Row functions share one signature, ``(ctx, stores, acct) -> findings``, and are run per
account by the channel collector in ``channels`` (checks-channels.md §2 order).
"""

from __future__ import annotations

from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import define
from openclaw_audit.facts.channel_accounts import Account
from openclaw_audit.facts.pairing_store import PairingStores
from openclaw_audit.report.model import Finding, Severity

READ_ONLY_RESOLUTION = define(
    "channels.<ch>.account.read_only_resolution",
    Severity.WARN,
    "Channel account could not be read",
    remediation="Fix the account entry (it must be an object) or make the secrets and files it "
    "references available, then run the audit again.",
    group="channels",
    docs="""
## What
An entry under `channels.<ch>.accounts` could not be interpreted (for example it is a
string or a list instead of an object). The account is treated as disabled and no other
channel finding is produced for it.

## Why
The audit cannot judge who may talk to an account it cannot read; the gateway may not
read it the way you expect either.

## Fix
Make the account entry an object and make referenced secrets/files available, then rerun.
""",
)

NAME_MATCHING_ENABLED = define(
    "channels.<ch>.allowFrom.dangerous_name_matching_enabled",
    Severity.INFO,
    "Channel name matching is enabled (break-glass)",
    remediation="Move allowlists to stable sender ids, then set `dangerouslyAllowNameMatching` "
    "back to false.",
    group="channels",
    docs="""
## What
`dangerouslyAllowNameMatching` is `true` for an enabled, configured account (the account
entry's value wins over the channel section's).

## Why
Sender authorization then also accepts display names, usernames, e-mails or tags, which
users can change or share. It is a compatibility mode an operator chose on purpose.

## Fix
List stable platform ids in the allowlists, then turn the flag off.
""",
)

SYNOLOGY_REPLY_NAME_MATCHING = define(
    "channels.synology-chat.reply.dangerous_name_matching_enabled",
    Severity.INFO,
    "Synology Chat replies are targeted by user name",
    remediation="Use numeric Synology user ids for reply targeting and turn "
    "`dangerouslyAllowNameMatching` off.",
    group="channels",
    docs="""
## What
A Synology Chat account has `dangerouslyAllowNameMatching: true` (reported in addition to
the generic name-matching finding).

## Why
Replies can then be addressed by user name, which may resolve to a different person than
intended.

## Fix
Use numeric Synology user ids.
""",
)


def name_matching_on(acct: Account) -> bool:
    """``dangerouslyAllowNameMatching`` of the account view (§1.6): only literal true counts."""
    return acct.scoped_bool("dangerouslyAllowNameMatching") is True


def read_only_resolution(
    ctx: AuditContext, stores: PairingStores, acct: Account
) -> Iterator[Finding]:
    ch = acct.channel.id
    for diagnostic in acct.diagnostics:
        yield READ_ONLY_RESOLUTION.finding(
            diagnostic,
            title=f"{acct.channel.label} account could not be read",
            check_id=f"channels.{ch}.account.read_only_resolution",
            subject=acct.prefix,
            location=ctx.config.location(("channels", ch, "accounts", acct.id)),
        )


def dangerous_name_matching_enabled(
    ctx: AuditContext, stores: PairingStores, acct: Account
) -> Iterator[Finding]:
    if name_matching_on(acct):
        yield NAME_MATCHING_ENABLED.finding(
            f"dangerouslyAllowNameMatching=true for {acct.prefix} lets mutable names, e-mails "
            "or tags authorize senders. It is a break-glass compatibility mode, not a hardened "
            "default.",
            title=f"{acct.channel.label} name matching is enabled (break-glass){acct.label_suffix}",
            check_id=f"channels.{acct.channel.id}.allowFrom.dangerous_name_matching_enabled",
            subject=acct.prefix,
            location=ctx.config.location(acct.key_parts("dangerouslyAllowNameMatching")),
        )


def synology_reply_name_matching(
    ctx: AuditContext, stores: PairingStores, acct: Account
) -> Iterator[Finding]:
    if name_matching_on(acct):
        yield SYNOLOGY_REPLY_NAME_MATCHING.finding(
            f"dangerouslyAllowNameMatching=true for {acct.prefix} lets replies be "
            "addressed by user name instead of numeric user id.",
            subject=acct.prefix,
            location=ctx.config.location(acct.key_parts("dangerouslyAllowNameMatching")),
        )
