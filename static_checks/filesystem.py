"""Filesystem permission checks on OpenClaw's state (checks-filesystem.md §2).

One collector emits, in this order: state dir, config file, include files, credentials dir,
then per audited agent its auth stores and session index, then the configured log file.
``fs.synced_dir`` is a separate, earlier stage (report.md §4 item 2).

Every path goes through :meth:`StateView.perms` (POSIX bits, or icacls on Windows). Paths that
are missing or cannot be ``lstat``-ed produce no finding.
"""

from __future__ import annotations

from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import CheckMeta, Stage, check, define
from openclaw_audit.facts.agents import audit_agent_ids
from openclaw_audit.facts.files import auth_store_paths, log_file_path, sessions_index
from openclaw_audit.report.model import Finding, Severity
from openclaw_audit.state.view import Perms

_PERMS_FIX = """
A path that is missing, or that cannot be inspected at all (for example `lstat` denied because
a parent directory belongs to another user), is not reported; the reason is logged at debug
level (open question decided: stay silent, as upstream does).

## Fix
Run the command in the finding (`chmod 700 <dir>` / `chmod 600 <file>`, or the `icacls` reset
on Windows), or `openclaw security audit --fix`.
"""
_WINDOWS_NOTE = """
On Windows the flags come from `icacls`: Everyone, Users, Authenticated Users and similar
well-known SIDs count as "world", any other principal that is not SYSTEM, Administrators or the
current user counts as "group". If `icacls` fails, nothing is reported for that path.
"""

# --- state dir -------------------------------------------------------------------------------

STATE_DIR_SYMLINK = define(
    "fs.state_dir.symlink",
    Severity.WARN,
    "State directory is a symlink",
    remediation="The state directory resolves to another location: treat the link target and "
    "every directory on the way to it as part of the trust boundary.",
    docs="""
## What
The state directory (`OPENCLAW_STATE_DIR` or `~/.openclaw`) is a symbolic link.

## Why
Whoever controls the link, or the directories it points into, controls all OpenClaw state:
credentials, sessions and config. Permissions are judged on the link target.

## Fix
Nothing to run. Make sure the target and its parents are owned by you and not writable by
others, or replace the link with a real directory.
""",
)
STATE_DIR_WORLD_WRITABLE = define(
    "fs.state_dir.perms_world_writable",
    Severity.CRITICAL,
    "State directory is writable by every user",
    remediation="chmod 700 <stateDir>",
    docs="""
## What
The state directory has the world-write bit (`o+w`).

## Why
Any local user or process can replace config, credentials or session files and so take over
the gateway.
"""
    + _WINDOWS_NOTE
    + _PERMS_FIX,
)
STATE_DIR_GROUP_WRITABLE = define(
    "fs.state_dir.perms_group_writable",
    Severity.WARN,
    "State directory is writable by its group",
    remediation="chmod 700 <stateDir>",
    docs="""
## What
The state directory has the group-write bit (`g+w`) and is not world-writable.

## Why
Members of the directory's group can change OpenClaw state.
"""
    + _WINDOWS_NOTE
    + _PERMS_FIX,
)
STATE_DIR_READABLE = define(
    "fs.state_dir.perms_readable",
    Severity.WARN,
    "State directory can be read by other users",
    remediation="chmod 700 <stateDir>",
    docs="""
## What
The state directory is group- or world-readable (and not writable by others).

## Why
Others can list and, depending on file modes, read transcripts, tokens and allowlists.
"""
    + _WINDOWS_NOTE
    + _PERMS_FIX,
)

# --- config ----------------------------------------------------------------------------------

CONFIG_SYMLINK = define(
    "fs.config.symlink",
    Severity.WARN,
    "Config file is a symlink",
    remediation="Replace the link with a regular file, or point OPENCLAW_CONFIG_PATH at the "
    "real file.",
    docs="""
## What
The config file path is a symbolic link.

## Why
Whoever controls the link target controls gateway auth and tool policy. Writability is still
judged on the target (`fs.config.perms_writable`); the two "readable" findings are not emitted
for a linked config (newest upstream behaviour), the link itself is reported here instead.

## Fix
Replace the link with a regular file, or set `OPENCLAW_CONFIG_PATH` to the real file.
""",
)
CONFIG_WRITABLE = define(
    "fs.config.perms_writable",
    Severity.CRITICAL,
    "Config file is writable by other users",
    remediation="chmod 600 <configPath>",
    docs="""
## What
The config file is group- or world-writable (checked on the link target when it is a symlink).

## Why
Anyone who can write it can change gateway auth, open channels and widen tool policy.
"""
    + _WINDOWS_NOTE
    + _PERMS_FIX,
)
CONFIG_WORLD_READABLE = define(
    "fs.config.perms_world_readable",
    Severity.CRITICAL,
    "Config file is readable by every user",
    remediation="chmod 600 <configPath>",
    docs="""
## What
The config file is world-readable (not reported when the config path is a symlink).

## Why
The config often holds gateway tokens, channel bot tokens and API keys.
"""
    + _WINDOWS_NOTE
    + _PERMS_FIX,
)
CONFIG_GROUP_READABLE = define(
    "fs.config.perms_group_readable",
    Severity.WARN,
    "Config file is readable by its group",
    remediation="chmod 600 <configPath>",
    docs="""
## What
The config file is group-readable (not reported when the config path is a symlink).

## Why
Group members can read tokens and private settings from it.
"""
    + _WINDOWS_NOTE
    + _PERMS_FIX,
)

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
    + _PERMS_FIX,
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
    + _PERMS_FIX,
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
    + _PERMS_FIX,
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
    + _PERMS_FIX,
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
    + _PERMS_FIX,
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
    + _PERMS_FIX,
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
    + _PERMS_FIX,
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
    + _PERMS_FIX,
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

