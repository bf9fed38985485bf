"""One resolver for "is tool X allowed in context C" (checks-tools-sandbox.md §1.2-§1.3).

Every tool-related check (and the plugins helper) asks the same questions through this module:

- :func:`tool_contexts` lists the contexts: ``agents.defaults`` then one per agent.
- :func:`tool_allowed` answers whether a tool survives every policy layer of a context.
- :func:`policy_layers` exposes the layers themselves for callers that need more detail.

Names are lower-cased and trimmed, aliases fold onto their canonical name, ``group:*`` entries
expand to their members and ``*`` globs match by pattern. Deny always wins inside a layer, and a
tool is allowed only when every layer allows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.facts.agents import (
    agent_sandbox_mode,
    agents,
    sub,
    sub_dict,
)

ALIASES: Mapping[str, str] = {"bash": "exec", "apply-patch": "apply_patch", "cron": "automations"}

_SESSIONS = (
    "sessions",
    "sessions_list",
    "sessions_history",
    "sessions_search",
    "conversations_list",
    "conversations_send",
    "conversations_turn",
    "sessions_send",
    "sessions_spawn",
    "github_identity_status",
    "github_publish",
    "agents_wait",
    "sessions_yield",
    "subagents",
    "session_status",
    "suggest_task",
    "dismiss_task",
)

_BASE_GROUPS: dict[str, tuple[str, ...]] = {
    "group:fs": ("ls", "read", "write", "edit", "apply_patch"),
    "group:runtime": ("exec", "process", "code_execution", "secrets"),
    "group:web": ("web_search", "web_fetch", "x_search"),
    "group:memory": ("memory_search", "memory_get"),
    "group:sessions": _SESSIONS,
    "group:ui": (
        "browser",
        "screen",
        "theme",
        "dashboard",
        "terminal",
        "portal",
        "canvas",
        "show_widget",
    ),
    "group:messaging": ("message",),
    "group:automation": ("heartbeat_respond", "automations", "gateway", "plugins", "openclaw"),
    "group:nodes": ("nodes", "computer", "mobile_ui"),
    "group:agents": (
        "agents_list",
        "get_goal",
        "create_goal",
        "update_goal",
        "progress_card",
        "ask_user",
        "skill_workshop",
    ),
    "group:media": (
        "view_image",
        "image_generate",
        "music_generate",
        "video_generate",
        "tts",
        "pdf",
    ),
}


def _openclaw_group() -> tuple[str, ...]:
    excluded = {*_BASE_GROUPS["group:fs"], "exec", "process", "canvas"}
    out: list[str] = []
    for members in _BASE_GROUPS.values():
        out.extend(t for t in members if t not in excluded and t not in out)
    return tuple(out)


TOOL_GROUPS: Mapping[str, tuple[str, ...]] = {**_BASE_GROUPS, "group:openclaw": _openclaw_group()}

PROFILES: Mapping[str, tuple[str, ...]] = {
    "minimal": ("session_status", "gateway"),
    "coding": (
        *("ls", "read", "write", "edit", "apply_patch"),
        *("exec", "process", "code_execution", "secrets"),
        *("web_search", "web_fetch", "x_search", "memory_search", "memory_get"),
        *_SESSIONS,
        *("screen", "theme", "dashboard", "terminal", "portal"),
        *("automations", "gateway", "plugins"),
        *("get_goal", "create_goal", "update_goal", "progress_card", "ask_user", "skill_workshop"),
        *("view_image", "image_generate", "music_generate", "video_generate", "bundle-mcp"),
    ),
    "messaging": (
        "secrets",
        *("sessions", "sessions_list", "sessions_history", "sessions_search"),
        *("conversations_list", "conversations_send", "conversations_turn"),
        *("sessions_send", "sessions_spawn", "sessions_yield", "subagents", "session_status"),
        *("theme", "message", "gateway", "ask_user", "bundle-mcp"),
    ),
}

CONTROL_PLANE_TOOLS: tuple[str, ...] = ("automations", "gateway", "plugins")

# Chat channel ids double as channel tool names; the default sandbox policy denies them all.
CHANNEL_TOOL_IDS: tuple[str, ...] = (
    "telegram",
    "whatsapp",
    "discord",
    "irc",
    "googlechat",
    "slack",
    "signal",
    "imessage",
    "msteams",
    "matrix",
    "mattermost",
    "line",
    "feishu",
    "nostr",
    "twitch",
    "zalo",
    "bluebubbles",
)

SANDBOX_DEFAULT_ALLOW: tuple[str, ...] = (
    *("exec", "process", "read", "ls", "write", "edit", "apply_patch", "view_image"),
    *("sessions_list", "sessions_history", "sessions_search", "sessions_send"),
    *("sessions_spawn", "sessions_yield", "subagents", "session_status"),
)
SANDBOX_DEFAULT_DENY: tuple[str, ...] = (
    *("browser", "canvas", "computer", "mobile_ui", "nodes", "automations", "gateway"),
    *CHANNEL_TOOL_IDS,
)


def normalize_tool_name(name: str) -> str:
    n = name.strip().lower()
    return ALIASES.get(n, n)


@lru_cache(maxsize=4096)
def _entry_matcher(entry: str) -> tuple[frozenset[str], re.Pattern[str] | None]:
    """Exact names an entry stands for, or a glob pattern (``*`` wildcards)."""
    norm = normalize_tool_name(entry)
    if norm in TOOL_GROUPS:
        return frozenset(TOOL_GROUPS[norm]), None
    if "*" in norm:
        regex = ".*".join(re.escape(part) for part in norm.split("*"))
        return frozenset(), re.compile(regex)
    return frozenset({norm}), None


def _entries(value: Any) -> tuple[str, ...] | None:
    """A policy list: None when absent or not a list; non-string and blank items dropped."""
    if not isinstance(value, list):
        return None
    return tuple(v for v in value if isinstance(v, str) and v.strip())


def _matches(entries: Iterable[str], tool: str) -> bool:
    for entry in entries:
        names, pattern = _entry_matcher(entry)
        if tool in names or (pattern is not None and pattern.fullmatch(tool)):
            return True
    return False


# A policy list folded into one name set and its glob patterns: ``_matches`` in one set
# lookup. Every agent with the same profile or sandbox defaults shares one.
_Matcher = tuple[frozenset[str], tuple["re.Pattern[str]", ...]]
_MATCHERS: dict[tuple[str, ...], _Matcher] = {}


def _matcher(entries: tuple[str, ...]) -> _Matcher:
    found = _MATCHERS.get(entries)
    if found is None:
        names: set[str] = set()
        patterns: list[re.Pattern[str]] = []
        for entry in entries:
            exact, pattern = _entry_matcher(entry)
            names |= exact
            if pattern is not None:
                patterns.append(pattern)
        found = (frozenset(names), tuple(patterns))
        if len(_MATCHERS) < 4096:
            _MATCHERS[entries] = found
    return found


def _hit(matcher: _Matcher, tool: str) -> bool:
    names, patterns = matcher
    return tool in names or any(p.fullmatch(tool) for p in patterns)


@dataclass(frozen=True, slots=True)
class Layer:
    """One policy layer. ``allow=None`` or empty allows everything that is not denied."""

    name: str
    allow: tuple[str, ...] | None = None
    deny: tuple[str, ...] = ()
    _allow: _Matcher = field(init=False, repr=False, compare=False)
    _deny: _Matcher = field(init=False, repr=False, compare=False)
    _answers: dict[str, bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_allow", _matcher(self.allow or ()))
        object.__setattr__(self, "_deny", _matcher(self.deny))
        object.__setattr__(self, "_answers", {})

    def allows(self, tool: str) -> bool:
        known = self._answers.get(tool)
        if known is None:
            known = self._decide(tool)
            if len(self._answers) < 1024:
                self._answers[tool] = known
        return known

    def _decide(self, tool: str) -> bool:
        name = normalize_tool_name(tool)
        if _hit(self._deny, name):
            return False
        return not self.allow or _hit(self._allow, name)


# Agents with the same policy lists share one Layer (and the answers it has given).
_LAYERS: dict[tuple[str, tuple[str, ...] | None, tuple[str, ...]], Layer] = {}


def _layer(name: str, allow: tuple[str, ...] | None, deny: tuple[str, ...] = ()) -> Layer:
    key = (name, allow, deny)
    found = _LAYERS.get(key)
    if found is None:
        found = Layer(name, allow=allow, deny=deny)
        if len(_LAYERS) < 4096:
            _LAYERS[key] = found
    return found


@dataclass(frozen=True, slots=True)
class ToolContext:
    """A place tools are resolved: ``agents.defaults`` or one agent."""

    label: str  # "agents.defaults" or "agents.entries.<id>"
    agent_id: str | None  # None for the defaults context
    agent: Mapping[str, Any] | None  # the agent object; None for the defaults context

    @property
    def tools(self) -> Mapping[str, Any]:
        """The agent's own ``tools`` object ({} for the defaults context)."""
        return sub_dict(self.agent, "tools") if self.agent is not None else {}


