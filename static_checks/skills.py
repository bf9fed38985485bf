"""Workspace skills whose SKILL.md lives outside the workspace (checks-plugins-skills.md §3)."""

from __future__ import annotations

import os
from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.files import is_inside
from openclaw_audit.facts.skill_dirs import agent_workspaces
from openclaw_audit.report.model import Finding, Severity

MAX_DEPTH = 6
# Entries looked at per workspace; a runaway skills tree must not stall the static audit.
MAX_ENTRIES = 20_000

SYMLINK_ESCAPE = define(
    "skills.workspace.symlink_escape",
    Severity.WARN,
    "Workspace skill resolves outside the workspace",
    remediation="Remove or replace the symlinks so every skill's files live inside the "
    "agent workspace.",
    docs="""
## What
Walks `<workspace>/skills/` of every audited agent (depth 6 at most, skipping `node_modules`
and dot-directories) and reports each `SKILL.md` whose real path lies outside the workspace.
One finding per workspace.

## Why
Skills are instructions the agent trusts. A symlink that points out of the workspace lets
whoever controls the target change what the agent is told to do, and hides the skill from
reviews of the workspace itself.

## Fix
Copy the skill into the workspace or delete the link.

Decision: directory symlinks are followed only while they stay inside the workspace. A
directory link that leaves it is not walked, but a `SKILL.md` directly inside it is still
reported, since that is the common way a whole skill is linked in from elsewhere.
""",
)


def _escapes(ctx: AuditContext, workspace: str) -> list[tuple[str, str]]:
    ws_real = ctx.state.resolve(workspace)
    out: list[tuple[str, str]] = []
    visited: set[str] = set()
    budget = MAX_ENTRIES
    stack: list[tuple[str, int]] = [(os.path.join(workspace, "skills"), 0)]
    while stack and budget > 0:
        current, depth = stack.pop()
        real = ctx.state.resolve(current)
        if real in visited:
            continue  # symlink loops and links back into the tree
        visited.add(real)
        try:
            entries = ctx.state.entries(current)
        except OSError:
            continue
        subdirs: list[tuple[str, int]] = []
        for e in entries:
            budget -= 1
            if budget <= 0:
                break
            path = os.path.join(current, e.name)
            if e.name == "SKILL.md" and e.kind in ("file", "symlink"):
                target = ctx.state.resolve(path)
                if not is_inside(ws_real, target):
                    out.append((path, target))
                continue
            if e.name.startswith(".") or e.name == "node_modules" or depth >= MAX_DEPTH:
                continue
            if e.kind == "dir":
                subdirs.append((path, depth + 1))
            elif e.kind == "symlink" and ctx.state.inspect(path).is_dir:
                if is_inside(ws_real, ctx.state.resolve(path)):
                    subdirs.append((path, depth + 1))
                else:
                    skill_md = os.path.join(path, "SKILL.md")
                    if ctx.state.inspect(skill_md).ok:
                        out.append((skill_md, ctx.state.resolve(skill_md)))
        stack.extend(reversed(subdirs))
    return out


@check(Stage.SKILLS_WORKSPACE, emits=[SYMLINK_ESCAPE])
def workspace_symlink_escape(ctx: AuditContext) -> Iterator[Finding]:
    for workspace in agent_workspaces(ctx):
        if not ctx.state.inspect(workspace).is_dir:
            continue
        escapes = _escapes(ctx, workspace)
        if not escapes:
            continue
        lines = [f"Workspace {workspace} has skills that resolve outside it:"]
        lines.extend(f"- {path} -> {target}" for path, target in escapes)
        yield SYMLINK_ESCAPE.finding("\n".join(lines), subject=workspace)
