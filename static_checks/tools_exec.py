"""Exec runtime group, first rows (checks-tools-sandbox.md §2, report.md group 7).

How far a prompt-injected agent can reach through shell execution: exec pinned to a sandbox
that is off, exec security per scope, open channels meeting exec, filesystem tools denied while
exec stays on. Exec approvals and safe-bin trust follow in ``tools_exec_approvals``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.agents import agent_sandbox_mode, agents, defaults_sandbox_mode, sub
from openclaw_audit.facts.exec_policy import agent_host, exec_scopes, global_host
from openclaw_audit.facts.inbound import open_exec_surface
from openclaw_audit.facts.tool_policy import sandbox_mode, tool_allowed, tool_contexts
from openclaw_audit.report.model import Finding, Severity

HOST_SANDBOX_DEFAULTS = define(
    "tools.exec.host_sandbox_no_sandbox_defaults",
    Severity.WARN,
    "Exec is pinned to the sandbox but sandboxing is off",
    remediation=(
        "Enable sandbox mode (`agents.defaults.sandbox.mode`) or set "
        '`tools.exec.host` to "gateway".'
    ),
    docs="""
## What
`tools.exec.host` is `"sandbox"` while the default sandbox mode resolves to `off`.

## Why
Exec that must run in a sandbox which never starts fails closed: the tool breaks and
operators are tempted to loosen things in a hurry. The setting says one thing and the
runtime does another.

## Fix
Turn sandboxing on, or choose `gateway` as the exec host on purpose.
""",
)

HOST_SANDBOX_AGENTS = define(
    "tools.exec.host_sandbox_no_sandbox_agents",
    Severity.WARN,
    "Agents pin exec to the sandbox but their sandbox is off",
    remediation=(
        'For each listed agent enable sandbox mode or set its `tools.exec.host` to "gateway".'
    ),
    docs="""
## What
An agent sets its own `tools.exec.host` to `"sandbox"` while its resolved sandbox mode is
`off`. The detail names up to five such agents.

## Why
Same mismatch as the defaults case, per agent: exec fails closed, or someone disables the
guard to make it work.

## Fix
Enable sandboxing for those agents or set their exec host to `gateway`.
""",
)

SECURITY_FULL = define(
    "tools.exec.security_full_configured",
    Severity.WARN,
    'Host exec runs with security="full"',
    remediation='Prefer `tools.exec.security="allowlist"` with approvals (`ask`) over "full".',
    escalates=True,
    docs="""
## What
Some exec scope (the default scope or an agent) resolves to exec security `full`, either via
`tools.exec.security` or via `tools.exec.mode="full"`. Critical when a channel group or DM
policy is `open` anywhere under `channels` (the detail lists those paths), else warn.

## Why
`full` runs any command the model asks for on the host, with no approval and no allowlist.
With open inbound paths, a stranger's message is enough.

## Fix
Use `allowlist` plus approvals, and keep `full` for isolated, single-user setups.
""",
)

OPEN_CHANNELS_WITH_EXEC = define(
    "security.exposure.open_channels_with_exec",
    Severity.WARN,
    "Open channels can reach agents that may run commands",
    remediation=(
        "Tighten the listed channel policies (pairing/allowlist) or deny exec "
        "for the agents those channels reach."
    ),
    escalates=True,
    docs="""
## What
Some nested channel `groupPolicy`/`dmPolicy` is `open` and at least one exec scope has
security other than `deny`. Critical when a scope runs with `full`, else warn.

## Why
Anyone who can write in an open group or DM can try to steer the agent into running shell
commands; allowlists and approvals are then the only barrier.

## Fix
Close the listed policies or disable exec for the exposed agents.
""",
)

FS_DISABLED_EXEC_ENABLED = define(
    "tools.exec.fs_tools_disabled_but_exec_enabled",
    Severity.WARN,
    "File tools are denied but exec can still write files",
    remediation=(
        "Deny exec and process as well, or run the context with sandbox mode "
        "`all`, exec inside the sandbox (not `gateway` or `node`) and `workspaceAccess` "
        "`ro` or `none`."
    ),
    docs="""
## What
A tool context where `write`, `edit` and `apply_patch` are all denied by the policy stack
while `exec` is still allowed (`process` alone does not count: it only manages sessions that
exec started). Exempt, as in OpenClaw 2026.9.6: sandbox mode `all`, an exec host other than
`gateway` or `node` (`tools.exec.host`, agent first, default `auto`), and a `workspaceAccess`
other than `rw` (default `none`).

## Why
Denying the file tools looks like a read-only agent, but a shell can write any file it can
reach. The restriction is cosmetic.

