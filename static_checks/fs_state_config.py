"""Filesystem permissions of the state directory and config file (checks-filesystem.md §2.1-2.2).

The filesystem group opens here: state dir, then config file; include files, credentials,
per-agent stores and the log file follow in ``fs_stores`` (same stage, higher orders). Every
path goes through :meth:`StateView.perms` (POSIX bits, or icacls on Windows). Paths that are
missing or cannot be ``lstat``-ed produce no finding.
"""

from __future__ import annotations

from collections.abc import Iterator

from openclaw_audit.engine.context import AuditContext
from openclaw_audit.engine.registry import CheckMeta, Stage, check, define
from openclaw_audit.report.model import Finding, Location, Severity
from openclaw_audit.state.view import Perms

PERMS_FIX = """
A path that is missing, or that cannot be inspected at all (for example `lstat` denied because
a parent directory belongs to another user), is not reported; the reason is logged at debug
level (open question decided: stay silent, as upstream does).

## Fix
Run the command in the finding (`chmod 700 <dir>` / `chmod 600 <file>`, or the `icacls` reset
on Windows), or `openclaw security audit --fix`.
"""
WINDOWS_NOTE = """
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
    + WINDOWS_NOTE
    + PERMS_FIX,
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
    + WINDOWS_NOTE
    + PERMS_FIX,
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
    + WINDOWS_NOTE
    + PERMS_FIX,
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
    + WINDOWS_NOTE
    + PERMS_FIX,
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
    + WINDOWS_NOTE
    + PERMS_FIX,
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
    + WINDOWS_NOTE
    + PERMS_FIX,
)

# Permission-denied on lstat stays silent (open question decided): StateView logs it at debug.


def perm_finding(
    ctx: AuditContext, meta: CheckMeta, perms: Perms, reason: str, *, is_dir: bool, title: str = ""
) -> Finding:
    return meta.finding(
        perms.detail(reason),
        title=title or None,
        remediation=perms.tighten_command(ctx.env, is_dir=is_dir),
        subject=perms.path,
        location=Location(file=perms.path),  # the offending file itself, no line
    )


def _inspected(ctx: AuditContext, path: str) -> Perms | None:
    perms = ctx.state.perms(path, ctx.platform, ctx.env)
    return perms if perms.ok else None


# State directory: the symlink row, then one rung of the directory ladder (§1.6).


@check(Stage.FILESYSTEM, emits=[STATE_DIR_SYMLINK], order=0)
def state_dir_symlink(ctx: AuditContext) -> Iterator[Finding]:
    perms = _inspected(ctx, ctx.paths.state_dir)
    if perms is not None and perms.is_symlink:
        yield STATE_DIR_SYMLINK.finding(
            f"{perms.path} is a symlink; its target holds all OpenClaw state.",
            subject=perms.path,
            location=Location(file=perms.path),
        )


@check(Stage.FILESYSTEM, emits=[STATE_DIR_WORLD_WRITABLE], order=1)
def state_dir_world_writable(ctx: AuditContext) -> Iterator[Finding]:
    perms = _inspected(ctx, ctx.paths.state_dir)
    if perms is not None and perms.world_writable:
        reason = "any local user can change OpenClaw state"
        yield perm_finding(ctx, STATE_DIR_WORLD_WRITABLE, perms, reason, is_dir=True)


@check(Stage.FILESYSTEM, emits=[STATE_DIR_GROUP_WRITABLE], order=2)
def state_dir_group_writable(ctx: AuditContext) -> Iterator[Finding]:
    perms = _inspected(ctx, ctx.paths.state_dir)
    if perms is not None and perms.group_writable and not perms.world_writable:
        reason = "group members can change OpenClaw state"
        yield perm_finding(ctx, STATE_DIR_GROUP_WRITABLE, perms, reason, is_dir=True)


@check(Stage.FILESYSTEM, emits=[STATE_DIR_READABLE], order=3)
def state_dir_readable(ctx: AuditContext) -> Iterator[Finding]:
    perms = _inspected(ctx, ctx.paths.state_dir)
    if perms is None or perms.world_writable or perms.group_writable:
        return
    if perms.readable_by_others:
        reason = "others can browse OpenClaw state; 700 keeps it private"
        yield perm_finding(ctx, STATE_DIR_READABLE, perms, reason, is_dir=True)


# Config file: the symlink row, then one rung of the file ladder; the readable rungs are not
# judged on a linked config (see fs.config.symlink).


@check(Stage.FILESYSTEM, emits=[CONFIG_SYMLINK], order=10)
def config_symlink(ctx: AuditContext) -> Iterator[Finding]:
    perms = _inspected(ctx, ctx.paths.config_path)
    if perms is not None and perms.is_symlink:
        yield CONFIG_SYMLINK.finding(
            f"{perms.path} is a symlink; whoever controls its target controls the gateway.",
            subject=perms.path,
            location=Location(file=perms.path),
        )


@check(Stage.FILESYSTEM, emits=[CONFIG_WRITABLE], order=11)
def config_writable(ctx: AuditContext) -> Iterator[Finding]:
    perms = _inspected(ctx, ctx.paths.config_path)
    if perms is not None and perms.writable_by_others:
        reason = "others could change gateway auth and tool policy"
        yield perm_finding(ctx, CONFIG_WRITABLE, perms, reason, is_dir=False)


def _config_readable_rung(ctx: AuditContext) -> Perms | None:
    perms = _inspected(ctx, ctx.paths.config_path)
    if perms is None or perms.writable_by_others or perms.is_symlink:
        return None
    return perms


@check(Stage.FILESYSTEM, emits=[CONFIG_WORLD_READABLE], order=12)
def config_world_readable(ctx: AuditContext) -> Iterator[Finding]:
    perms = _config_readable_rung(ctx)
    if perms is not None and perms.world_readable:
        reason = "the config can hold tokens and API keys"
        yield perm_finding(ctx, CONFIG_WORLD_READABLE, perms, reason, is_dir=False)


@check(Stage.FILESYSTEM, emits=[CONFIG_GROUP_READABLE], order=13)
def config_group_readable(ctx: AuditContext) -> Iterator[Finding]:
    perms = _config_readable_rung(ctx)
    if perms is not None and not perms.world_readable and perms.group_readable:
        reason = "the config can hold tokens and API keys"
        yield perm_finding(ctx, CONFIG_GROUP_READABLE, perms, reason, is_dir=False)
