"""The agent roster must name exactly one default agent (checks-tools-sandbox.md §5a)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.agents import roster
from openclaw_audit.report.model import Finding, Severity

INVALID_DEFAULT_COUNT = define(
    "config.agent_roster.invalid_default_count",
    Severity.WARN,
    "Agent roster does not resolve to exactly one default agent",
    remediation="Run `openclaw doctor --fix` to repair the agent roster.",
    docs="""
## What
Fires when `agents.entries` (or the older `agents.list`) is present but the roster does not
single out one default agent: several entries carry `default: true`, or there are several
entries and none is marked, or the roster is empty. With `agents.ownership: "explicit"` any
`default: true` marker fires, because explicit ownership has no default agent.

## Why
OpenClaw refuses such a roster when it validates the config, so the gateway may not start,
or messages may route to an agent you did not expect. A roster key of the wrong type is
treated as absent.

## Fix
Mark exactly one agent with `default: true` (or keep a single agent), or let
`openclaw doctor --fix` repair the roster.
""",
)


@check(Stage.AGENT_ROSTER, emits=[INVALID_DEFAULT_COUNT])
def invalid_default_count(ctx: AuditContext) -> Iterator[Finding]:
    agents_cfg = ctx.config.get_dict("agents")
    r = roster(ctx)
    raw = agents_cfg.get("entries") if r.kind == "entries" else agents_cfg.get("list")
    if r.kind == "none" or not isinstance(raw, Mapping | list):
        return
    count = len(r.agents)
    markers = sum(1 for a in r.agents if a.config.get("default") is True)
    key = f"agents.{r.kind}"
    if agents_cfg.get("ownership") == "explicit":
        if markers == 0:
            return
        detail = (
            f'agents.ownership is "explicit" but {markers} of {count} agents in {key} '
            "carry default: true; explicit ownership allows none."
        )
    else:
        if count == 1 or markers == 1:
            return
        detail = (
            f"{key} has {count} agent(s) and {markers} default marker(s); exactly one agent, "
            "or exactly one entry with default: true, is required."
        )
    yield INVALID_DEFAULT_COUNT.finding(
        detail,
        remediation=ctx.cmd(INVALID_DEFAULT_COUNT.remediation or ""),
        subject=key,
        location=ctx.config.location(key),
    )
