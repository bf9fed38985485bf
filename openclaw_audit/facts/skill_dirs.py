"""Agent workspaces and the skill directories the code scanner looks at.

Spec: checks-plugins-skills.md §1.5 (skill roots) and §3 (workspaces); agent set from
checks-filesystem.md §1.2.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.facts import files
from openclaw_audit.facts.agents import (
    audit_agent_ids,
    default_agent_id,
    normalize_agent_id,
    roster,
)
from openclaw_audit.facts.install_records import expand_home
from openclaw_audit.facts.plugin_dirs import extensions_dir


def _abs(ctx: AuditContext, raw: str) -> str:
    return os.path.abspath(expand_home(ctx, raw.strip()))


def _configured_workspaces(ctx: AuditContext) -> dict[str, object]:
    """Normalised agent id -> its ``workspace`` value (the first roster entry with that id)."""
    index: dict[str, object] = {}
    for agent in roster(ctx).agents:
        index.setdefault(normalize_agent_id(agent.id), agent.config.get("workspace"))
    return index


def agent_workspace(ctx: AuditContext, agent_id: str) -> str:
    """Configured workspace, else the defaults' (default agent only), else the state dir's."""
    ws = ctx.memo("skills.workspaces", lambda: _configured_workspaces(ctx)).get(agent_id)
    if isinstance(ws, str) and ws.strip():
        return _abs(ctx, ws)
    if agent_id == default_agent_id(ctx):
        ws = ctx.config.get_str("agents.defaults.workspace")
        if ws is not None and ws.strip():
            return _abs(ctx, ws)
        return files.default_workspace(ctx.paths.state_dir, agent_id, is_default=True)
    return files.default_workspace(ctx.paths.state_dir, agent_id, is_default=False)


def agent_workspaces(ctx: AuditContext) -> list[str]:
    """One workspace per audited agent, de-duplicated, in agent order."""
    return list(dict.fromkeys(agent_workspace(ctx, aid) for aid in audit_agent_ids(ctx)))


@dataclass(frozen=True, slots=True)
class SkillDir:
    name: str  # directory name, used in findings
    path: str  # as found (workspace/skills/<name>, ...)
    real: str  # real path; the scan root


def _children(ctx: AuditContext, parent: str) -> list[str]:
    try:
        entries = ctx.state.entries(parent)
    except OSError:
        return []
    # "*/" children: directories and links to directories, never hidden ones.
    return [
        os.path.join(parent, e.name)
        for e in entries
        if not e.name.startswith(".")
        and (
            e.kind == "dir"
            or (e.kind == "symlink" and ctx.state.inspect(os.path.join(parent, e.name)).is_dir)
        )
    ]


def skill_dirs(ctx: AuditContext) -> list[SkillDir]:
    """Skill dirs (with a SKILL.md) from workspaces, managed skills and extra dirs, each once."""
    parents = [os.path.join(ws, "skills") for ws in agent_workspaces(ctx)]
    parents.append(files.managed_skills_dir(ctx.paths.state_dir))
    parents.extend(
        _abs(ctx, d) for d in ctx.config.get_str_list("skills.load.extraDirs") if d.strip()
    )
    ext_real = ctx.state.resolve(extensions_dir(ctx))
    seen: set[str] = set()
    out: list[SkillDir] = []
    for parent in parents:
        for child in _children(ctx, parent):
            if not ctx.state.inspect(os.path.join(child, "SKILL.md")).is_file:
                continue
            real = ctx.state.resolve(child)
            if real in seen or real == ext_real or real.startswith(ext_real + os.sep):
                continue
            seen.add(real)
            out.append(SkillDir(os.path.basename(child), child, real))
    return out
