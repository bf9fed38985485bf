"""Definitions several check groups share: gateway exposure and the agent roster.

Spec: checks-gateway.md §1 (bind, tailscale, remote exposure), checks-tools-sandbox.md §1.1 and
checks-filesystem.md §1.2 (roster, agent ids).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openclaw_audit.engine.context import AuditContext

_AGENT_ID_OK = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$", re.IGNORECASE)
_AGENT_ID_BAD_RUN = re.compile(r"[^a-z0-9_-]+")


def bind_mode(ctx: AuditContext) -> str:
    """``gateway.bind`` when a string, else ``"loopback"``."""
    bind = ctx.config.get_str("gateway.bind")
    return bind if bind is not None else "loopback"


def is_loopback_bind(ctx: AuditContext) -> bool:
    return bind_mode(ctx) == "loopback"


def tailscale_mode(ctx: AuditContext) -> str:
    mode = ctx.config.get_str("gateway.tailscale.mode")
    return mode if mode in ("off", "serve", "funnel") else "off"


def remotely_exposed(ctx: AuditContext) -> bool:
    """bind beyond loopback, or Tailscale serve/funnel (``isGatewayRemotelyExposed``)."""
    return not is_loopback_bind(ctx) or tailscale_mode(ctx) in ("serve", "funnel")


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
    return ctx.memo("common.roster", lambda: _roster(ctx))


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
    return ctx.memo("common.default_agent_id", lambda: _default_agent_id(ctx))


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
