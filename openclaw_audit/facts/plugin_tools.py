"""Would a plugin tool be reachable in a tool-policy context? (checks-plugins-skills.md §1.4)

Asks the shared tool-policy resolver whether the synthetic tool ``__openclaw_plugin_probe__``
passes every policy layer, and whether some allow list names plugins explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.facts.tool_policy import (
    ToolContext,
    profile_name,
    tool_allowed,
    tool_contexts,
)

PROBE_TOOL = "__openclaw_plugin_probe__"

# Profiles that resolve to a tool policy (checks-tools-sandbox.md §1.2).
RESTRICTIVE_PROFILES = frozenset({"minimal", "coding", "messaging"})


def _str_list(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str) and v.strip()]


def _dict(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _allow_lists(ctx: AuditContext, tc: ToolContext) -> list[list[str]]:
    lists: list[list[str]] = []
    for src in (ctx.config.get_dict("tools"), tc.tools):
        lists.append(_str_list(src.get("allow")))
        lists.append(_str_list(src.get("alsoAllow")))
        for per_provider in _dict(src.get("byProvider")).values():
            p = _dict(per_provider)
            lists.append(_str_list(p.get("allow")))
            lists.append(_str_list(p.get("alsoAllow")))
    return lists


def is_permissive(ctx: AuditContext, tc: ToolContext, enabled_ids: list[str]) -> bool:
    profile = profile_name(ctx, tc)
    restrictive = profile is not None and profile.strip().lower() in RESTRICTIVE_PROFILES
    if tool_allowed(ctx, tc, PROBE_TOOL):  # "broad": nothing stops an unknown tool
        return True
    if restrictive:
        return False
    wanted = {"group:plugins", *enabled_ids}
    return any(e.strip().lower() in wanted for lst in _allow_lists(ctx, tc) for e in lst)


def permissive_contexts(ctx: AuditContext, enabled_ids: list[str]) -> list[str]:
    """Labels of the permissive contexts: ``default`` (global policy), then each agent."""
    return [
        "default" if tc.agent is None else tc.label
        for tc in tool_contexts(ctx)
        if is_permissive(ctx, tc, enabled_ids)
    ]