def tool_contexts(ctx: AuditContext) -> list[ToolContext]:
    """``agents.defaults`` followed by one context per agent, in config order."""
    out = [ToolContext(label="agents.defaults", agent_id=None, agent=None)]
    out.extend(ToolContext(label=a.label, agent_id=a.id, agent=a.config) for a in agents(ctx))
    return out


def sandbox_mode(ctx: AuditContext, context: ToolContext) -> str:
    return agent_sandbox_mode(ctx, context.agent)


def profile_name(ctx: AuditContext, context: ToolContext) -> str | None:
    """The effective ``tools.profile`` (agent wins, not merged), as written."""
    own = context.tools.get("profile")
    if isinstance(own, str) and own.strip():
        return own
    glob = ctx.config.get("tools.profile")
    return glob if isinstance(glob, str) and glob.strip() else None


def _profile_layer(ctx: AuditContext, context: ToolContext) -> Layer | None:
    name = profile_name(ctx, context)
    members = PROFILES.get(name.strip().lower()) if name else None
    if members is None:
        return None  # full, unset or unknown: no profile layer
    also = _entries(context.tools.get("alsoAllow"))
    if also is None:
        also = _entries(ctx.config.get("tools.alsoAllow"))
    return _layer("profile", (*members, *(also or ())))


