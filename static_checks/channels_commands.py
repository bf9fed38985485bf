"""Channel rows for native / slash command exposure (checks-channels.md §3.3).

Row functions share one signature, ``(ctx, stores, acct) -> findings``, and are run per
account by the channel collector in ``channels`` (checks-channels.md §2 order).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import define
from openclaw_audit.facts.channel_accounts import Account
from openclaw_audit.facts.channel_identities import stringify
from openclaw_audit.facts.pairing_store import PairingStores
from openclaw_audit.report.model import Finding, Severity

DISCORD_NATIVE_UNRESTRICTED = define(
    "channels.discord.commands.native.unrestricted",
    Severity.CRITICAL,
    "Discord slash commands are open to every guild member",
    remediation="Set `commands.useAccessGroups=true`, or add "
    "`channels.discord.guilds.<id>.users` (or `guilds.<id>.channels.<channel>.users`).",
    group="channels",
    docs="""
## What
Discord native (slash) commands are on, `commands.useAccessGroups` is `false`, group
messages are not disabled, guilds are configured, and no guild or guild channel lists
`users`.

## Why
With access groups off and no per-guild user list, anyone in an allowed guild channel can
run `/…` commands.

## Fix
Turn access groups back on, or list the allowed users per guild or channel.

Decision: an account-level `commands.native: "auto"` wins over the global switch and means
"on" for Discord and Telegram, "off" for Slack (upstream's resolution order).
""",
)

DISCORD_NATIVE_NO_ALLOWLISTS = define(
    "channels.discord.commands.native.no_allowlists",
    Severity.WARN,
    "Discord slash commands have nobody allowed",
    remediation="Add your user id to `channels.discord.allowFrom`, approve yourself through "
    "pairing, or set `channels.discord.guilds.<id>.users`.",
    group="channels",
    docs="""
## What
Discord native commands are on with access groups enabled and guilds configured, but
`allowFrom`, `dm.allowFrom`, the pairing store and every guild/channel `users` list are
empty.

## Why
Commands are then rejected for everyone, which tends to get "fixed" by loosening the wrong
setting.

## Fix
Add yourself to `channels.discord.allowFrom`, pair, or set guild users.

Decision: upstream looks only at `dm.allowFrom` and the store; we also count `allowFrom`
(which upstream's own advice recommends).
""",
)

SLACK_ACCESS_GROUPS_OFF = define(
    "channels.slack.commands.slash.useAccessGroups_off",
    Severity.CRITICAL,
    "Slack slash commands skip access groups",
    remediation="Set `commands.useAccessGroups=true`.",
    group="channels",
    docs="""
## What
Slack native/slash commands are on (`commands.native`, `commands.nativeSkills` or
`slashCommand.enabled`) while `commands.useAccessGroups` is `false`.

## Why
Commands then run for senders and channels you never authorized.

## Fix
Set `commands.useAccessGroups=true`.
""",
)

SLACK_NO_ALLOWLISTS = define(
    "channels.slack.commands.slash.no_allowlists",
    Severity.WARN,
    "Slack slash commands have nobody allowed",
    remediation="Approve yourself through pairing, or set `channels.slack.allowFrom` / "
    "`channels.slack.channels.<id>.users`.",
    group="channels",
    docs="""
## What
Slack slash commands are on with access groups enabled, but the owner allowlist
(`allowFrom`, else `dm.allowFrom`), the pairing store and every `channels.<id>.users` list
are empty.

## Why
Commands are rejected for everyone.

## Fix
Pair, or set `channels.slack.allowFrom` / `channels.slack.channels.<id>.users`.
""",
)


# Resolution helpers (§3.3); the Telegram rows use them too.


def _native_setting(value: object) -> bool | str | None:
    if isinstance(value, bool) or value == "auto":
        return value  # type: ignore[return-value]
    return None


def native_enabled(ctx: AuditContext, acct: Account, key: str) -> bool:
    """Account ``commands.<key>`` wins (including "auto"), else global; auto = channel default."""
    commands = acct.view.get("commands")
    setting = _native_setting(commands.get(key) if isinstance(commands, Mapping) else None)
    if setting is None:
        setting = _native_setting(ctx.config.get(("commands", key)))
    if isinstance(setting, bool):
        return setting
    return acct.channel.id in ("discord", "telegram")


def group_policy(ctx: AuditContext, acct: Account) -> str:
    value = acct.view.get("groupPolicy")
    if isinstance(value, str):
        return value
    default = ctx.config.get_str("channels.defaults.groupPolicy")
    return default if default is not None else "allowlist"


def _use_access_groups(ctx: AuditContext) -> bool:
    return not ctx.config.is_false("commands.useAccessGroups")


def _dict(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _nonblank(values: list[Any]) -> list[str]:
    return [s for s in (stringify(v) for v in values) if s]


def _discord_commands_on(ctx: AuditContext, acct: Account) -> bool:
    """Native commands on, groups not disabled, guilds configured, and no guild/channel users."""
    if not (native_enabled(ctx, acct, "native") or native_enabled(ctx, acct, "nativeSkills")):
        return False
    if group_policy(ctx, acct) == "disabled":
        return False
    guilds = _dict(acct.view.get("guilds"))
    if not guilds:
        return False
    has_users = False
    for guild in guilds.values():
        g = _dict(guild)
        if _list(g.get("users")):
            has_users = True
        for channel in _dict(g.get("channels")).values():
            if _list(_dict(channel).get("users")):
                has_users = True
    return not has_users


def discord_native_unrestricted(
    ctx: AuditContext, stores: PairingStores, acct: Account
) -> Iterator[Finding]:
    if _discord_commands_on(ctx, acct) and not _use_access_groups(ctx):
        yield DISCORD_NATIVE_UNRESTRICTED.finding(
            f"commands.useAccessGroups=false and no guild or guild-channel `users` list is set "
            f"under {acct.path('guilds')}, so anyone in an allowed guild channel can run "
            "slash commands.",
            subject=acct.prefix,
            location=ctx.config.location("commands.useAccessGroups"),
        )


def discord_native_no_allowlists(
    ctx: AuditContext, stores: PairingStores, acct: Account
) -> Iterator[Finding]:
    if not _discord_commands_on(ctx, acct) or not _use_access_groups(ctx):
        return
    owners = _nonblank(_list(acct.view.get("allowFrom")))
    owners += _nonblank(_list(_dict(acct.view.get("dm")).get("allowFrom")))
    if owners or stores.entries("discord", acct.id):
        return
    yield DISCORD_NATIVE_NO_ALLOWLISTS.finding(
        f"Slash commands are on for {acct.prefix}, but no owner allowlist (allowFrom, "
        "dm.allowFrom, pairing store) and no guild/channel `users` list is set, so commands "
        "are rejected for everyone.",
        subject=acct.prefix,
        location=ctx.config.location(acct.key_parts("guilds")),
    )


def _slack_commands_on(ctx: AuditContext, acct: Account) -> bool:
    slash = _dict(acct.view.get("slashCommand")).get("enabled") is True
    return native_enabled(ctx, acct, "native") or native_enabled(ctx, acct, "nativeSkills") or slash


def slack_access_groups_off(
    ctx: AuditContext, stores: PairingStores, acct: Account
) -> Iterator[Finding]:
    if _slack_commands_on(ctx, acct) and not _use_access_groups(ctx):
        yield SLACK_ACCESS_GROUPS_OFF.finding(
            f"Slash/native commands are on for {acct.prefix} while "
            "commands.useAccessGroups=false, so commands can run from users and channels you "
            "never authorized.",
            subject=acct.prefix,
            location=ctx.config.location("commands.useAccessGroups"),
        )


def slack_no_allowlists(
    ctx: AuditContext, stores: PairingStores, acct: Account
) -> Iterator[Finding]:
    if not _slack_commands_on(ctx, acct) or not _use_access_groups(ctx):
        return
    allow = acct.view.get("allowFrom")
    legacy = _list(_dict(acct.view.get("dm")).get("allowFrom"))
    owners = allow if isinstance(allow, list) else legacy
    if _nonblank(owners) or stores.entries("slack", acct.id):
        return
    for channel in _dict(acct.view.get("channels")).values():
        if _list(_dict(channel).get("users")):
            return
    yield SLACK_NO_ALLOWLISTS.finding(
        f"Slash commands are on for {acct.prefix}, but no owner allowlist (allowFrom, pairing "
        "store) and no channels.<id>.users list is set, so commands are rejected for everyone.",
        subject=acct.prefix,
        location=ctx.config.location(acct.key_parts("allowFrom")),
    )
