"""Channel rows for the DM policy of each account (checks-channels.md §3.4).

Row functions share one signature, ``(ctx, stores, acct) -> findings``, and are run per
account by the channel collector in ``channels`` (checks-channels.md §2 order).
"""

from __future__ import annotations

from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import define
from openclaw_audit.facts.channel_accounts import Account
from openclaw_audit.facts.dm_policy import DmPolicy, resolve_dm_policy
from openclaw_audit.facts.pairing_store import PairingStores
from openclaw_audit.report.model import Finding, Location, Severity

DM_OPEN = define(
    "channels.<ch>.dm.open",
    Severity.CRITICAL,
    "Channel DMs are open to anyone",
    remediation='Use "pairing" or "allowlist"; if open DMs are really wanted, the allowlist '
    'must contain "*".',
    group="channels",
    docs="""
## What
The account's DM policy (`dmPolicy`, or legacy `dm.policy`) is `"open"`.

## Why
Anyone who can find the bot can message the agent and use its tools.

## Fix
Use `pairing` or `allowlist`. If open DMs are intended, put `"*"` in the allowlist so the
choice is explicit.

Decisions: the channel group runs for every configured known channel and account, even
though upstream 2026.9.6 was observed to emit none of these findings (skip the group with
`--skip-check 'channels.*'`). "Configured" follows our per-channel credential table, not
plugin logic. `dmPolicy` wins over legacy `dm.policy` on every channel that reads legacy
keys (Discord, Slack, Google Chat). No `channels.<ch>.warning.<N>` findings are produced
(no channel plugins), and open group policies are left to `security.exposure.*`.
""",
)

DM_OPEN_INVALID = define(
    "channels.<ch>.dm.open_invalid",
    Severity.WARN,
    "Open DM policy without a wildcard allowlist",
    remediation='Add "*" to the allowlist to confirm open DMs, or change the DM policy.',
    group="channels",
    docs="""
## What
The DM policy is `"open"` but the allowlist does not contain `"*"`.

## Why
The configuration contradicts itself; which of the two settings wins is easy to misjudge.

## Fix
Add `"*"` or switch to `pairing`/`allowlist`.
""",
)

DM_DISABLED = define(
    "channels.<ch>.dm.disabled",
    Severity.INFO,
    "Channel DMs are disabled",
    remediation=None,
    group="channels",
    docs="""
## What
The DM policy is `"disabled"` (or legacy `dm.enabled: false` with no policy written).

## Why
Informational: inbound DMs are ignored on this account.

## Fix
Nothing to do.

Decision: legacy `dm.enabled=false` counts as `"disabled"` when neither `dmPolicy` nor
`dm.policy` is set.
""",
)

DM_SCOPE_MAIN = define(
    "channels.<ch>.dm.scope_main_multiuser",
    Severity.WARN,
    "Several DM senders share the main session",
    remediation='Set `session.dmScope` to "per-channel-peer" (or "per-account-channel-peer" '
    "for multi-account channels) so each DM sender gets its own session.",
    group="channels",
    docs="""
## What
`session.dmScope` is unset or `"main"` and the account accepts more than one DM sender:
its allowlist has `"*"`, or more than one distinct sender across the allowlist and the
pairing store.

## Why
All DMs then land in the agent's main session, so one sender can see or steer context
from another.

## Fix
`openclaw config set session.dmScope "per-channel-peer"` (or `"per-account-channel-peer"`).
""",
)


def _dm_policy(stores: PairingStores, acct: Account) -> DmPolicy:
    return resolve_dm_policy(acct, stores.entries(acct.channel.id, acct.id))


def _policy_location(ctx: AuditContext, acct: Account, dm: DmPolicy) -> Location | None:
    return ctx.config.location(acct.key_parts(*dm.policy_key))


def dm_open(ctx: AuditContext, stores: PairingStores, acct: Account) -> Iterator[Finding]:
    dm = _dm_policy(stores, acct)
    if dm.policy == "open":
        yield DM_OPEN.finding(
            f'{dm.policy_path}="open" lets anyone DM the bot.',
            title=f"{acct.channel.label} DMs are open to anyone",
            remediation=f'Use "pairing" or "allowlist"; if open DMs are really wanted, '
            f'{dm.allow_from_path} must contain "*".',
            check_id=f"channels.{acct.channel.id}.dm.open",
            subject=dm.policy_path,
            location=_policy_location(ctx, acct, dm),
        )


def dm_open_invalid(ctx: AuditContext, stores: PairingStores, acct: Account) -> Iterator[Finding]:
    dm = _dm_policy(stores, acct)
    if dm.policy == "open" and not dm.has_wildcard:
        yield DM_OPEN_INVALID.finding(
            f'{dm.policy_path}="open" but {dm.allow_from_path} does not contain "*"; the '
            "two settings disagree.",
            title=f"{acct.channel.label} DM configuration is inconsistent",
            remediation=f'Add "*" to {dm.allow_from_path}, or change {dm.policy_path}.',
            check_id=f"channels.{acct.channel.id}.dm.open_invalid",
            subject=dm.policy_path,
            location=_policy_location(ctx, acct, dm),
        )


def dm_disabled(ctx: AuditContext, stores: PairingStores, acct: Account) -> Iterator[Finding]:
    dm = _dm_policy(stores, acct)
    if dm.policy == "disabled":
        shown = "false" if dm.policy_key == ("dm", "enabled") else '"disabled"'
        yield DM_DISABLED.finding(
            f"{dm.policy_path}={shown}: inbound DMs are ignored.",
            title=f"{acct.channel.label} DMs are disabled",
            check_id=f"channels.{acct.channel.id}.dm.disabled",
            subject=dm.policy_path,
            location=_policy_location(ctx, acct, dm),
        )


def dm_scope_main_multiuser(
    ctx: AuditContext, stores: PairingStores, acct: Account
) -> Iterator[Finding]:
    dm = _dm_policy(stores, acct)
    if dm.policy == "disabled":
        return  # reported as dm.disabled instead (§3.4)
    scope = ctx.config.get_str("session.dmScope")
    if (scope is None or scope == "main") and dm.multi_user:
        who = (
            f'{dm.allow_from_path} contains "*"'
            if dm.has_wildcard
            else f"{dm.allow_count} distinct senders are allowed (allowlist and pairing store)"
        )
        yield DM_SCOPE_MAIN.finding(
            f"{who} for {acct.prefix}, and session.dmScope is main: every DM sender shares the "
            "agent's main session, so context can leak between users.",
            title=f"{acct.channel.label} DM senders share the main session",
            remediation=ctx.cmd(
                'Run `openclaw config set session.dmScope "per-channel-peer"` (or '
                '"per-account-channel-peer" for multi-account channels) so each DM sender '
                "gets an isolated session."
            ),
            check_id=f"channels.{acct.channel.id}.dm.scope_main_multiuser",
            subject=acct.prefix,
            location=ctx.config.location("session.dmScope"),
        )
