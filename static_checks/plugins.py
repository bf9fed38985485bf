"""Plugin trust: the plugin allowlist and plugin tool reachability (checks-plugins-skills.md §2).

Always run (no ``--deep``). Order: allowlist (missing or phantom entries), tool reachability;
the install-record rows that follow live in ``plugin_installs``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.bundled_plugins import BUILTIN_PLUGIN_IDS, OPENCLAW_VERSION
from openclaw_audit.facts.install_records import plugin_install_records
from openclaw_audit.facts.plugin_dirs import (
    PluginDirs,
    enabled_extension_ids,
    manifest_id,
    plugin_dirs,
)
from openclaw_audit.facts.plugin_tools import permissive_contexts
from openclaw_audit.facts.workspace_plugins import workspace_plugins
from openclaw_audit.report.model import Finding, Severity

_DOCS_TAIL = f"""
Decision (open question): the built-in ids are the plugins bundled with OpenClaw
{OPENCLAW_VERSION} (its `dist/extensions/` directories) plus every channel id. Anything else,
such as `brave` or `acpx`, must be installed to count; ids bundled only by other OpenClaw
versions are reported.
"""

NO_ALLOWLIST = define(
    "plugins.extensions_no_allowlist",
    Severity.WARN,
    "Installed plugins are not pinned by plugins.allow",
    remediation="Set plugins.allow to the explicit list of plugin ids you trust.",
    escalates=True,
    docs="""
## What
Fires when `<stateDir>/extensions` holds at least one plugin directory and `plugins.allow` is
missing, not a list, or empty. Critical when native skill commands are likely exposed: a
configured, enabled Discord, Telegram or Slack account with native skill commands on
(`channels.<ch>.commands.nativeSkills`, else `commands.nativeSkills`, else on for Discord and
Telegram, off for Slack).

## Why
Without an allowlist every directory dropped into `extensions/` is loaded and trusted, so one
stray or tampered package becomes code running inside the gateway.

## Fix
List the plugin ids you trust in `plugins.allow`.
""",
)

PHANTOM = define(
    "plugins.allow_phantom_entries",
    Severity.WARN,
    "plugins.allow names plugins that are not installed",
    remediation="Remove the unused plugins.allow entries, or install the plugins they name.",
    docs="""
## What
Fires when plugins are installed, `plugins.allow` is non-empty and some entry (other than
`group:plugins`) matches no known plugin id: installed directories, install records,
`openclaw.plugin.json` ids (of installed plugins and of the default agent's workspace plugins
in `<workspace>/.openclaw/extensions/`), or plugins bundled with OpenClaw.

## Why
A dangling allowlist entry is pre-approved trust: whatever plugin later registers that id is
loaded without anyone deciding to trust it.

## Fix
Delete the entries or install the intended plugins.
"""
    + _DOCS_TAIL,
)

TOOLS_REACHABLE = define(
    "plugins.tools_reachable_permissive_policy",
    Severity.WARN,
    "Plugin tools are reachable under a permissive tool policy",
    remediation="Give agents that handle untrusted input a restrictive tool profile "
    '("minimal" or "coding") or explicit tool allowlists that leave plugin tools out.',
    docs="""
## What
Fires when at least one installed plugin is enabled and some tool-policy context (the global
defaults or an agent) would let a plugin tool through: every policy layer allows an unknown
tool, or, without a restrictive profile, an allow list names `group:plugins` or an enabled
plugin id. The detail lists enabled plugins and the permissive contexts.

## Why
Plugin tools are third-party code the model can call. Under a permissive policy a prompt
injection can reach them without any further configuration mistake.

