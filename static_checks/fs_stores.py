"""Filesystem permissions of include files, credentials, agent stores and the log file.

Spec: checks-filesystem.md §2.3-2.6. Continues the filesystem group after ``fs_state_config``.
Include files and per-agent stores are walked path by path (agent by agent), because the spec
orders their findings by path: at most one ladder rung per path, auth stores before the
session index of the same agent.
"""

from __future__ import annotations

from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import Stage, check, define
from openclaw_audit.facts.agents import audit_agent_ids
from openclaw_audit.facts.files import agent_root, auth_store_paths, log_file_path, sessions_index
from openclaw_audit.report.model import Finding, Severity
from openclaw_audit.state.view import Perms
from openclaw_audit.static_checks.fs_state_config import PERMS_FIX, perm_finding

# --- include files ---------------------------------------------------------------------------

_INCLUDE_WHAT = """
Include files are every `$include` reachable from the main config, found by a lenient scan
that applies no directory boundary (so files the loader would reject are checked too).
"""
INCLUDE_WRITABLE = define(
    "fs.config_include.perms_writable",
    Severity.CRITICAL,
    "Config include file is writable by other users",
    remediation="chmod 600 <include>",
    docs="""
## What
A config include file is group- or world-writable.
"""
    + _INCLUDE_WHAT
    + """
## Why
Its content is merged into the effective config: another user could change auth or tool policy.
"""
    + PERMS_FIX,
)
INCLUDE_WORLD_READABLE = define(
    "fs.config_include.perms_world_readable",
    Severity.CRITICAL,
    "Config include file is readable by every user",
    remediation="chmod 600 <include>",
    docs="""
## What
A config include file is world-readable.
"""
    + _INCLUDE_WHAT
    + """
## Why
Include files commonly hold the secrets split out of the main config.
"""
    + PERMS_FIX,
)
INCLUDE_GROUP_READABLE = define(
    "fs.config_include.perms_group_readable",
    Severity.WARN,
    "Config include file is readable by its group",
    remediation="chmod 600 <include>",
    docs="""
## What
A config include file is group-readable.
"""
    + _INCLUDE_WHAT
    + """
## Why
Group members can read the secrets and settings it contributes.
"""
    + PERMS_FIX,
)

# --- credentials dir -------------------------------------------------------------------------

CREDS_WRITABLE = define(
    "fs.credentials_dir.perms_writable",
    Severity.CRITICAL,
    "Credentials directory is writable by other users",
    remediation="chmod 700 <credsDir>",
    docs="""
## What
The credentials directory (`OPENCLAW_OAUTH_DIR` or `<stateDir>/credentials`) is a directory
that is group- or world-writable.

## Why
Others could add themselves to channel allowlists, approve pairings or swap OAuth credentials.
"""
    + PERMS_FIX,
)
CREDS_READABLE = define(
    "fs.credentials_dir.perms_readable",
    Severity.WARN,
    "Credentials directory can be read by other users",
    remediation="chmod 700 <credsDir>",
    docs="""
## What
The credentials directory is group- or world-readable (and not writable by others).

## Why
Channel credentials, pairing state and allowlists are sensitive. Files inside are not audited
one by one; `--fix` tightens them.
"""
    + PERMS_FIX,
)

# --- per-agent stores ------------------------------------------------------------------------

