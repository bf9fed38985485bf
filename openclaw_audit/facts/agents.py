"""The agent roster as the tool/sandbox checks see it (checks-tools-sandbox.md §1.1).

Differs from ``_common.roster`` in two ways the tool checks need: every agent is labelled
``agents.entries.<id>`` whichever roster form the config uses, and a config without any roster
key has one implicit agent ``main`` that inherits the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.facts.common import normalize_agent_id, roster

SANDBOX_MODES = ("off", "non-main", "all")


@dataclass(frozen=True, slots=True)
class AgentInfo:
    id: str  # as written in the config ("main" for the implicit agent)
    label: str  # agents.entries.<id>
    config: Mapping[str, Any]  # the agent object ({} for the implicit agent)
    implicit: bool = False


def agents(ctx: AuditContext) -> list[AgentInfo]:
    """Roster agents in config order, or the implicit ``main`` when there is no roster key."""
    return ctx.memo("agents.infos", lambda: _agents(ctx))


def _agents(ctx: AuditContext) -> list[AgentInfo]:
    r = roster(ctx)
    if r.kind == "none":
        return [AgentInfo(id="main", label="agents.entries.main", config={}, implicit=True)]
    return [AgentInfo(id=a.id, label=f"agents.entries.{a.id}", config=a.config) for a in r.agents]


def has_roster_key(ctx: AuditContext) -> bool:
    return roster(ctx).kind != "none"


def _mode(value: Any) -> str | None:
    return value if isinstance(value, str) and value in SANDBOX_MODES else None


def defaults_sandbox_mode(ctx: AuditContext) -> str:
    return _mode(ctx.config.get("agents.defaults.sandbox.mode")) or "off"


def agent_sandbox_mode(ctx: AuditContext, agent: Mapping[str, Any] | None) -> str:
    """``<agent>.sandbox.mode`` ?? defaults ?? ``off``; ``None`` means the defaults context."""
    if agent is not None:
        sandbox = agent.get("sandbox")
        if isinstance(sandbox, Mapping):
            own = _mode(sandbox.get("mode"))
            if own is not None:
                return own
    return defaults_sandbox_mode(ctx)


def sub(obj: Any, *keys: str) -> Any:
    """Walk nested mappings; None as soon as a step is not a mapping or the key is missing."""
    node = obj
    for key in keys:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def sub_dict(obj: Any, *keys: str) -> Mapping[str, Any]:
    v = sub(obj, *keys)
    return v if isinstance(v, Mapping) else {}


def default_scope_id(ctx: AuditContext) -> str:
    """The exec default scope id (§1.5): sole agent, single ``default: true``, main, or global."""
    r = roster(ctx)
    if r.kind == "none":
        return "main"
    if len(r.agents) == 1:
        return normalize_agent_id(r.agents[0].id)
    if ctx.config.get("agents.ownership") != "explicit":
        marked = [a for a in r.agents if a.config.get("default") is True]
        if len(marked) == 1:
            return normalize_agent_id(marked[0].id)
    return "global"
