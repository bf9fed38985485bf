"""The attack-surface summary, emitted first on every run (checks-gateway.md §2)."""

from __future__ import annotations

from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.report.model import Finding, Severity

MULTI_TENANT_DOC = "https://docs.openclaw.ai/gateway/multi-tenant-hosting"

ATTACK_SURFACE = define(
    "summary.attack_surface",
    Severity.INFO,
    "Attack surface overview",
    remediation=None,
    docs="""
## What
Always emitted. Counts open and allowlisted group policies over the top-level channel
sections and says whether elevated tools, webhooks, internal hooks and browser control are
enabled.

## Why
It frames every other finding: the same tool policy is harmless on a single-operator
gateway and dangerous when strangers can message it.

## Fix
Nothing to fix; it is context. OpenClaw assumes one trusted operator per gateway. For
several tenants, run one isolated gateway per tenant.
""",
)


def _enabled(flag: bool) -> str:
    return "enabled" if flag else "disabled"


def _internal_hooks_enabled(ctx: AuditContext) -> bool:
    cfg = ctx.config
    if cfg.is_false("hooks.internal.enabled"):
        return False
    if cfg.is_true("hooks.internal.enabled"):
        return True
    for name, entry in cfg.get_dict("hooks.internal.entries").items():
        if name.strip() and not (isinstance(entry, dict) and entry.get("enabled") is False):
            return True
    if cfg.get_str_list("hooks.internal.load.extraDirs"):
        return True
    return bool(cfg.get_dict("hooks.internal.installs"))


def _browser_enabled(ctx: AuditContext) -> bool:
    cfg = ctx.config
    if cfg.is_false("browser.enabled") or cfg.is_false("plugins.enabled"):
        return False
    deny = {s.lower() for s in cfg.get_str_list("plugins.deny")}
    allow = {s.lower() for s in cfg.get_str_list("plugins.allow")}
    if "browser" in deny or (allow and "browser" not in allow):
        return False
    return not cfg.is_false(("plugins", "entries", "browser", "enabled"))


@check(Stage.SUMMARY, emits=[ATTACK_SURFACE])
def attack_surface(ctx: AuditContext) -> Iterator[Finding]:
    cfg = ctx.config
    open_groups = allowlist_groups = 0
    for section in cfg.get_dict("channels").values():
        if isinstance(section, dict):
            policy = section.get("groupPolicy")
            open_groups += policy == "open"
            allowlist_groups += policy == "allowlist"
    lines = [
        f"groups: open={open_groups}, allowlist={allowlist_groups}",
        f"tools.elevated: {_enabled(not cfg.is_false('tools.elevated.enabled'))}",
        f"hooks.webhooks: {_enabled(cfg.is_true('hooks.enabled'))}",
        f"hooks.internal: {_enabled(_internal_hooks_enabled(ctx))}",
        f"browser control: {_enabled(_browser_enabled(ctx))}",
        "trust model: personal assistant (one trusted operator boundary), not a hostile "
        "multi-tenant host; for several tenants run one isolated gateway per tenant "
        f"({MULTI_TENANT_DOC})",
    ]
    yield ATTACK_SURFACE.finding("\n".join(lines))
