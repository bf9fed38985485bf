"""Open inbound policies meeting powerful tools (checks-tools-sandbox.md §5, report.md group 19)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.agents import sub
from openclaw_audit.facts.inbound import open_inbound_policies
from openclaw_audit.facts.tool_policy import (
    CONTROL_PLANE_TOOLS,
    allowed_tools,
    sandbox_mode,
    tool_contexts,
)
from openclaw_audit.report.model import Finding, Location, Severity

OPEN_WITH_ELEVATED = define(
    "security.exposure.open_groups_with_elevated",
    Severity.CRITICAL,
    "Open group or DM policy while elevated tools are enabled",
    remediation='Set the listed group/DM policies to "allowlist" and keep elevated allowlists '
    "tight.",
    docs="""
## What
A channel root or account has `groupPolicy` or the DM policy set to `open` and
`tools.elevated.enabled` is not `false` (unset counts as enabled).

## Why
Anyone in those conversations can try to inject instructions; elevated mode turns a
successful injection into host-level actions.

## Fix
Restrict the policies to allowlists or disable elevated mode.
""",
)

OPEN_WITH_RUNTIME_FS = define(
    "security.exposure.open_groups_with_runtime_or_fs",
    Severity.WARN,
    "Open group or DM policy while runtime or file tools are exposed",
    remediation='Prefer `tools.profile="messaging"` or deny `group:runtime`/`group:fs`, set '
    '`tools.fs.workspaceOnly=true`, and use sandbox mode "all" for exposed agents.',
    escalates=True,
    docs="""
## What
Open inbound policies exist and some tool context allows `exec`/`process` without sandbox
mode `all` (critical), or file tools without sandboxing and without `tools.fs.workspaceOnly`
(warn).

## Why
A stranger's message can lead to shell commands or file changes on the host.

## Fix
Use the messaging profile or deny runtime and file tools; sandbox exposed agents.
""",
)

OPEN_WITH_CONTROL_PLANE = define(
    "security.exposure.open_groups_with_control_plane_tools",
    Severity.CRITICAL,
    "Open group or DM policy while control-plane tools are exposed",
    remediation="Deny `automations`, `gateway` and `plugins` for exposed agents, or use the "
    "`messaging` profile.",
    docs="""
## What
Open inbound policies exist and some tool context allows `automations` (`cron`), `gateway`
or `plugins`.

## Why
These tools change the gateway itself: configuration, updates, plugins and scheduled jobs.
An injected message could persist its foothold.

## Fix
Deny the control-plane tools where strangers can talk to the agent.
""",
)


@dataclass(frozen=True, slots=True)
class RiskyContexts:
    lines: list[str]
    has_runtime_risk: bool


def risky_contexts(ctx: AuditContext) -> RiskyContexts:
    lines: list[str] = []
    runtime_risk = False
    glob_ws = ctx.config.get("tools.fs.workspaceOnly")
    for c in tool_contexts(ctx):
        mode = sandbox_mode(ctx, c)
        runtime = allowed_tools(ctx, c, ("exec", "process"))
        fs = allowed_tools(ctx, c, ("read", "write", "edit", "apply_patch"))
        own_ws = sub(c.tools, "fs", "workspaceOnly")
        ws = own_ws if own_ws is not None else glob_ws
        runtime_unguarded = bool(runtime) and mode != "all"
        fs_unguarded = bool(fs) and mode != "all" and ws is not True
        if not (runtime_unguarded or fs_unguarded):
            continue
        runtime_risk = runtime_risk or runtime_unguarded
        lines.append(
            f"{c.label} (sandbox={mode}; runtime=[{', '.join(runtime) or 'off'}]; "
            f"fs=[{', '.join(fs) or 'off'}]; fs.workspaceOnly={'true' if ws is True else 'false'})"
        )
    return RiskyContexts(lines, runtime_risk)


def _first_policy(ctx: AuditContext, paths: list[str]) -> Location:
    """Where an exposure finding is located: the first open policy it lists."""
    return ctx.config.location(paths[0])


def _open_block(paths: list[str]) -> list[str]:
    return ['Inbound policies set to "open":', *(f"- {p}" for p in paths)]


# Every row needs at least one inbound policy set to "open" (checks-tools-sandbox.md §5).


@check(Stage.EXPOSURE, emits=[OPEN_WITH_ELEVATED], order=0)
def open_groups_with_elevated(ctx: AuditContext) -> Iterator[Finding]:
    paths = open_inbound_policies(ctx)
    if paths and not ctx.config.is_false("tools.elevated.enabled"):
        yield OPEN_WITH_ELEVATED.finding(
            "\n".join(
                [
                    *_open_block(paths),
                    "Elevated tools are enabled, so an injection in those conversations can "
                    "reach the host.",
                ]
            ),
            location=_first_policy(ctx, paths),
        )


@check(Stage.EXPOSURE, emits=[OPEN_WITH_RUNTIME_FS], order=1)
def open_groups_with_runtime_or_fs(ctx: AuditContext) -> Iterator[Finding]:
    paths = open_inbound_policies(ctx)
    if not paths:
        return
    risky = risky_contexts(ctx)
    if risky.lines:
        yield OPEN_WITH_RUNTIME_FS.finding(
            "\n".join(
                [
                    *_open_block(paths),
                    "Contexts with unguarded runtime or file tools:",
                    *(f"- {line}" for line in risky.lines),
                ]
            ),
            severity=Severity.CRITICAL if risky.has_runtime_risk else Severity.WARN,
            location=_first_policy(ctx, paths),
        )


@check(Stage.EXPOSURE, emits=[OPEN_WITH_CONTROL_PLANE], order=2)
def open_groups_with_control_plane_tools(ctx: AuditContext) -> Iterator[Finding]:
    paths = open_inbound_policies(ctx)
    if not paths:
        return
    exposed = []
    for c in tool_contexts(ctx):
        tools = allowed_tools(ctx, c, CONTROL_PLANE_TOOLS)
        if not tools:
            continue
        prof = c.tools.get("profile")
        if not isinstance(prof, str) or not prof:
            prof = ctx.config.get("tools.profile")
        prof = prof if isinstance(prof, str) and prof else "none"
        exposed.append(f"- {c.label} (profile={prof}; controlPlane=[{', '.join(tools)}])")
    if exposed:
        yield OPEN_WITH_CONTROL_PLANE.finding(
            "\n".join([*_open_block(paths), "Contexts with control-plane tools:", *exposed]),
            location=_first_policy(ctx, paths),
        )
