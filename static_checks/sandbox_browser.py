"""Sandbox browser DevTools exposure (checks-tools-sandbox.md §3, report.md group 12).

Runs after the dangerous Docker settings of ``sandbox`` in the same stage.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.agents import agent_sandbox_mode, agents, sub, sub_dict
from openclaw_audit.report.model import Finding, Severity

CDP_BRIDGE = define(
    "sandbox.browser_cdp_bridge_unrestricted",
    Severity.WARN,
    "Sandbox browser DevTools port is open to the whole bridge network",
    remediation="Set `sandbox.browser.cdpSourceRange` (for example the bridge gateway address as "
    "a /32), or keep the dedicated default network `openclaw-sandbox-browser`, so only the "
    "gateway can reach the browser's DevTools port.",
    docs="""
## What
A sandboxed context (defaults or agent, mode not `off`) enables the sandbox browser on the
shared `bridge` network without `cdpSourceRange`.

## Why
Any container on the default bridge can then drive the browser over the DevTools protocol:
read pages, cookies and sessions. Upstream 2026.9.6 no longer reports this because its
runtime derives a range itself; we keep it, since the config alone does not show that and the
explicit range is the documented hardening.

## Fix
Restrict the source range or use the dedicated network.
""",
)


def _browser_field(ctx: AuditContext, agent: Mapping[str, Any] | None, key: str) -> Any:
    own = sub(agent, "sandbox", "browser", key) if agent is not None else None
    if own is not None:
        return own
    return sub_dict(ctx.config.get_dict("agents.defaults"), "sandbox", "browser").get(key)


@check(Stage.SANDBOX_DANGEROUS, order=10, emits=[CDP_BRIDGE])
def browser_cdp_bridge(ctx: AuditContext) -> Iterator[Finding]:
    contexts: list[tuple[str, Mapping[str, Any] | None]] = [("agents.defaults", None)]
    contexts += [(a.label, a.config) for a in agents(ctx) if not a.implicit]
    hits: list[str] = []
    for label, agent in contexts:
        if agent_sandbox_mode(ctx, agent) == "off":
            continue
        if _browser_field(ctx, agent, "enabled") is not True:
            continue
        network = _browser_field(ctx, agent, "network")
        network = network if isinstance(network, str) else "openclaw-sandbox-browser"
        if network.strip().lower() != "bridge":
            continue
        cdp = _browser_field(ctx, agent, "cdpSourceRange")
        if isinstance(cdp, str) and cdp.strip():
            continue
        hits.append(f"- {label}")
    if hits:
        yield CDP_BRIDGE.finding(
            'The sandbox browser runs on the shared "bridge" network without '
            "sandbox.browser.cdpSourceRange in:\n" + "\n".join(hits)
        )
