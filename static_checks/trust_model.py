"""Trust-model warnings: shared sessions and multi-user signals (checks-tools-sandbox.md §5)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.agents import agents, has_roster_key, sub
from openclaw_audit.facts.inbound import multi_user_signals
from openclaw_audit.facts.tool_policy import allowed_tools, sandbox_mode, tool_contexts
from openclaw_audit.report.model import Finding, Severity
from openclaw_audit.static_checks.exposure import risky_contexts

GROUPS_DOC = "https://docs.openclaw.ai/channels/groups#session-keys"
TRUST_DOC = "https://docs.openclaw.ai/gateway/security/trust-model"
MULTI_TENANT_DOC = "https://docs.openclaw.ai/gateway/multi-tenant-hosting"

GROUP_SCOPE_MAIN = define(
    "security.trust_model.group_scope_main",
    Severity.WARN,
    "Group rooms share the agent's main session",
    remediation="Use a per-group session scope (`session.groupScope`) and remove bindings that "
    f"set it to main, except for fully trusted rooms: {GROUPS_DOC}",
    docs="""
## What
`session.groupScope` is `main`, or a binding for a group/channel room sets
`session.groupScope: "main"` (and no earlier binding for the same channel, account and peer
takes precedence).

## Why
Every member of those rooms then shares the operator's main session: its history, memory
and whatever it can do.

## Fix
Scope sessions per group. Decision (open question): bindings without `match.peer` are
channel-wide, not rooms, and are ignored.
""",
)

MULTI_USER = define(
    "security.trust_model.multi_user_heuristic",
    Severity.WARN,
    "This gateway looks like it serves several users",
    precision="medium",  # a heuristic: it infers from names or patterns
    remediation="Split trust boundaries (separate gateways, credentials, ideally OS users). For "
    'intended shared use set sandbox mode "all", `tools.fs.workspaceOnly=true`, deny '
    "runtime/fs/web tools, and keep personal credentials off that runtime.",
    docs="""
## What
Channel settings suggest more than one person can talk to the agents: open group or DM
policies, group allowlists with configured rooms, or `*` in `allowFrom` lists.

## Why
OpenClaw's model is one trusted operator per gateway. Several users sharing one agent share
its tools, files and credentials.

## Fix
Run one gateway per trust boundary, or lock the shared runtime down.
""",
)

CROSS_AGENT = define(
    "security.trust_model.cross_agent_session_access_default",
    Severity.INFO,
    "Agents can read and message each other's sessions",
    remediation='Set `tools.sessions.visibility` to "agent", "tree" or "self", restrict '
    "`tools.agentToAgent.allow`, or set `tools.agentToAgent.enabled: false`.",
    escalates=True,
    docs="""
## What
Two or more agents, session visibility `all` (the default), agent-to-agent messaging not
disabled or restricted, and at least one agent that can use session tools without a sandbox
clamp. Warn when any trust-boundary signal exists (sandboxed agents, agent-level tool
restrictions, multi-user channel signals), else info.

## Why
A restricted or sandboxed agent can read or steer a more powerful agent's sessions, so the
restriction does not hold.