_AUTH_DECISION = """
Both auth stores are checked under this id, one finding per offending file:
`agents/<id>/agent/auth-profiles.json` (the legacy JSON store) and the SQLite store
`openclaw-agent.sqlite` with its `-wal`, `-shm` and `-journal` siblings (open question decided:
reuse `fs.auth_profiles.*` so the audit covers the same files as `--fix`). Agents audited:
`main`, the default agent and every configured agent id.
"""
AUTH_WRITABLE = define(
    "fs.auth_profiles.perms_writable",
    Severity.CRITICAL,
    "Agent auth store is writable by other users",
    remediation="chmod 600 <file>",
    docs="""
## What
An agent's model-credential store is group- or world-writable.
"""
    + _AUTH_DECISION
    + """
## Why
Another user could inject or replace model provider credentials, redirecting the agent's traffic.
"""
    + PERMS_FIX,
)
AUTH_READABLE = define(
    "fs.auth_profiles.perms_readable",
    Severity.WARN,
    "Agent auth store can be read by other users",
    remediation="chmod 600 <file>",
    docs="""
## What
An agent's model-credential store is group- or world-readable.
"""
    + _AUTH_DECISION
    + """
## Why
It holds API keys and OAuth tokens.
"""
    + PERMS_FIX,
)
SESSIONS_READABLE = define(
    "fs.sessions_store.perms_readable",
    Severity.WARN,
    "Session index can be read by other users",
    remediation="chmod 600 <file>",
    docs="""
## What
`agents/<id>/sessions/sessions.json` is group- or world-readable. There is no writable variant:
a file that others can write but not read is not reported.

## Why
The session index reveals who talks to the agent, over which channel, and where transcripts live.
"""
    + PERMS_FIX,
)

# --- log file --------------------------------------------------------------------------------

LOG_READABLE = define(
    "fs.log_file.perms_readable",
    Severity.WARN,
    "Log file can be read by other users",
    remediation="chmod 600 <logFile>",
    docs="""
## What
The file named by `logging.file` is group- or world-readable. A leading `~` is expanded with
`HOME` (`~user` forms are not expanded); relative paths resolve against the current directory.
Without `logging.file` nothing is checked.

## Why
Logs are redacted but still carry message excerpts, tool output and identifiers.

## Fix
`chmod 600 <logFile>` (not applied by `--fix`).
""",
)


# Include files: one rung of the file ladder per path (§1.6), in collection order.


def _include_writable(ctx: AuditContext, perms: Perms) -> Iterator[Finding]:
    if perms.writable_by_others:
        reason = "others could change the effective config"
        yield perm_finding(ctx, INCLUDE_WRITABLE, perms, reason, is_dir=False)


def _include_world_readable(ctx: AuditContext, perms: Perms) -> Iterator[Finding]:
    if not perms.writable_by_others and perms.world_readable:
        reason = "include files can hold tokens and API keys"
        yield perm_finding(ctx, INCLUDE_WORLD_READABLE, perms, reason, is_dir=False)


def _include_group_readable(ctx: AuditContext, perms: Perms) -> Iterator[Finding]:
    if not (perms.writable_by_others or perms.world_readable) and perms.group_readable:
        reason = "include files can hold tokens and API keys"
        yield perm_finding(ctx, INCLUDE_GROUP_READABLE, perms, reason, is_dir=False)


_INCLUDE_ROWS = (_include_writable, _include_world_readable, _include_group_readable)


@check(
    Stage.FILESYSTEM,
    emits=[INCLUDE_WRITABLE, INCLUDE_WORLD_READABLE, INCLUDE_GROUP_READABLE],
    order=20,
)
def config_include_perms(ctx: AuditContext) -> Iterator[Finding]:
    if not ctx.config_exists:
        return  # the scan only runs on an existing, parsed main config (§1.5)
    for path in ctx.include_files:
        perms = ctx.state.perms(path, ctx.platform, ctx.env)
        if not perms.ok:
            continue
        for row in _INCLUDE_ROWS:
            yield from row(ctx, perms)


def _credentials_dir(ctx: AuditContext) -> Perms | None:
    perms = ctx.state.perms(ctx.paths.creds_dir, ctx.platform, ctx.env)
    return perms if perms.ok and perms.is_dir else None


