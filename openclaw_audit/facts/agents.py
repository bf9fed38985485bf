"""The agent roster and per-agent settings, as OpenClaw resolves them.

Spec: checks-tools-sandbox.md §1.1 (roster, implicit ``main``), checks-filesystem.md §1.2
(audited agent ids). Two views of one roster: :func:`roster` keeps the config's own labels
(``agents.entries.<key>`` or ``agents.list.<i>``) for checks that point at the config, while
:func:`agents` labels every agent ``agents.entries.<id>`` and, when there is no roster key,
yields the implicit agent ``main`` that inherits the defaults (what the tool checks need).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openclaw_audit import lazyre
from openclaw_audit.engine.context import AuditContext

_AGENT_ID_OK = lazyre.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$", re.IGNORECASE)
_AGENT_ID_BAD_RUN = lazyre.compile(r"[^a-z0-9_-]+")
SANDBOX_MODES = ("off", "non-main", "all")


def normalize_agent_id(value: str) -> str:
    s = value.strip()
    if _AGENT_ID_OK.match(s):
        return s.lower()
    s = _AGENT_ID_BAD_RUN.sub("-", s.lower()).strip("-")[:64]
    return s or "main"


@dataclass(frozen=True, slots=True)
class Agent:
    id: str  # as written in the config (entries key or list item id)
    label: str  # config path prefix of this agent: agents.entries.<key> or agents.list.<i>
    config: Mapping[str, Any]  # the agent object ({} when not an object)
    index: int  # position in the roster


@dataclass(frozen=True, slots=True)
class Roster:
    kind: str  # "entries", "list" or "none" (no roster key: implicit agent main)
    agents: tuple[Agent, ...]


def roster(ctx: AuditContext) -> Roster:
    """The configured agents: ``agents.entries`` (map) if present, else ``agents.list``."""
    return ctx.memo("agents.roster", lambda: _roster(ctx))


def _roster(ctx: AuditContext) -> Roster:
    agents_cfg = ctx.config.get_dict("agents")
    if "entries" in agents_cfg:
        entries = agents_cfg.get("entries")
        out = []
        if isinstance(entries, Mapping):
            for i, (key, value) in enumerate(entries.items()):
                cfg = value if isinstance(value, Mapping) else {}
                out.append(Agent(id=key, label=f"agents.entries.{key}", config=cfg, index=i))
        return Roster("entries", tuple(out))
    if "list" in agents_cfg:
        items = agents_cfg.get("list")
        out = []
        if isinstance(items, list):
            for i, value in enumerate(items):
                if isinstance(value, Mapping) and isinstance(value.get("id"), str):
                    out.append(
                        Agent(id=value["id"], label=f"agents.list.{i}", config=value, index=i)
                    )
        return Roster("list", tuple(out))
    return Roster("none", ())


def default_agent_id(ctx: AuditContext) -> str:
    return ctx.memo("agents.default_agent_id", lambda: _default_agent_id(ctx))


def _default_agent_id(ctx: AuditContext) -> str:
    agents = roster(ctx).agents
    for agent in agents:
        if agent.config.get("default") is True:
            return normalize_agent_id(agent.id)
    if agents:
        return normalize_agent_id(agents[0].id)
    return "main"


def audit_agent_ids(ctx: AuditContext) -> list[str]:
    """``main``, then the default agent, then every roster id (normalised, de-duplicated)."""
    ids = ["main", default_agent_id(ctx)]
    ids.extend(normalize_agent_id(a.id) for a in roster(ctx).agents if a.id.strip())
    return list(dict.fromkeys(ids))


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


def sandbox_configured(ctx: AuditContext) -> bool:
    """Whether any agent (or the defaults) runs tools in a sandbox (mode other than off)."""
    if defaults_sandbox_mode(ctx) != "off":
        return True
    return any(agent_sandbox_mode(ctx, a.config) != "off" for a in agents(ctx))


def sub(obj: Any, *keys: str) -> Any:
    """Walk nested mappings; None as soon as a step is not a mapping or the key is missing."""
    node = obj
    for key in keys:
        # A plain dict or a missing value: no ABC check in the common cases.
        if type(node) is not dict and (node is None or not isinstance(node, Mapping)):
            return None
        node = node.get(key)
    return node


def sub_dict(obj: Any, *keys: str) -> Mapping[str, Any]:
    v = sub(obj, *keys)
    return v if type(v) is dict or (v is not None and isinstance(v, Mapping)) else {}


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
