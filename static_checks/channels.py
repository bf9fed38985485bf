"""Channel security: the collector that walks every channel account (checks-channels.md).

One collector walks every known channel and account in a fixed order (§1.1, §1.2) and runs the
rows of that account in the spec's emission order (§2): account resolution, name matching, the
channel's own block, DM policy, then the channel's tail (Telegram groups). It is one registered
function because the spec orders findings per account, not per row, and drops exact duplicates
across all of them at the end. What differs between channels is data: ``CHANNEL_ROWS`` below.
Findings name config paths and allowlist entries, never credential values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check
from openclaw_audit.facts.channel_accounts import Account, iter_accounts, iter_channels
from openclaw_audit.facts.pairing_store import PairingStores
from openclaw_audit.report.model import Finding
from openclaw_audit.static_checks import (
    channels_account,
    channels_commands,
    channels_dm,
    channels_names,
    channels_telegram,
)

ChannelRow = Callable[[AuditContext, PairingStores, Account], Iterator[Finding]]


@dataclass(frozen=True, slots=True)
class ChannelRows:
    """One channel's own rows: ``block`` runs before the DM policy rows, ``tail`` after them."""

    block: tuple[ChannelRow, ...] = ()
    tail: tuple[ChannelRow, ...] = ()


# Per-channel specifics (§2 items 3 and 6). Channels not listed run only the shared rows.
CHANNEL_ROWS: Mapping[str, ChannelRows] = {
    "telegram": ChannelRows(
        tail=(
            channels_telegram.telegram_invalid_entries,
            channels_telegram.telegram_groups_wildcard,
            channels_telegram.telegram_groups_missing,
        ),
    ),
    "discord": ChannelRows(
        block=(
            channels_names.name_based_entries,
            channels_commands.discord_native_unrestricted,
            channels_commands.discord_native_no_allowlists,
        ),
    ),
    "irc": ChannelRows(block=(channels_names.name_based_entries,)),
    "googlechat": ChannelRows(block=(channels_names.name_based_entries,)),
    "slack": ChannelRows(
        block=(
            channels_names.name_based_entries,
            channels_commands.slack_access_groups_off,
            channels_commands.slack_no_allowlists,
        ),
    ),
    "mattermost": ChannelRows(block=(channels_names.name_based_entries,)),
    "msteams": ChannelRows(block=(channels_names.name_based_entries,)),
    "synology-chat": ChannelRows(block=(channels_account.synology_reply_name_matching,)),
    "zalouser": ChannelRows(block=(channels_names.zalouser_groups_mutable_entries,)),
}
_NO_ROWS = ChannelRows()

# Rows every active account runs, around its channel block (§2 items 2 and 4).
_BEFORE_BLOCK: tuple[ChannelRow, ...] = (channels_account.dangerous_name_matching_enabled,)
_DM_ROWS: tuple[ChannelRow, ...] = (
    channels_dm.dm_open,
    channels_dm.dm_open_invalid,
    channels_dm.dm_disabled,
    channels_dm.dm_scope_main_multiuser,
)


def _account_findings(ctx: AuditContext, stores: PairingStores, acct: Account) -> Iterator[Finding]:
    yield from channels_account.read_only_resolution(ctx, stores, acct)
    if not acct.active:
        return
    rows = CHANNEL_ROWS.get(acct.channel.id, _NO_ROWS)
    # Plugin free-text warnings (channels.<ch>.warning.<N>) are reserved: no plugins here.
    for row in (*_BEFORE_BLOCK, *rows.block, *_DM_ROWS, *rows.tail):
        yield from row(ctx, stores, acct)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, str, str, str]] = set()
    out: list[Finding] = []
    for f in findings:
        key = (f.check_id, f.severity.value, f.title, f.detail, f.remediation or "")
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


@check(
    Stage.CHANNELS,
    emits=[
        channels_account.READ_ONLY_RESOLUTION,
        channels_account.NAME_MATCHING_ENABLED,
        channels_account.SYNOLOGY_REPLY_NAME_MATCHING,
        *channels_names.NAME_BASED.values(),
        channels_names.ZALOUSER_GROUPS,
        channels_commands.DISCORD_NATIVE_UNRESTRICTED,
        channels_commands.DISCORD_NATIVE_NO_ALLOWLISTS,
        channels_commands.SLACK_ACCESS_GROUPS_OFF,
        channels_commands.SLACK_NO_ALLOWLISTS,
        channels_dm.DM_OPEN,
        channels_dm.DM_OPEN_INVALID,
        channels_dm.DM_DISABLED,
        channels_dm.DM_SCOPE_MAIN,
        channels_telegram.TELEGRAM_INVALID,
        channels_telegram.TELEGRAM_WILDCARD,
        channels_telegram.TELEGRAM_MISSING,
    ],
)
def channel_security(ctx: AuditContext) -> list[Finding]:
    stores = PairingStores(ctx)
    findings: list[Finding] = []
    for spec, section in iter_channels(ctx):
        for acct in iter_accounts(ctx, spec, section):
            findings.extend(_account_findings(ctx, stores, acct))
    return _dedupe(findings)
