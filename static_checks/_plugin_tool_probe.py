"""Would a plugin tool be reachable in a tool-policy context? (checks-plugins-skills.md §1.4)

A narrow, private probe: it asks whether the synthetic tool ``__openclaw_plugin_probe__`` passes
every policy layer, and whether some allow list names plugins explicitly.
"""

# TODO(lead): reuse _tool_policy (the shared resolver) once it lands; this copy exists only so
# the plugin checks could be built independently.

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from openclaw_audit.context import AuditContext
from openclaw_audit.static_checks._common import roster

PROBE_TOOL = "__openclaw_plugin_probe__"

# Profiles that resolve to a tool policy (checks-tools-sandbox.md §1.2). Their allow lists never
# contain the probe tool, so only their membership matters here; the lists are kept short on
# purpose and only need to be non-empty and probe-free.
RESTRICTIVE_PROFILES = frozenset({"minimal", "coding", "messaging"})

_ALIASES = {"bash": "exec", "apply-patch": "apply_patch", "cron": "automations"}

# Default sandbox tool policy (mode "all"): a non-empty allow list without the probe tool.
_SANDBOX_DEFAULT_ALLOW = (
    "exec",
    "process",
    "read",
    "ls",
    "write",
    "edit",
    "apply_patch",
    "view_image",
    "sessions_list",
    "sessions_history",
    "sessions_search",
    "sessions_send",
    "sessions_spawn",
    "sessions_yield",
    "subagents",
    "session_status",
)


@dataclass(frozen=True, slots=True)
class Layer:
    allow: tuple[str, ...]
    deny: tuple[str, ...]


def _norm(entry: str) -> str:
    e = entry.strip().lower()
    return _ALIASES.get(e, e)


def _str_list(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str) and v.strip()]


@lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(p) for p in pattern.split("*")))


def _matches(entry: str, tool: str) -> bool:
    """Exact name or ``*`` glob. Groups never contain the synthetic probe tool."""
    e = _norm(entry)
    if e.startswith("group:"):
        return False
    if "*" in e:
        return _glob(e).fullmatch(tool) is not None
    return e == tool


def _allows(layer: Layer, tool: str) -> bool:
    if any(_matches(d, tool) for d in layer.deny):
        return False
    return not layer.allow or any(_matches(a, tool) for a in layer.allow)


def _dict(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True, slots=True)
class ProbeContext:
    label: str
    agent_tools: Mapping[str, Any]  # {} for the default context
    sandbox_mode: str
    agent_sandbox_tools: Mapping[str, Any]


def contexts(ctx: AuditContext) -> list[ProbeContext]:
    """``default`` then one context per roster agent (implicit ``main`` without a roster)."""
    defaults_mode = ctx.config.get_str("agents.defaults.sandbox.mode") or "off"
    out = [ProbeContext("default", {}, defaults_mode, {})]
    agents = roster(ctx).agents
    if not agents:
        return [*out, ProbeContext("agents.entries.main", {}, defaults_mode, {})]
    for agent in agents:
        tools = _dict(agent.config.get("tools"))
        mode = _dict(agent.config.get("sandbox")).get("mode")
        out.append(
            ProbeContext(
                f"agents.entries.{agent.id}",
                tools,
                mode if isinstance(mode, str) else defaults_mode,
                _dict(_dict(tools.get("sandbox")).get("tools")),
            )
        )
    return out


def _profile(ctx: AuditContext, pc: ProbeContext) -> str | None:
    p = pc.agent_tools.get("profile")
    if p is None:
        p = ctx.config.get("tools.profile")
    return p if isinstance(p, str) else None


def _layers(ctx: AuditContext, pc: ProbeContext, restrictive: bool) -> list[Layer]:
    tools = ctx.config.get_dict("tools")
    layers: list[Layer] = []
    if restrictive:
        also = pc.agent_tools.get("alsoAllow")
        if not isinstance(also, list):
            also = tools.get("alsoAllow")
        # The profile's own tools are never the probe; "profile" stands in for them.
        layers.append(Layer(("profile", *_str_list(also)), ()))
    for src in (tools, pc.agent_tools):
        allow = _str_list(src.get("allow"))
        deny = _str_list(src.get("deny"))
        if allow or deny:
            layers.append(Layer(tuple(allow), tuple(deny)))
    if pc.sandbox_mode == "all":
        glob_sb = _dict(_dict(tools.get("sandbox")).get("tools"))
        allow_v = pc.agent_sandbox_tools.get("allow")
        if not isinstance(allow_v, list):
            allow_v = glob_sb.get("allow")
        deny_v = pc.agent_sandbox_tools.get("deny")
        if not isinstance(deny_v, list):
            deny_v = glob_sb.get("deny")
        allow = tuple(_str_list(allow_v)) if isinstance(allow_v, list) else _SANDBOX_DEFAULT_ALLOW
        layers.append(Layer(allow, tuple(_str_list(deny_v))))
    return layers


def _allow_lists(ctx: AuditContext, pc: ProbeContext) -> list[list[str]]:
    lists: list[list[str]] = []
    for src in (ctx.config.get_dict("tools"), pc.agent_tools):
        lists.append(_str_list(src.get("allow")))
        lists.append(_str_list(src.get("alsoAllow")))
        for per_provider in _dict(src.get("byProvider")).values():
            p = _dict(per_provider)
            lists.append(_str_list(p.get("allow")))
            lists.append(_str_list(p.get("alsoAllow")))
    return lists


def is_permissive(ctx: AuditContext, pc: ProbeContext, enabled_ids: list[str]) -> bool:
    profile = _profile(ctx, pc)
    restrictive = profile in RESTRICTIVE_PROFILES
    broad = all(_allows(layer, PROBE_TOOL) for layer in _layers(ctx, pc, restrictive))
    if broad:
        return True
    if restrictive:
        return False
    wanted = {"group:plugins", *enabled_ids}
    return any(e.strip().lower() in wanted for lst in _allow_lists(ctx, pc) for e in lst)


def permissive_contexts(ctx: AuditContext, enabled_ids: list[str]) -> list[str]:
    return [pc.label for pc in contexts(ctx) if is_permissive(ctx, pc, enabled_ids)]
