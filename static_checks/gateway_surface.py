"""Gateway rows 10-14: mDNS full mode, Tailscale, MCP apps, dangerous-flags inventory.

Each row is one small function registered at ``Stage.GATEWAY`` with its row number as
``order`` (checks-gateway.md §3: row order = emission order). Details name config paths and
lengths, never a credential value.

The dangerous-flags inventory is checks-gateway.md §4.
"""

from __future__ import annotations

from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.dangerous_flags import collect_flags
from openclaw_audit.facts.gateway import is_loopback_bind, mdns_mode, tailscale_mode
from openclaw_audit.report.model import Finding, Severity


def _sev(critical: bool) -> Severity:
    return Severity.CRITICAL if critical else Severity.WARN


# --- row 10: discovery.mdns_full_mode -------------------------------------------------------

MDNS_FULL = define(
    "discovery.mdns_full_mode",
    Severity.WARN,
    "mDNS announces host details in full mode",
    remediation=(
        'Set discovery.mdns.mode to "minimal" (recommended) or "off"; full mode publishes '
        "the CLI path and SSH port in TXT records."
    ),
    escalates=True,
    docs="""
## What
`discovery.mdns.mode` is `"full"`.

## Why
Full mode puts the CLI path and SSH port into local-network TXT records, revealing user
names, directory layout and management ports. Critical when the gateway binds beyond
loopback, warn otherwise.

## Fix
Use `"minimal"` (the default) or `"off"`.
""",
)


@check(Stage.GATEWAY, emits=[MDNS_FULL], order=10)
def mdns_full_mode(ctx: AuditContext) -> Iterator[Finding]:
    if mdns_mode(ctx) != "full":
        return
    yield MDNS_FULL.finding(
        'discovery.mdns.mode is "full": TXT records on the local network carry the CLI path '
        "and SSH port.",
        severity=_sev(not is_loopback_bind(ctx)),
        location=ctx.config.location("discovery.mdns.mode"),
    )


# --- rows 11-12: Tailscale ------------------------------------------------------------------

TAILSCALE_FUNNEL = define(
    "gateway.tailscale_funnel",
    Severity.CRITICAL,
    "Gateway is published to the internet with Tailscale Funnel",
    remediation=(
        'Use gateway.tailscale.mode "serve" (tailnet only) or "off"; funnel makes the gateway '
        "reachable from the public internet."
    ),
    docs="""
## What
`gateway.tailscale.mode` is `"funnel"`.

## Why
Funnel exposes the gateway to the whole internet; only its auth stands between strangers and
your agents.

## Fix
Prefer `"serve"` (tailnet only) or `"off"`.
""",
)

TAILSCALE_SERVE = define(
    "gateway.tailscale_serve",
    Severity.INFO,
    "Gateway is shared on the tailnet with Tailscale Serve",
    remediation=None,
    docs="""
## What
`gateway.tailscale.mode` is `"serve"`: the loopback gateway is reachable from your tailnet.

## Why
Informational: every device and user on the tailnet can reach the gateway.

## Fix
Nothing required. Keep tailnet ACLs tight.
""",
)


@check(Stage.GATEWAY, emits=[TAILSCALE_FUNNEL], order=11)
def tailscale_funnel(ctx: AuditContext) -> Iterator[Finding]:
    if tailscale_mode(ctx) == "funnel":
        yield TAILSCALE_FUNNEL.finding(
            'gateway.tailscale.mode is "funnel": the gateway is reachable from the public '
            "internet; treat it as internet-facing and keep its auth strict.",
            location=ctx.config.location("gateway.tailscale.mode"),
        )


@check(Stage.GATEWAY, emits=[TAILSCALE_SERVE], order=12)
def tailscale_serve(ctx: AuditContext) -> Iterator[Finding]:
    if tailscale_mode(ctx) == "serve":
        yield TAILSCALE_SERVE.finding(
            'gateway.tailscale.mode is "serve": the loopback gateway is reachable from your '
            "tailnet through Tailscale.",
            location=ctx.config.location("gateway.tailscale.mode"),
        )


# --- row 13: mcp.apps.enabled ---------------------------------------------------------------

MCP_APPS = define(
    "mcp.apps.enabled",
    Severity.WARN,
    "MCP Apps interactive views are enabled",
    remediation="Turn mcp.apps.enabled off unless every configured MCP server is trusted.",
    docs="""
## What
`mcp.apps.enabled` is `true`.

## Why
Configured MCP servers may then render interactive HTML views that can call the tools of
their own server while the session runs. Views are sandboxed, but a hostile server gains a
richer surface.

## Fix
Keep it on only when you trust every configured MCP server.
""",
)


@check(Stage.GATEWAY, emits=[MCP_APPS], order=13)
def mcp_apps_enabled(ctx: AuditContext) -> Iterator[Finding]:
    if not ctx.config.is_true("mcp.apps.enabled"):
        return
    yield MCP_APPS.finding(
        "mcp.apps.enabled=true lets configured MCP servers show interactive HTML views that "
        "can call tools of their own server while the session is active.",
        location=ctx.config.location("mcp.apps.enabled"),
    )


# --- row 14: config.insecure_or_dangerous_flags ---------------------------------------------

DANGEROUS_FLAGS = define(
    "config.insecure_or_dangerous_flags",
    Severity.WARN,
    "Insecure or dangerous config flag is enabled",
    remediation=(
        "Turn the flag off when you are not actively debugging, or keep the deployment on "
        "trusted, local-only networks."
    ),
    docs="""
## What
One finding per enabled break-glass flag: Host-header origin fallback, unsafe external
content for Gmail hooks and hook mappings, apply_patch and fs tools outside the workspace,
configured audit suppressions, per-request hook session keys, browser access to private
networks, sandbox Docker break-glass switches, and flags that installed plugins declare as
dangerous in their manifest (`configContracts.dangerousFlags`).

## Why
Each flag disables a protection that exists for a reason; left on, it quietly widens what an
attacker or a confused agent can do.

## Fix
Disable the flag, or confine the deployment to trusted local networks.

Plugin flags are read from the manifest of the default agent's workspace plugin with that id
(`<workspace>/.openclaw/extensions/*/openclaw.plugin.json`, found first, as OpenClaw discovers
workspace plugins first), else from `<stateDir>/extensions/<pluginId>/openclaw.plugin.json`;
a plugin without a readable manifest there (bundled plugins included) contributes no flags.
""",
)


@check(Stage.GATEWAY, emits=[DANGEROUS_FLAGS], order=14)
def insecure_or_dangerous_flags(ctx: AuditContext) -> Iterator[Finding]:
    for flag in collect_flags(ctx):
        yield DANGEROUS_FLAGS.finding(
            f"Detected enabled flag: {flag.text}.",
            subject=flag.text,
            location=ctx.config.location(flag.path),
        )
