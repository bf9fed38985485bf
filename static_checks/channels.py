"""Channel security: accounts, DM policy, mutable allowlist identities, commands, Telegram groups.

Spec: checks-channels.md. One collector walks every known channel and account in a fixed
order (§2) and drops exact duplicates at the end. Findings name config paths and allowlist
entries, never credential values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import CheckMeta, Stage, check, define
from openclaw_audit.facts.channel_accounts import Account, iter_accounts, iter_channels
from openclaw_audit.facts.channel_identities import (
    mutable_hits,
    preview,
    stringify,
    strip_prefix,
    zalouser_group_hits,
)
from openclaw_audit.facts.dm_policy import resolve_dm_policy
from openclaw_audit.facts.pairing_store import PairingStores
from openclaw_audit.report.model import Finding, Severity

# ---------------------------------------------------------------------------------------------
# Definitions

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

# ---------------------------------------------------------------------------------------------
# Resolution helpers


def _native_setting(value: object) -> bool | str | None:
    if isinstance(value, bool) or value == "auto":
        return value  # type: ignore[return-value]
    return None


def _native_enabled(ctx: AuditContext, acct: Account, key: str) -> bool:
    """Account ``commands.<key>`` wins (including "auto"), else global; auto = channel default."""
    commands = acct.view.get("commands")
    setting = _native_setting(commands.get(key) if isinstance(commands, Mapping) else None)
    if setting is None:
        setting = _native_setting(ctx.config.get(("commands", key)))
    if isinstance(setting, bool):
        return setting
    return acct.channel.id in ("discord", "telegram")


def _group_policy(ctx: AuditContext, acct: Account) -> str:
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


# ---------------------------------------------------------------------------------------------
# Per-account blocks


def _name_matching_on(acct: Account) -> bool:
    return acct.scoped_bool("dangerouslyAllowNameMatching") is True


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


def _discord_commands(ctx: AuditContext, acct: Account, store: list[str]) -> Iterator[Finding]:
    if not (_native_enabled(ctx, acct, "native") or _native_enabled(ctx, acct, "nativeSkills")):
        return
    if _group_policy(ctx, acct) == "disabled":
        return
    guilds = _dict(acct.view.get("guilds"))
    if not guilds:
        return
    has_users = False
    for guild in guilds.values():
        g = _dict(guild)
        if _list(g.get("users")):
            has_users = True
        for channel in _dict(g.get("channels")).values():
            if _list(_dict(channel).get("users")):
                has_users = True
    if has_users:
        return
    if not _use_access_groups(ctx):
        yield DISCORD_NATIVE_UNRESTRICTED.finding(
            f"commands.useAccessGroups=false and no guild or guild-channel `users` list is set "
            f"under {acct.path('guilds')}, so anyone in an allowed guild channel can run "
            "slash commands.",
            subject=acct.prefix,
            location=ctx.config.location("commands.useAccessGroups"),
        )
        return
    owners = _nonblank(_list(acct.view.get("allowFrom")))
    owners += _nonblank(_list(_dict(acct.view.get("dm")).get("allowFrom")))
    if owners or store:
        return
    yield DISCORD_NATIVE_NO_ALLOWLISTS.finding(
        f"Slash commands are on for {acct.prefix}, but no owner allowlist (allowFrom, "
        "dm.allowFrom, pairing store) and no guild/channel `users` list is set, so commands "
        "are rejected for everyone.",
        subject=acct.prefix,
        location=ctx.config.location(acct.key_parts("guilds")),
    )


def _slack_commands(ctx: AuditContext, acct: Account, store: list[str]) -> Iterator[Finding]:
    slash = _dict(acct.view.get("slashCommand")).get("enabled") is True
    if not (
        _native_enabled(ctx, acct, "native") or _native_enabled(ctx, acct, "nativeSkills") or slash
    ):
        return
    if not _use_access_groups(ctx):
        yield SLACK_ACCESS_GROUPS_OFF.finding(
            f"Slash/native commands are on for {acct.prefix} while "
            "commands.useAccessGroups=false, so commands can run from users and channels you "
            "never authorized.",
            subject=acct.prefix,
            location=ctx.config.location("commands.useAccessGroups"),
        )
        return
    allow = acct.view.get("allowFrom")
    legacy = _list(_dict(acct.view.get("dm")).get("allowFrom"))
    owners = allow if isinstance(allow, list) else legacy
    if _nonblank(owners) or store:
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


def _channel_block(
    ctx: AuditContext, stores: PairingStores, acct: Account, on: bool
) -> Iterator[Finding]:
    ch = acct.channel.id
    if ch == "zalouser":
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
        return
    if ch == "synology-chat":
        if on:
            yield SYNOLOGY_REPLY_NAME_MATCHING.finding(
                f"dangerouslyAllowNameMatching=true for {acct.prefix} lets replies be "
                "addressed by user name instead of numeric user id.",
                subject=acct.prefix,
                location=ctx.config.location(acct.key_parts("dangerouslyAllowNameMatching")),
            )
        return
    meta = NAME_BASED.get(ch)
    if meta is None:
        return
    store = stores.entries(ch, acct.id)
    hits = mutable_hits(ch, acct.view, acct.prefix, store, stores.display_path(ch, acct.id))
    if hits:
        label, fix = _NAME_BASED_FIX[ch]
        yield _name_based(ctx, meta, acct, hits, label, on, fix)
    if ch == "discord":
        yield from _discord_commands(ctx, acct, store)
    elif ch == "slack":
        yield from _slack_commands(ctx, acct, store)


def _dm_block(ctx: AuditContext, stores: PairingStores, acct: Account) -> Iterator[Finding]:
    label = acct.channel.label
    ch = acct.channel.id
    dm = resolve_dm_policy(acct, stores.entries(ch, acct.id))
    location = ctx.config.location(acct.key_parts(*dm.policy_key))
    if dm.policy == "open":
        yield DM_OPEN.finding(
            f'{dm.policy_path}="open" lets anyone DM the bot.',
            title=f"{label} DMs are open to anyone",
            remediation=f'Use "pairing" or "allowlist"; if open DMs are really wanted, '
            f'{dm.allow_from_path} must contain "*".',
            check_id=f"channels.{ch}.dm.open",
            subject=dm.policy_path,
            location=location,
        )
        if not dm.has_wildcard:
            yield DM_OPEN_INVALID.finding(
                f'{dm.policy_path}="open" but {dm.allow_from_path} does not contain "*"; the '
                "two settings disagree.",
                title=f"{label} DM configuration is inconsistent",
                remediation=f'Add "*" to {dm.allow_from_path}, or change {dm.policy_path}.',
                check_id=f"channels.{ch}.dm.open_invalid",
                subject=dm.policy_path,
                location=location,
            )
    if dm.policy == "disabled":
        shown = "false" if dm.policy_key == ("dm", "enabled") else '"disabled"'
        yield DM_DISABLED.finding(
            f"{dm.policy_path}={shown}: inbound DMs are ignored.",
            title=f"{label} DMs are disabled",
            check_id=f"channels.{ch}.dm.disabled",
            subject=dm.policy_path,
            location=location,
        )
        return
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
            title=f"{label} DM senders share the main session",
            remediation=ctx.cmd(
                'Run `openclaw config set session.dmScope "per-channel-peer"` (or '
                '"per-account-channel-peer" for multi-account channels) so each DM sender '
                "gets an isolated session."
            ),
            check_id=f"channels.{ch}.dm.scope_main_multiuser",
            subject=acct.prefix,
            location=ctx.config.location("session.dmScope"),
        )


def _telegram_entry(value: object) -> str:
    text = stringify(value)
    return strip_prefix(text, ("telegram:", "tg:")).strip()


def _is_numeric_id(text: str) -> bool:
    body = text[1:] if text.startswith("-") else text
    return body.isascii() and body.isdigit()


def _telegram_block(ctx: AuditContext, stores: PairingStores, acct: Account) -> Iterator[Finding]:
    if ctx.config.is_false("commands.text"):
        return
    policy = _group_policy(ctx, acct)
    groups = _dict(acct.view.get("groups"))
    if not (policy == "open" or (policy == "allowlist" and groups)):
        return
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

    invalid: dict[str, None] = {}
    for values in lists:
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

    wildcard = any(stringify(v) == "*" for v in [*store, *group_allow])
    if wildcard:
        yield TELEGRAM_WILDCARD.finding(
            f"The group sender allowlist for {acct.prefix} (groupAllowFrom or the pairing store) "
            'contains "*", so any group member can run /… commands and control directives.',
            subject=acct.prefix,
            location=ctx.config.location(acct.key_parts("groupAllowFrom")),
        )
        return
    if not (store or group_allow or any_group_list):
        skills = " (skill commands included)" if _native_enabled(ctx, acct, "nativeSkills") else ""
        yield TELEGRAM_MISSING.finding(
            f"Group access is possible for {acct.prefix} but no group sender allowlist is set, "
            f"so any group member can invoke /… commands{skills}.",
            subject=acct.prefix,
            location=ctx.config.location(acct.key_parts("groupAllowFrom")),
        )


def _account_findings(ctx: AuditContext, stores: PairingStores, acct: Account) -> Iterator[Finding]:
    ch = acct.channel.id
    label = acct.channel.label
    for diagnostic in acct.diagnostics:
        yield READ_ONLY_RESOLUTION.finding(
            diagnostic,
            title=f"{label} account could not be read",
            check_id=f"channels.{ch}.account.read_only_resolution",
            subject=acct.prefix,
            location=ctx.config.location(("channels", ch, "accounts", acct.id)),
        )
    if not acct.active:
        return
    on = _name_matching_on(acct)
    if on:
        yield NAME_MATCHING_ENABLED.finding(
            f"dangerouslyAllowNameMatching=true for {acct.prefix} lets mutable names, e-mails "
            "or tags authorize senders. It is a break-glass compatibility mode, not a hardened "
            "default.",
            title=f"{label} name matching is enabled (break-glass){acct.label_suffix}",
            check_id=f"channels.{ch}.allowFrom.dangerous_name_matching_enabled",
            subject=acct.prefix,
            location=ctx.config.location(acct.key_parts("dangerouslyAllowNameMatching")),
        )
    yield from _channel_block(ctx, stores, acct, on)
    yield from _dm_block(ctx, stores, acct)
    # Plugin free-text warnings (channels.<ch>.warning.<N>) are reserved: no plugins here.
    if ch == "telegram":
        yield from _telegram_block(ctx, stores, acct)


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
        READ_ONLY_RESOLUTION,
        NAME_MATCHING_ENABLED,
        SYNOLOGY_REPLY_NAME_MATCHING,
        *NAME_BASED.values(),
        ZALOUSER_GROUPS,
        DISCORD_NATIVE_UNRESTRICTED,
        DISCORD_NATIVE_NO_ALLOWLISTS,
        SLACK_ACCESS_GROUPS_OFF,
        SLACK_NO_ALLOWLISTS,
        DM_OPEN,
        DM_OPEN_INVALID,
        DM_DISABLED,
        DM_SCOPE_MAIN,
        TELEGRAM_INVALID,
        TELEGRAM_WILDCARD,
        TELEGRAM_MISSING,
    ],
)
def channel_security(ctx: AuditContext) -> list[Finding]:
    stores = PairingStores(ctx)
    findings: list[Finding] = []
    for spec, section in iter_channels(ctx):
        for acct in iter_accounts(ctx, spec, section):
            findings.extend(_account_findings(ctx, stores, acct))
    return _dedupe(findings)
