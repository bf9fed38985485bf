"""Exec security scopes and the exec-approvals state file (checks-tools-sandbox.md §1.5)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openclaw_audit import lazyre
from openclaw_audit.engine.context import AuditContext
from openclaw_audit.facts import files
from openclaw_audit.facts.agents import (
    agents,
    default_scope_id,
    normalize_agent_id,
    sub,
    sub_dict,
)

_MODE_TO_SECURITY = {"deny": "deny", "allowlist": "allowlist", "ask": "allowlist"}
_MODE_TO_SECURITY |= {"auto": "allowlist", "full": "full"}
_SECURITIES = ("deny", "allowlist", "full")


def level_security(exec_cfg: Any) -> str | None:
    """Security of one config level: from ``mode`` when set, else ``security``; None if unset."""
    mode = sub(exec_cfg, "mode")
    if isinstance(mode, str) and mode in _MODE_TO_SECURITY:
        return _MODE_TO_SECURITY[mode]
    sec = sub(exec_cfg, "security")
    return sec if isinstance(sec, str) and sec in _SECURITIES else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True, slots=True)
class ExecScope:
    id: str
    security: str
    host: str
    agent: Mapping[str, Any] | None  # None for the default scope built from global settings

    @property
    def line(self) -> str:
        return f"- {self.id}: security={self.security}, host={self.host}"


def global_security(ctx: AuditContext) -> str:
    return level_security(ctx.config.get("tools.exec")) or "deny"


def global_host(ctx: AuditContext) -> str:
    return _str(ctx.config.get("tools.exec.host")) or "auto"


def agent_security(ctx: AuditContext, agent: Mapping[str, Any]) -> str:
    return level_security(sub(agent, "tools", "exec")) or global_security(ctx)


def agent_host(ctx: AuditContext, agent: Mapping[str, Any]) -> str:
    return _str(sub(agent, "tools", "exec", "host")) or global_host(ctx)


def exec_scopes(ctx: AuditContext) -> list[ExecScope]:
    """Default scope first, then one per agent; a repeated id replaces the earlier scope
    (computed once per audit; each caller gets its own list)."""
    return list(ctx.memo("exec.scopes", lambda: _exec_scopes(ctx)))


def _exec_scopes(ctx: AuditContext) -> list[ExecScope]:
    scopes: dict[str, ExecScope] = {}
    did = default_scope_id(ctx)
    scopes[did] = ExecScope(did, global_security(ctx), global_host(ctx), None)
    for a in agents(ctx):
        sid = normalize_agent_id(a.id)
        scopes[sid] = ExecScope(
            sid, agent_security(ctx, a.config), agent_host(ctx, a.config), a.config
        )
    return list(scopes.values())


def load_exec_approvals(ctx: AuditContext) -> Mapping[str, Any]:
    """``<stateDir>/exec-approvals.json`` as a dict; {} when missing, unreadable or invalid.
    Read once per audit."""
    return ctx.memo("exec.approvals", lambda: _load_exec_approvals(ctx))


def _load_exec_approvals(ctx: AuditContext) -> Mapping[str, Any]:
    text = ctx.state.read_text(files.exec_approvals_path(ctx.paths.state_dir))
    if text is None:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, Mapping) else {}


def approvals_agents(approvals: Mapping[str, Any]) -> Mapping[str, Any]:
    return sub_dict(approvals, "agents")


_INTERPRETERS = frozenset(
    [
        "ash",
        "awk",
        "bash",
        "busybox",
        "bun",
        "cmd",
        "cmd.exe",
        "cscript",
        "dash",
        "deno",
        "fish",
        "gawk",
        "gsed",
        "ksh",
        "lua",
        "mawk",
        "nawk",
        "node",
        "nodejs",
        "perl",
        "php",
        "powershell",
        "powershell.exe",
        "pypy",
        "pwsh",
        "pwsh.exe",
        "python",
        "python2",
        "python3",
        "ruby",
        "sed",
        "sh",
        "toybox",
        "wscript",
        "zsh",
    ]
)
_VERSIONED_INTERPRETER = lazyre.compile(r"^(python|ruby|perl|php|node)\d+(\.\d+)?$")
_EXE_SUFFIX = lazyre.compile(r"\.(exe|cmd|bat|com)$")


def normalize_bin(name: str) -> str:
    """Lower-cased basename without a Windows executable suffix."""
    base = re.split(r"[/\\]", name.strip().lower())[-1]
    return _EXE_SUFFIX.sub("", base)


def is_interpreter(name: str) -> bool:
    raw = re.split(r"[/\\]", name.strip().lower())[-1]
    norm = normalize_bin(name)
    return raw in _INTERPRETERS or norm in _INTERPRETERS or bool(_VERSIONED_INTERPRETER.match(norm))