def _list_layer(name: str, tools_cfg: Any) -> Layer | None:
    allow = _entries(sub(tools_cfg, "allow"))
    deny = _entries(sub(tools_cfg, "deny"))
    if allow is None and deny is None:
        return None
    return _layer(name, allow, deny or ())


def _sandbox_layer(ctx: AuditContext, context: ToolContext) -> Layer:
    glob = ctx.config.get_dict("tools.sandbox.tools")
    own = sub_dict(context.tools, "sandbox", "tools")
    allow = _entries(own.get("allow"))
    if allow is None:
        allow = _entries(glob.get("allow"))
    deny = _entries(own.get("deny"))
    if deny is None:
        deny = _entries(glob.get("deny"))
    return _layer(
        "sandbox",
        SANDBOX_DEFAULT_ALLOW if allow is None else allow,
        SANDBOX_DEFAULT_DENY if deny is None else deny,
    )


def _provider_entry(by_provider: Any, model_ref: str) -> Any:
    """``byProvider["<provider>/<model>"]`` when present, else ``byProvider["<provider>"]``."""
    if not isinstance(by_provider, Mapping) or not by_provider:
        return None
    lookup = {k.strip().lower(): v for k, v in by_provider.items() if isinstance(k, str)}
    ref = model_ref.strip().lower()
    provider, _, model = ref.partition("/")
    if not model:
        provider, model = "openai", ref
    for key in (f"{provider}/{model}", provider):
        hit = lookup.get(key)
        if isinstance(hit, Mapping):
            return hit
    return None


def policy_layers(
    ctx: AuditContext, context: ToolContext, model_ref: str | None = None
) -> list[Layer]:
    """The layers that apply in ``context`` (§1.3), in order; absent layers are skipped."""
    key = f"tool_policy.layers:{context.label}:{id(context.agent)}:{model_ref}"
    return ctx.memo(key, lambda: _policy_layers(ctx, context, model_ref))


def _policy_layers(ctx: AuditContext, context: ToolContext, model_ref: str | None) -> list[Layer]:
    layers: list[Layer | None] = [
        _profile_layer(ctx, context),
        _list_layer("global", ctx.config.get_dict("tools")),
    ]
    if context.agent is not None:
        layers.append(_list_layer("agent", context.tools))
    if sandbox_mode(ctx, context) == "all":
        layers.append(_sandbox_layer(ctx, context))
    if model_ref:
        glob = _provider_entry(ctx.config.get("tools.byProvider"), model_ref)
        layers.append(_list_layer("byProvider", glob))
        if context.agent is not None:
            own = _provider_entry(context.tools.get("byProvider"), model_ref)
            layers.append(_list_layer("agent.byProvider", own))
    return [layer for layer in layers if layer is not None]


def tool_allowed(
    ctx: AuditContext, context: ToolContext, tool_name: str, model_ref: str | None = None
) -> bool:
    """True iff every policy layer of ``context`` allows ``tool_name``."""
    return all(layer.allows(tool_name) for layer in policy_layers(ctx, context, model_ref))


def allowed_tools(
    ctx: AuditContext, context: ToolContext, names: Iterable[str], model_ref: str | None = None
) -> list[str]:
    """The subset of ``names`` allowed in ``context``, in the given order."""
    layers = policy_layers(ctx, context, model_ref)
    return [n for n in names if all(layer.allows(n) for layer in layers)]