# Permission-denied on lstat stays silent (open question decided): StateView logs it at debug.

_STATE_DIR_REASON = {
    STATE_DIR_WORLD_WRITABLE: "any local user can change OpenClaw state",
    STATE_DIR_GROUP_WRITABLE: "group members can change OpenClaw state",
    STATE_DIR_READABLE: "others can browse OpenClaw state; 700 keeps it private",
}


def _perm_finding(
    ctx: AuditContext, meta: CheckMeta, perms: Perms, reason: str, *, is_dir: bool, title: str = ""
) -> Finding:
    return meta.finding(
        perms.detail(reason),
        title=title or None,
        remediation=perms.tighten_command(ctx.env, is_dir=is_dir),
        subject=perms.path,
    )


def _state_dir(ctx: AuditContext) -> Iterator[Finding]:
    perms = ctx.state.perms(ctx.paths.state_dir, ctx.platform, ctx.env)
    if not perms.ok:
        return
    if perms.is_symlink:
        yield STATE_DIR_SYMLINK.finding(
            f"{perms.path} is a symlink; its target holds all OpenClaw state.",
            subject=perms.path,
        )
    meta: CheckMeta | None = None
    if perms.world_writable:
        meta = STATE_DIR_WORLD_WRITABLE
    elif perms.group_writable:
        meta = STATE_DIR_GROUP_WRITABLE
    elif perms.readable_by_others:
        meta = STATE_DIR_READABLE
    if meta is not None:
        yield _perm_finding(ctx, meta, perms, _STATE_DIR_REASON[meta], is_dir=True)


def _config(ctx: AuditContext) -> Iterator[Finding]:
    perms = ctx.state.perms(ctx.paths.config_path, ctx.platform, ctx.env)
    if not perms.ok:
        return
    if perms.is_symlink:
        yield CONFIG_SYMLINK.finding(
            f"{perms.path} is a symlink; whoever controls its target controls the gateway.",
            subject=perms.path,
        )
    if perms.writable_by_others:
        reason = "others could change gateway auth and tool policy"
        yield _perm_finding(ctx, CONFIG_WRITABLE, perms, reason, is_dir=False)
    elif perms.is_symlink:
        return  # readable findings are not emitted for a linked config (see fs.config.symlink)
    elif perms.world_readable:
        reason = "the config can hold tokens and API keys"
        yield _perm_finding(ctx, CONFIG_WORLD_READABLE, perms, reason, is_dir=False)
    elif perms.group_readable:
        reason = "the config can hold tokens and API keys"
        yield _perm_finding(ctx, CONFIG_GROUP_READABLE, perms, reason, is_dir=False)


def _includes(ctx: AuditContext) -> Iterator[Finding]:
    if not ctx.config_exists:
        return  # the scan only runs on an existing, parsed main config (§1.5)
    for path in ctx.include_files:
        perms = ctx.state.perms(path, ctx.platform, ctx.env)
        if not perms.ok:
            continue
        if perms.writable_by_others:
            reason = "others could change the effective config"
            yield _perm_finding(ctx, INCLUDE_WRITABLE, perms, reason, is_dir=False)
        elif perms.world_readable:
            reason = "include files can hold tokens and API keys"
            yield _perm_finding(ctx, INCLUDE_WORLD_READABLE, perms, reason, is_dir=False)
        elif perms.group_readable:
            reason = "include files can hold tokens and API keys"
            yield _perm_finding(ctx, INCLUDE_GROUP_READABLE, perms, reason, is_dir=False)


