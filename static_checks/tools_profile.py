"""A global minimal tool profile undone by agent profiles (checks-tools-sandbox.md §4)."""

from __future__ import annotations

from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.agents import agents, sub
from openclaw_audit.report.model import Finding, Severity

MINIMAL_OVERRIDDEN = define(
    "tools.profile_minimal_overridden",
    Severity.WARN,
    "Agents override the global minimal tool profile",
    remediation='Set those agents to `tools.profile="minimal"` or remove their override.',
    docs="""
## What
`tools.profile` is `minimal` but some agents set their own `tools.profile` to something else.

## Why
An agent's profile replaces the global one rather than narrowing it, so these agents get far
more tools than the global setting suggests.

## Fix
Make the agents minimal too, or drop their profile override.
""",
)


@check(Stage.TOOLS_PROFILE, emits=[MINIMAL_OVERRIDDEN])
def minimal_overridden(ctx: AuditContext) -> Iterator[Finding]:
    if ctx.config.get("tools.profile") != "minimal":
        return
    hits = []
    for a in agents(ctx):
        prof = sub(a.config, "tools", "profile")
        if isinstance(prof, str) and prof and prof != "minimal":
            hits.append(f"- {a.label}={prof}")
    if hits:
        yield MINIMAL_OVERRIDDEN.finding(
            "tools.profile is minimal, but these agent profiles replace it:\n" + "\n".join(hits)
        )
