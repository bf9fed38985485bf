"""MCP-boundary pair of the exec group (checks-tools-sandbox.md §2, last two rows).

Agents with skills and host exec can read any MCP server registry the gateway user can read,
so a per-agent MCP split is not a security boundary.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.agents import agent_sandbox_mode, agents, sub
from openclaw_audit.facts.exec_policy import (
    agent_host,
    agent_security,
    global_host,
    global_security,
)
from openclaw_audit.facts.files import mcporter_registry_path
from openclaw_audit.report.model import Finding, Severity

MAX_REGISTRY_BYTES = 16 * 1024 * 1024

REGISTRY_INCOMPLETE = define(
    "tools.exec.mcporter_registry_inspection_incomplete",
    Severity.WARN,
    "The skills MCP registry file could not be inspected",
    remediation="Repair or remove skills/config/mcporter.json in the state dir "
    "(a regular, readable JSON file under 16 MiB).",
    docs="""
## What
Agents with skills can run host commands, and `skills/config/mcporter.json` in the state dir
exists but is not a regular file, is larger than 16 MiB, cannot be read, or is not valid
JSON.

## Why
The audit cannot tell which MCP servers those agents can reach, so the boundary check below
may miss a registry.

## Fix
Make the file a readable JSON file of normal size, or remove it.
""",
)

BOUNDARY_DRIFT = define(
    "tools.exec.agent_skill_mcp_boundary_drift",
    Severity.WARN,
    "Skill-enabled agents with host exec can reach every MCP server registry",
    remediation="Deny exec (or keep a tight allowlist) for agents that need MCP isolation, run "
    "them sandboxed or as another OS user, or move sensitive MCP servers to a separate gateway.",
    docs="""
## What
At least one scope has skills (its own `skills` key or one inherited from `agents.defaults`)
and exec that is not denied and not pinned to the sandbox, and an MCP server registry is
visible: enabled `mcp.servers` entries and/or enabled `mcpServers` of the skills
`mcporter.json` registry.

## Why
A shell on the gateway host reads the same registry files and credentials as the gateway.
Per-agent MCP assignments do not stop such an agent from calling any registered server.

## Fix
Deny exec for agents that must stay isolated, sandbox them, or split sensitive MCP servers
into another gateway. Decision: exec host `auto` counts as the sandbox only when the scope's
sandbox mode is `all`.
""",
)


@dataclass(frozen=True, slots=True)
class _SkillScope:
    id: str
    source: str
    host: str
    security: str
    ask: str

    @property
    def line(self) -> str:
        return (
            f"- {self.id}: {self.source}, exec.host={self.host}, security={self.security}, "
            f"ask={self.ask}"
        )


def _ask(ctx: AuditContext, agent: Mapping[str, Any] | None) -> str:
    own = sub(agent, "tools", "exec", "ask") if agent is not None else None
    if isinstance(own, str) and own:
        return own
    glob = ctx.config.get_str("tools.exec.ask")
    return glob or "on-miss"


def _runs_on_host(host: str, mode: str) -> bool:
    if host == "sandbox":
        return False
    return not (host == "auto" and mode == "all")


def skill_scopes(ctx: AuditContext) -> list[_SkillScope]:
    defaults = ctx.config.get_dict("agents.defaults")
    has_default_skills = "skills" in defaults
    out: list[_SkillScope] = []
    if has_default_skills:
        sec, host = global_security(ctx), global_host(ctx)
        mode = agent_sandbox_mode(ctx, None)
        if sec != "deny" and _runs_on_host(host, mode):
            out.append(
                _SkillScope("agents.defaults", "agents.defaults.skills", host, sec, _ask(ctx, None))
            )
    for a in agents(ctx):
        if "skills" in a.config:
            source = f"{a.label}.skills"
        elif has_default_skills:
            source = "inherits agents.defaults.skills"
        else:
            continue
        sec, host = agent_security(ctx, a.config), agent_host(ctx, a.config)
        mode = agent_sandbox_mode(ctx, a.config)
        if sec != "deny" and _runs_on_host(host, mode):
            out.append(_SkillScope(a.id, source, host, sec, _ask(ctx, a.config)))
    return out


def _enabled_names(servers: Any) -> list[str]:
    if not isinstance(servers, Mapping):
        return []
    return sorted(
        str(k).strip()
        for k, v in servers.items()
        if str(k).strip() and not (isinstance(v, Mapping) and v.get("enabled") is False)
    )


def _inspect_mcporter(ctx: AuditContext) -> tuple[str | None, Any]:
    """(problem, parsed data). (None, None) when the file does not exist."""
    path = mcporter_registry_path(ctx.paths.state_dir)
    info = ctx.state.inspect(path)
    if not info.ok:
        return None, None
    if not info.is_file:
        return "not a regular file", None
    if info.size > MAX_REGISTRY_BYTES:
        return "larger than 16 MiB", None
    text = ctx.state.read_text(path, max_bytes=MAX_REGISTRY_BYTES)
    if text is None:
        return "unreadable", None
    try:
        return None, json.loads(text)
    except ValueError:
        return "not valid JSON", None


def _names_line(label: str, names: list[str]) -> str:
    shown = ", ".join(names[:6]) + (f", +{len(names) - 6} more" if len(names) > 6 else "")
    return f"- {label}: {shown}"


# Both rows concern skill-enabled scopes that run exec on the host; without one, nothing to say.


@check(Stage.EXEC, order=100, emits=[REGISTRY_INCOMPLETE])
def mcporter_registry_inspection_incomplete(ctx: AuditContext) -> Iterator[Finding]:
    if not skill_scopes(ctx):
        return
    problem, _ = _inspect_mcporter(ctx)
    if problem:
        yield REGISTRY_INCOMPLETE.finding(
            f"skills/config/mcporter.json in the state dir is {problem}, so the MCP servers "
            "it registers cannot be listed."
        )


@check(Stage.EXEC, order=101, emits=[BOUNDARY_DRIFT])
def agent_skill_mcp_boundary_drift(ctx: AuditContext) -> Iterator[Finding]:
    scopes = skill_scopes(ctx)
    if not scopes:
        return
    _, data = _inspect_mcporter(ctx)
    registries: list[str] = []
    cfg_names = _enabled_names(ctx.config.get("mcp.servers"))
    if cfg_names:
        registries.append(_names_line("mcp.servers", cfg_names))
    file_names = _enabled_names(sub(data, "mcpServers"))
    if file_names:
        registries.append(_names_line("skills/config/mcporter.json mcpServers", file_names))
    if not registries:
        return
    lines = ["Skill-enabled scopes that run exec on the host:"]
    lines += [s.line for s in scopes[:8]]
    if len(scopes) > 8:
        lines.append(f"+{len(scopes) - 8} more scopes.")
    lines.append("MCP server registries they can read:")
    lines += registries
    yield BOUNDARY_DRIFT.finding("\n".join(lines))