## Fix
Use a restrictive profile or allowlists that exclude plugin tools.
""",
)


# ---------------------------------------------------------------------------------------------
# Native skill command exposure (for the critical escalation)

_SKILL_COMMAND_CHANNELS: dict[str, tuple[tuple[str, ...], tuple[str, ...], bool]] = {
    # channel: (credential keys, env fallbacks for the default account, nativeSkills auto)
    "discord": (("token",), ("DISCORD_BOT_TOKEN",), True),
    "telegram": (("botToken", "tokenFile"), ("TELEGRAM_BOT_TOKEN",), True),
    "slack": (("botToken", "appToken"), ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"), False),
}


def _credential_present(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    # SecretRef-shaped: counts as configured even when it cannot be resolved.
    return isinstance(value, Mapping) and isinstance(value.get("id"), str)


def _has_configured_enabled_account(ctx: AuditContext, ch: str) -> bool:
    section = ctx.source.get(("channels", ch))
    if not isinstance(section, Mapping) or section.get("enabled") is False:
        return False
    keys, env_keys, _ = _SKILL_COMMAND_CHANNELS[ch]
    accounts = section.get("accounts")
    base = {k: v for k, v in section.items() if k != "accounts"}
    views: list[tuple[str, Mapping[str, Any]]] = []
    if isinstance(accounts, Mapping) and accounts:
        for acct_id, acct in accounts.items():
            if isinstance(acct, Mapping):
                views.append((str(acct_id), {**base, **acct}))
            else:
                views.append((str(acct_id), base))
    else:
        views.append(("default", base))
    for acct_id, view in views:
        if view.get("enabled") is False:
            continue
        if any(_credential_present(view.get(k)) for k in keys):
            return True
        if acct_id == "default" and any(ctx.env.get(k, "").strip() for k in env_keys):
            return True
    return False


def _native_skills_on(ctx: AuditContext, ch: str) -> bool:
    for path in (("channels", ch, "commands", "nativeSkills"), ("commands", "nativeSkills")):
        value = ctx.config.get(path)
        if isinstance(value, bool):
            return value
    return _SKILL_COMMAND_CHANNELS[ch][2]


def skill_commands_exposed(ctx: AuditContext) -> list[str]:
    return [
        ch
        for ch in _SKILL_COMMAND_CHANNELS
        if _has_configured_enabled_account(ctx, ch) and _native_skills_on(ctx, ch)
    ]


# ---------------------------------------------------------------------------------------------
# Checks


def _plugin_dirs_present(ctx: AuditContext) -> PluginDirs | None:
    dirs = plugin_dirs(ctx)
    return dirs if dirs.ids else None


@check(Stage.PLUGIN_TRUST, emits=[NO_ALLOWLIST], order=0)
def extensions_no_allowlist(ctx: AuditContext) -> Iterator[Finding]:
    dirs = _plugin_dirs_present(ctx)
    allow = ctx.config.get("plugins.allow")
    if dirs is None or (isinstance(allow, list) and allow):
        return
    exposed = skill_commands_exposed(ctx)
    detail = (
        f"{len(dirs.ids)} plugin director{'y' if len(dirs.ids) == 1 else 'ies'} in "
        f"{dirs.extensions_dir}, and plugins.allow does not restrict which are loaded."
    )
    if exposed:
        detail += (
            "\nNative skill commands are likely exposed on a chat surface ("
            + ", ".join(exposed)
            + "), so anyone who can message the bot can reach plugin-provided skills."
        )
    yield NO_ALLOWLIST.finding(
        detail,
        severity=Severity.CRITICAL if exposed else Severity.WARN,
        location=ctx.config.location("plugins.allow") if allow is not None else None,
    )


@check(Stage.PLUGIN_TRUST, emits=[PHANTOM], order=1)
def allow_phantom_entries(ctx: AuditContext) -> Iterator[Finding]:
    dirs = _plugin_dirs_present(ctx)
    allow = ctx.config.get("plugins.allow")
    if dirs is None or not isinstance(allow, list) or not allow:
        return
    known = set(dirs.ids) | BUILTIN_PLUGIN_IDS
    known.update(r.id.lower() for r in plugin_install_records(ctx))
    known.update(p.id for p in workspace_plugins(ctx))
    for i in range(len(dirs.ids)):
        mid = manifest_id(ctx, dirs.path_of(i))
        if mid is not None:
            known.add(mid.lower())
    phantoms = [
        e
        for e in allow
        if isinstance(e, str)
        and e.strip()
        and e.strip().lower() != "group:plugins"
        and e.strip().lower() not in known
    ]
    if phantoms:
        yield PHANTOM.finding(
            "plugins.allow names plugins that are not installed or known: "
            + ", ".join(phantoms)
            + "\nA plugin installed later under one of these ids would be trusted "
            "automatically.",
            subject=",".join(sorted(p.strip().lower() for p in phantoms)),
            location=ctx.config.location("plugins.allow"),
        )


@check(Stage.PLUGIN_TRUST, emits=[TOOLS_REACHABLE], order=2)
def tools_reachable_permissive_policy(ctx: AuditContext) -> Iterator[Finding]:
    dirs = _plugin_dirs_present(ctx)
    if dirs is None:
        return
    enabled = enabled_extension_ids(ctx, dirs)
    permissive = permissive_contexts(ctx, enabled) if enabled else []
    if permissive:
        lines = ["Enabled plugins:"]
        lines.extend(f"- {pid}" for pid in enabled)
        lines.append("Tool-policy contexts where plugin tools are reachable:")
        lines.extend(f"- {label}" for label in permissive)
        yield TOOLS_REACHABLE.finding("\n".join(lines))