## Fix
Narrow session visibility or agent-to-agent messaging.
""",
)

_ROOM_KINDS = ("group", "channel")


def _binding_key(binding: Mapping[str, Any]) -> tuple[Any, Any, Any] | None:
    match = binding.get("match")
    peer = sub(match, "peer")
    if not isinstance(peer, Mapping):
        return None
    return (sub(match, "channel"), sub(match, "accountId"), peer.get("id"))


def _describe_room(binding: Mapping[str, Any]) -> str:
    match = sub(binding, "match")
    peer = sub(match, "peer")
    channel = sub(match, "channel")
    account = sub(match, "accountId")
    text = (
        f"{channel if isinstance(channel, str) else '?'} "
        f"accountId={account if isinstance(account, str) and account else 'default'} "
        f"peer={sub(peer, 'kind')}:{sub(peer, 'id')}"
    )
    guild = sub(match, "guildId")
    if isinstance(guild, str) and guild:
        text += f" guild={guild}"
    roles = sub(match, "roles")
    if isinstance(roles, list) and roles:
        text += f" roles={','.join(str(r) for r in roles)}"
    return text


@check(Stage.TRUST_MODEL, order=0, emits=[GROUP_SCOPE_MAIN])
def group_scope_main(ctx: AuditContext) -> Iterator[Finding]:
    lines: list[str] = []
    if ctx.config.get("session.groupScope") == "main":
        lines.append(
            '- session.groupScope="main" (all group/channel rooms share the main session '
            "unless a binding overrides it)"
        )
    seen: set[tuple[Any, Any, Any]] = set()
    for binding in ctx.config.get_list("bindings"):
        if not isinstance(binding, Mapping):
            continue
        key = _binding_key(binding)
        if key is None:
            continue  # channel-wide binding: not a room
        kind = sub(binding, "match", "peer", "kind")
        is_room = kind in _ROOM_KINDS
        shadowed = key in seen
        if is_room:
            seen.add(key)
        if is_room and not shadowed and sub(binding, "session", "groupScope") == "main":
            agent = binding.get("agentId")
            lines.append(
                f'- bindings[].session.groupScope="main": {_describe_room(binding)} '
                f"(agent={agent if isinstance(agent, str) else 'default'})"
            )
    if lines:
        yield GROUP_SCOPE_MAIN.finding(
            "These group routing scopes merge room conversations into the agent's main "
            "session:\n" + "\n".join(lines) + "\nEveryone in those rooms shares that "
            "session's context; keep this for mutually trusted rooms only."
        )


@check(Stage.TRUST_MODEL, order=10, emits=[MULTI_USER])
def multi_user_heuristic(ctx: AuditContext) -> Iterator[Finding]:
    signals = multi_user_signals(ctx)
    if not signals:
        return
    risky = risky_contexts(ctx)
    impact = (
        "Runtime tools (exec/process) are reachable without full sandboxing in at least one "
        "context."
        if risky.has_runtime_risk
        else "No unguarded runtime tools were found."
    )
    contexts = (
        ["Contexts with unguarded runtime or file tools:", *(f"- {x}" for x in risky.lines)]
        if risky.lines
        else ["Contexts with unguarded runtime or file tools: none"]
    )
    yield MULTI_USER.finding(
        "\n".join(
            [
                "Signals that several people can reach this gateway:",
                *(f"- {s}" for s in signals),
                impact,
                *contexts,
                "OpenClaw assumes one trusted operator per gateway (personal assistant), not "
                "isolation between mutually untrusted users; give each trust boundary its own "
                f"gateway and credentials: {TRUST_DOC} (see also {MULTI_TENANT_DOC})",
            ]
        )
    )


_SESSION_TOOLS = (
    "sessions_list",
    "sessions_history",
    "sessions_search",
    "sessions_send",
    "session_status",
)
_VISIBILITIES = ("self", "tree", "agent", "all")


@check(Stage.TRUST_MODEL, order=20, emits=[CROSS_AGENT])
def cross_agent_session_access(ctx: AuditContext) -> Iterator[Finding]:
    cfg = ctx.config
    ids = (
        list(dict.fromkeys(a.id.lower() for a in agents(ctx))) if has_roster_key(ctx) else ["main"]
    )
    if len(ids) < 2:
        return
    vis = cfg.get("tools.sessions.visibility")
    vis = vis.lower() if isinstance(vis, str) else "all"
    if vis in _VISIBILITIES and vis != "all":
        return
    if cfg.is_false("tools.agentToAgent.enabled") or cfg.get_list("tools.agentToAgent.allow"):
        return
    clamp = cfg.get("agents.defaults.sandbox.sessionToolsVisibility")
    clamp_all = clamp == "all"
    reaching: list[str] = []
    not_reaching: list[str] = []
    signals: list[str] = []
    for c in tool_contexts(ctx)[1:]:
        aid = c.agent_id or ""
        mode = sandbox_mode(ctx, c)
        tools = allowed_tools(ctx, c, _SESSION_TOOLS)
        unclamped = mode != "all" or clamp_all
        if unclamped and tools:
            reaching.append(f"- {aid}: {', '.join(tools)}")
        elif not tools:
            not_reaching.append(f"- {aid}: no session tools allowed")
        else:
            not_reaching.append(f"- {aid}: sandboxed, session tools limited to spawned sessions")
        if mode != "off":
            signals.append(f'{aid}: sandbox.mode="{mode}"')
        restricted = [k for k in ("profile", "allow", "deny") if k in c.tools]
        if restricted:
            keys = ", ".join(f"tools.{k}" for k in restricted)
            signals.append(f"{aid}: agent-level tool restrictions ({keys})")
    if not reaching:
        return
    signals += multi_user_signals(ctx)
    lines = [
        f"Agents: {', '.join(ids)}",
        f'tools.sessions.visibility resolves to "{vis}" and agent-to-agent messaging is open.',
        "Agents that can reach other agents' sessions:",
        *reaching,
    ]
    if not_reaching:
        lines += ["Agents that cannot:", *not_reaching]
    lines += (
        ["Trust-boundary signals:", *(f"- {s}" for s in signals)]
        if signals
        else ["Trust-boundary signals: none"]
    )
    yield CROSS_AGENT.finding(
        "\n".join(lines), severity=Severity.WARN if signals else Severity.INFO
    )
