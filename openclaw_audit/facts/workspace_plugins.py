"""Plugins in the default agent's workspace (checks-plugins-skills.md §1.1, workspace plugins).

OpenClaw 2026.9.6 also loads plugins from ``<workspace>/.openclaw/extensions/``; their
``openclaw.plugin.json`` manifests declare dangerous-flag contracts and plugin ids.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.facts.agents import default_agent_id
from openclaw_audit.facts.plugin_dirs import is_ignored_dir_name, manifest_id
from openclaw_audit.facts.skill_dirs import agent_workspace


@dataclass(frozen=True, slots=True)
class WorkspacePlugin:
    id: str  # the manifest id, lower-cased
    path: str  # the plugin directory


def workspace_extensions_dir(ctx: AuditContext) -> str:
    return os.path.join(agent_workspace(ctx, default_agent_id(ctx)), ".openclaw", "extensions")


def workspace_plugins(ctx: AuditContext) -> tuple[WorkspacePlugin, ...]:
    """Workspace plugin dirs with a manifest id, sorted by dir name; () when none."""
    return ctx.memo("plugins.workspace", lambda: _workspace_plugins(ctx))


def _workspace_plugins(ctx: AuditContext) -> tuple[WorkspacePlugin, ...]:
    root = workspace_extensions_dir(ctx)
    try:
        entries = ctx.state.entries(root)
    except OSError:
        return ()  # no workspace plugins is the normal state
    names = sorted(e.name for e in entries if e.kind == "dir" and not is_ignored_dir_name(e.name))
    out: list[WorkspacePlugin] = []
    for name in names:
        path = os.path.join(root, name)
        mid = manifest_id(ctx, path)  # upstream identifies a plugin by its manifest
        if mid is not None:
            out.append(WorkspacePlugin(mid.lower(), path))
    return tuple(out)