## Fix
Deny the runtime tools too, or sandbox the context without write access to the workspace.
""",
)


@check(Stage.EXEC, order=0, emits=[HOST_SANDBOX_DEFAULTS])
def host_sandbox_no_sandbox_defaults(ctx: AuditContext) -> Iterator[Finding]:
    if ctx.config.get("tools.exec.host") == "sandbox" and defaults_sandbox_mode(ctx) == "off":
        yield HOST_SANDBOX_DEFAULTS.finding(
            'tools.exec.host is "sandbox" but agents.defaults.sandbox.mode resolves to "off", '
            "so exec cannot start (it fails closed).",
            subject="tools.exec.host",
            location=ctx.config.location("tools.exec.host"),
        )


@check(Stage.EXEC, order=1, emits=[HOST_SANDBOX_AGENTS])
def host_sandbox_no_sandbox_agents(ctx: AuditContext) -> Iterator[Finding]:
    hits = [
        a.id
        for a in agents(ctx)
        if sub(a.config, "tools", "exec", "host") == "sandbox"
        and agent_sandbox_mode(ctx, a.config) == "off"
    ]
    if hits:
        shown = ", ".join(hits[:5]) + (f" (+{len(hits) - 5} more)" if len(hits) > 5 else "")
        yield HOST_SANDBOX_AGENTS.finding(
            f'These agents set tools.exec.host="sandbox" while their sandbox mode is "off": '
            f"{shown}.",
        )


@check(Stage.EXEC, order=10, emits=[SECURITY_FULL])
def security_full_configured(ctx: AuditContext) -> Iterator[Finding]:
    full = [s for s in exec_scopes(ctx) if s.security == "full"]
    if full:
        surface = open_exec_surface(ctx)
        lines = ['Exec scopes running with security="full":', *(s.line for s in full)]
        if surface:
            lines += ['Open inbound policies (policy="open"):', *(f"- {p}" for p in surface)]
        yield SECURITY_FULL.finding(
            "\n".join(lines),
            severity=Severity.CRITICAL if surface else Severity.WARN,
        )


@check(Stage.EXEC, order=11, emits=[OPEN_CHANNELS_WITH_EXEC])
def open_channels_with_exec(ctx: AuditContext) -> Iterator[Finding]:
    scopes = exec_scopes(ctx)
    surface = open_exec_surface(ctx)
    enabled = [s for s in scopes if s.security != "deny"]
    if surface and enabled:
        full = [s for s in scopes if s.security == "full"]
        lines = [
            'Open inbound policies (policy="open"):',
            *(f"- {p}" for p in surface),
            "Exec-enabled scopes:",
            *(s.line for s in enabled),
        ]
        yield OPEN_CHANNELS_WITH_EXEC.finding(
            "\n".join(lines),
            severity=Severity.CRITICAL if full else Severity.WARN,
            location=ctx.config.location(surface[0]),  # the first open policy listed
        )


def _workspace_access(ctx: AuditContext, agent: Mapping[str, Any] | None) -> str:
    own = sub(agent, "sandbox", "workspaceAccess") if agent is not None else None
    if isinstance(own, str) and own:
        return own
    dflt = ctx.config.get_str("agents.defaults.sandbox.workspaceAccess")
    return dflt or "none"


def _exec_confined(mode: str, host: str, access: str) -> bool:
    # Upstream 2026.9.6's exemption: sandboxed exec without a writable workspace mount.
    return mode == "all" and host not in ("gateway", "node") and access != "rw"


@check(Stage.EXEC, order=20, emits=[FS_DISABLED_EXEC_ENABLED])
def fs_disabled_exec_enabled(ctx: AuditContext) -> Iterator[Finding]:
    hits: list[str] = []
    for c in tool_contexts(ctx):
        if any(tool_allowed(ctx, c, t) for t in ("write", "edit", "apply_patch")):
            continue
        # `process` alone only manages sessions that exec started; it writes nothing.
        if not tool_allowed(ctx, c, "exec"):
            continue
        runtime = [t for t in ("exec", "process") if tool_allowed(ctx, c, t)]
        mode = sandbox_mode(ctx, c)
        host = agent_host(ctx, c.agent) if c.agent is not None else global_host(ctx)
        access = _workspace_access(ctx, c.agent)
        if _exec_confined(mode, host, access):
            continue
        hits.append(
            f"- {c.label} (runtime=[{', '.join(runtime)}]; sandbox={mode}; "
            f"exec.host={host}; workspaceAccess={access})"
        )
    if hits:
        yield FS_DISABLED_EXEC_ENABLED.finding(
            "write, edit and apply_patch are denied, yet these contexts can still run shell "
            "commands that write files:\n" + "\n".join(hits)
        )