@check(Stage.FILESYSTEM, emits=[CREDS_WRITABLE], order=30)
def credentials_dir_writable(ctx: AuditContext) -> Iterator[Finding]:
    perms = _credentials_dir(ctx)
    if perms is not None and perms.writable_by_others:
        reason = "others could alter pairing approvals, allowlists and channel credentials"
        yield perm_finding(ctx, CREDS_WRITABLE, perms, reason, is_dir=True)


@check(Stage.FILESYSTEM, emits=[CREDS_READABLE], order=31)
def credentials_dir_readable(ctx: AuditContext) -> Iterator[Finding]:
    perms = _credentials_dir(ctx)
    if perms is not None and not perms.writable_by_others and perms.readable_by_others:
        reason = "channel credentials and allowlists are sensitive"
        yield perm_finding(ctx, CREDS_READABLE, perms, reason, is_dir=True)


def _auth_writable(ctx: AuditContext, perms: Perms, label: str) -> Iterator[Finding]:
    if perms.writable_by_others:
        yield perm_finding(
            ctx,
            AUTH_WRITABLE,
            perms,
            "others could inject or replace model credentials",
            is_dir=False,
            title=f"{label} is writable by other users",
        )


def _auth_readable(ctx: AuditContext, perms: Perms, label: str) -> Iterator[Finding]:
    if not perms.writable_by_others and perms.readable_by_others:
        yield perm_finding(
            ctx,
            AUTH_READABLE,
            perms,
            "it holds API keys and OAuth tokens",
            is_dir=False,
            title=f"{label} can be read by other users",
        )


_AUTH_ROWS = (_auth_writable, _auth_readable)


def _agent_stores(ctx: AuditContext, agent_id: str) -> Iterator[Finding]:
    if not ctx.state.inspect(agent_root(ctx.paths.state_dir, agent_id)).is_dir:
        # Missing, not a directory (or a link to none), unreadable: nothing below it can be
        # lstat-ed, so every store would be skipped. Most agents of a large config have no
        # directory yet.
        return
    json_store, sqlite_files = auth_store_paths(ctx.paths.state_dir, agent_id)
    sqlite_perms = [ctx.state.perms(p, ctx.platform, ctx.env) for p in sqlite_files]
    has_sqlite = any(p.ok for p in sqlite_perms)
    json_label = (
        f"Legacy auth-profiles.json of agent {agent_id}"
        if has_sqlite
        else f"auth-profiles.json of agent {agent_id}"
    )
    targets = [(ctx.state.perms(json_store, ctx.platform, ctx.env), json_label)]
    targets += [(p, f"SQLite auth store of agent {agent_id}") for p in sqlite_perms]
    for perms, label in targets:
        if perms.ok:
            for row in _AUTH_ROWS:
                yield from row(ctx, perms, label)

    store = sessions_index(ctx.paths.state_dir, agent_id)
    perms = ctx.state.perms(store, ctx.platform, ctx.env)
    if perms.ok and perms.readable_by_others:
        reason = "session routing and transcript metadata are sensitive"
        yield perm_finding(ctx, SESSIONS_READABLE, perms, reason, is_dir=False)


@check(Stage.FILESYSTEM, emits=[AUTH_WRITABLE, AUTH_READABLE, SESSIONS_READABLE], order=40)
def agent_stores(ctx: AuditContext) -> Iterator[Finding]:
    for agent_id in audit_agent_ids(ctx):
        yield from _agent_stores(ctx, agent_id)


@check(Stage.FILESYSTEM, emits=[LOG_READABLE], order=50)
def log_file_readable(ctx: AuditContext) -> Iterator[Finding]:
    path = log_file_path(ctx)
    if path is None:
        return
    perms = ctx.state.perms(path, ctx.platform, ctx.env)
    if perms.ok and perms.readable_by_others:
        yield LOG_READABLE.finding(
            perms.detail("logs are redacted but still carry messages and tool output"),
            remediation=perms.tighten_command(ctx.env, is_dir=False),
            subject=path,
            location=ctx.config.location("logging.file"),
        )