def _credentials_dir(ctx: AuditContext) -> Iterator[Finding]:
    perms = ctx.state.perms(ctx.paths.creds_dir, ctx.platform, ctx.env)
    if not perms.ok or not perms.is_dir:
        return
    if perms.writable_by_others:
        reason = "others could alter pairing approvals, allowlists and channel credentials"
        yield _perm_finding(ctx, CREDS_WRITABLE, perms, reason, is_dir=True)
    elif perms.readable_by_others:
        reason = "channel credentials and allowlists are sensitive"
        yield _perm_finding(ctx, CREDS_READABLE, perms, reason, is_dir=True)


def _auth_store_finding(ctx: AuditContext, perms: Perms, label: str) -> Finding | None:
    if perms.writable_by_others:
        return _perm_finding(
            ctx,
            AUTH_WRITABLE,
            perms,
            "others could inject or replace model credentials",
            is_dir=False,
            title=f"{label} is writable by other users",
        )
    if perms.readable_by_others:
        return _perm_finding(
            ctx,
            AUTH_READABLE,
            perms,
            "it holds API keys and OAuth tokens",
            is_dir=False,
            title=f"{label} can be read by other users",
        )
    return None


def _agent_stores(ctx: AuditContext, agent_id: str) -> Iterator[Finding]:
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
            finding = _auth_store_finding(ctx, perms, label)
            if finding is not None:
                yield finding

    store = sessions_index(ctx.paths.state_dir, agent_id)
    perms = ctx.state.perms(store, ctx.platform, ctx.env)
    if perms.ok and perms.readable_by_others:
        reason = "session routing and transcript metadata are sensitive"
        yield _perm_finding(ctx, SESSIONS_READABLE, perms, reason, is_dir=False)


def _log_file(ctx: AuditContext) -> Iterator[Finding]:
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


@check(
    Stage.FILESYSTEM,
    emits=[
        STATE_DIR_SYMLINK,
        STATE_DIR_WORLD_WRITABLE,
        STATE_DIR_GROUP_WRITABLE,
        STATE_DIR_READABLE,
        CONFIG_SYMLINK,
        CONFIG_WRITABLE,
        CONFIG_WORLD_READABLE,
        CONFIG_GROUP_READABLE,
        INCLUDE_WRITABLE,
        INCLUDE_WORLD_READABLE,
        INCLUDE_GROUP_READABLE,
        CREDS_WRITABLE,
        CREDS_READABLE,
        AUTH_WRITABLE,
        AUTH_READABLE,
        SESSIONS_READABLE,
        LOG_READABLE,
    ],
)
def filesystem_permissions(ctx: AuditContext) -> Iterator[Finding]:
    yield from _state_dir(ctx)
    yield from _config(ctx)
    yield from _includes(ctx)
    yield from _credentials_dir(ctx)
    for agent_id in audit_agent_ids(ctx):
        yield from _agent_stores(ctx, agent_id)
    yield from _log_file(ctx)


# --- synced folders (earlier stage) ----------------------------------------------------------

SYNCED_DIR = define(
    "fs.synced_dir",
    Severity.WARN,
    "State or config lives in a cloud-synced folder",
    remediation="Keep OPENCLAW_STATE_DIR and the config file on a local volume that no sync "
    "service uploads.",
    docs="""
## What
The state directory or config path contains `icloud`, `dropbox`, `google drive`,
`googledrive` or `onedrive` (case-insensitive). Beyond upstream, the real macOS iCloud Drive
path (`Mobile Documents/com~apple~CloudDocs`) and File Provider mounts
(`/Library/CloudStorage/`, used by Dropbox, Google Drive, OneDrive and Box) also match. This is
a pure string test: no filesystem access, symlinks are not resolved.

## Why
Sync services copy tokens, credentials and transcripts to other devices and to the provider.

## Fix
Move the state directory (and the config) to an unsynced local path and point
`OPENCLAW_STATE_DIR` / `OPENCLAW_CONFIG_PATH` at it.
""",
)

SYNCED_MARKERS: tuple[str, ...] = (
    "icloud",
    "dropbox",
    "google drive",
    "googledrive",
    "onedrive",
    # Product extension: macOS locations whose names carry none of the markers above.
    "mobile documents/com~apple~clouddocs",
    "/library/cloudstorage/",
)


def is_synced_path(path: str) -> bool:
    lowered = path.lower().replace("\\", "/")
    return any(marker in lowered for marker in SYNCED_MARKERS)


@check(Stage.SYNCED_DIR, emits=[SYNCED_DIR])
def synced_dir(ctx: AuditContext) -> Iterator[Finding]:
    matched = [
        f"{label}: {path}"
        for label, path in (("state dir", ctx.paths.state_dir), ("config", ctx.paths.config_path))
        if is_synced_path(path)
    ]
    if matched:
        lines = "\n".join(f"- {m}" for m in matched)
        yield SYNCED_DIR.finding(f"OpenClaw files inside a synced folder:\n{lines}")
